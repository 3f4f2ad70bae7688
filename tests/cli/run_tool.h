// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs the built dmirrorctl with stdin from /dev/null (so never a terminal)
// and captures stdout, stderr and the exit status.
#pragma once

#include "support/scratch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror::testing {

struct ToolResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

struct RunOptions {
  // Run as a systemd service whose stderr is the journal: JOURNAL_STREAM
  // names the captured stderr's device and inode (systemd.exec(5)).
  bool journal_stream = false;
};

inline ToolResult run_tool(const std::vector<std::string>& args, const RunOptions& opts);
inline ToolResult run_tool(const std::vector<std::string>& args) { return run_tool(args, RunOptions{}); }

inline ToolResult run_tool(const std::vector<std::string>& args, const RunOptions& opts) {
  char out_tmpl[] = "/tmp/dmirrorctl-out-XXXXXX";
  char err_tmpl[] = "/tmp/dmirrorctl-err-XXXXXX";
  int out_fd = ::mkstemp(out_tmpl);
  int err_fd = ::mkstemp(err_tmpl);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("mkstemp failed");
  std::vector<std::string> argv_s{DMIRRORCTL_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  // `create` activates by default; a test machine that has device-mapper
  // must not be left with active volumes, so CLI tests only format unless a
  // test asks about activation itself.
  auto sub = std::find_if(args.begin(), args.end(), [](const std::string& a) { return a.empty() || a[0] != '-'; });
  if (sub != args.end() && *sub == "create" &&
      std::find(args.begin(), args.end(), "--activate") == args.end() &&
      std::find(args.begin(), args.end(), "--no-activate") == args.end())
    argv_s.push_back("--no-activate");
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (!opts.journal_stream || std::string_view(*e).substr(0, 15) != "JOURNAL_STREAM=") env_s.emplace_back(*e);
  if (opts.journal_stream) {
    struct stat st {};
    ::fstat(err_fd, &st);
    env_s.push_back("JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino));
  }
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot run " + argv_s[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(out_fd);
  ::close(err_fd);
  ToolResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_tmpl);
  r.err = read_file(err_tmpl);
  ::unlink(out_tmpl);
  ::unlink(err_tmpl);
  return r;
}

inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace dmirror::testing
