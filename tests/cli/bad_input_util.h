// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers of the bad-input catalogue tests (docs/bad-input.md): run
// dmirrorctl (optionally as an unprivileged user, optionally in the
// background), and check that a refused command printed a clear message,
// exited with the documented status and left every leg byte-identical.
#pragma once

#include "cli/run_tool.h"
#include "support/sizes.h"

#include <gtest/gtest.h>
#include <dirent.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace dmirror::testing {

// Whole contents of every leg, to compare after a refused command.
class LegSnapshot {
 public:
  explicit LegSnapshot(std::vector<std::string> legs) : legs_(std::move(legs)) {
    for (const auto& l : legs_) data_.push_back(read_file(l));
  }
  // A snapshot taken once the legs stopped changing: two reads 200 ms
  // apart agree (up to 5 s). For a holder just stopped with SIGSTOP whose
  // last submitted writes may still be landing through a loop device.
  static LegSnapshot settled(std::vector<std::string> legs) {
    ::sync();
    LegSnapshot s(legs);
    for (int i = 0; i < 25; ++i) {
      ::usleep(200000);
      LegSnapshot again(legs);
      if (again.data_ == s.data_) break;
      s = std::move(again);
    }
    return s;
  }
  void expect_unchanged() const {
    for (size_t i = 0; i < legs_.size(); ++i) EXPECT_TRUE(read_file(legs_[i]) == data_[i]) << legs_[i] << " changed";
  }

 private:
  std::vector<std::string> legs_;
  std::vector<std::string> data_;
};

// The pid in the lock file of `lock_dir` whose holder's command contains
// `what`, polled for up to `polls` x 20 ms; 0 when none appeared.
inline long wait_for_lock_holder(const std::string& lock_dir, const std::string& what, int polls = 1500) {
  for (int i = 0; i < polls; ++i) {
    if (DIR* d = ::opendir(lock_dir.c_str())) {
      long pid = 0;
      while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.size() < 5 || name.substr(name.size() - 5) != ".lock") continue;
        const std::string text = read_file(lock_dir + "/" + name);
        if (text.rfind("pid ", 0) == 0 && contains(text, "\ncommand ") && contains(text, what))
          pid = std::atol(text.c_str() + 4);
      }
      ::closedir(d);
      if (pid > 0) return pid;
    }
    ::usleep(20000);
  }
  return 0;
}

// A dmirrorctl started in the background; wait() collects it like run_tool.
class BackgroundTool {
 public:
  explicit BackgroundTool(const std::vector<std::string>& args) {
    std::vector<std::string> argv_s{DMIRRORCTL_PATH};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    out_fd_ = ::mkstemp(out_);
    err_fd_ = ::mkstemp(err_);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd_, 1);
    posix_spawn_file_actions_adddup2(&fa, err_fd_, 2);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~BackgroundTool() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_fd_);
    ::close(err_fd_);
    ::unlink(out_);
    ::unlink(err_);
  }
  BackgroundTool(const BackgroundTool&) = delete;
  BackgroundTool& operator=(const BackgroundTool&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  void signal(int sig) const { ::kill(pid_, sig); }
  std::string err_so_far() const { return read_file(err_); }
  std::string out_so_far() const { return read_file(out_); }
  ToolResult wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    ToolResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(out_);
    r.err = read_file(err_);
    return r;
  }

 private:
  pid_t pid_ = -1;
  char out_[32] = "/tmp/dmirrorctl-bg-out-XXXXXX";
  char err_[32] = "/tmp/dmirrorctl-bg-err-XXXXXX";
  int out_fd_ = -1, err_fd_ = -1;
};

// Runs dmirrorctl `args` as user and group 65534 (nobody) through setpriv.
inline ToolResult run_tool_as_nobody(const std::vector<std::string>& args) {
  std::string cmd = "setpriv --reuid=65534 --regid=65534 --clear-groups " + std::string(DMIRRORCTL_PATH);
  for (const auto& a : args) cmd += " '" + a + "'";
  char err_tmpl[] = "/tmp/dmirrorctl-nobody-XXXXXX";
  int fd = ::mkstemp(err_tmpl);
  ::close(fd);
  ::chmod(err_tmpl, 0666);
  ToolResult r;
  FILE* p = ::popen((cmd + " </dev/null 2>" + err_tmpl).c_str(), "r");
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) r.out += buf;
  int status = p ? ::pclose(p) : -1;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err_tmpl);
  ::unlink(err_tmpl);
  return r;
}

// Runs dmirrorctl and checks a refusal: exit status, message substring, the
// "dmirrorctl: " prefix, and every leg in `legs` byte-identical afterwards.
inline ToolResult expect_refused(const std::vector<std::string>& args, int exit_code, const std::string& says,
                                 const std::vector<std::string>& legs) {
  LegSnapshot before(legs);
  auto r = run_tool(args);
  EXPECT_EQ(r.exit_code, exit_code) << r.err << r.out;
  EXPECT_TRUE(contains(r.err, says)) << "expected '" << says << "' in: " << r.err;
  EXPECT_EQ(r.err.rfind("dmirrorctl: ", 0), 0u) << r.err;
  before.expect_unchanged();
  return r;
}

}  // namespace dmirror::testing
