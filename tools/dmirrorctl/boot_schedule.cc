// SPDX-License-Identifier: LGPL-2.1-or-later
// The boot path's timers through systemd-run (see boot_schedule.h).
#include "boot_schedule.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

extern char** environ;

namespace dmirror::cli {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Runs argv, output to our stderr; the exit status, or -1 when it could not start.
int run(const std::vector<std::string>& argv, bool quiet) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, 2, 1);   // never our stdout (it may be a JSON document)
  if (quiet) posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  if (quiet) posix_spawn_file_actions_adddup2(&fa, 2, 1);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool unit_exists(const std::string& unit) {
  // `systemctl is-active` exits 0 for an active unit (a waiting timer is active).
  return run({env_or("DMIRROR_SYSTEMCTL", "systemctl"), "is-active", "--quiet", unit}, true) == 0;
}

}  // namespace

bool systemd_running() {
  std::error_code ec;
  return std::filesystem::is_directory(env_or("DMIRROR_SYSTEMD_DIR", "/run/systemd/system"), ec);
}

std::string last_resort_unit(const Uuid& array) { return "dmirror-last-resort-" + array.str(); }

std::string self_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("dmirrorctl") : p.string();
}

Status schedule_last_resort(const Uuid& array, uint32_t seconds, const std::string& run_dir) {
  const std::string unit = last_resort_unit(array);
  if (unit_exists(unit + ".timer")) return ok();
  // AccuracySec=1s: systemd's default of a minute would stretch a 30 s wait to 90.
  const int rc = run({env_or("DMIRROR_SYSTEMD_RUN", "systemd-run"), "--no-block", "--collect", "--unit=" + unit,
                      "--on-active=" + std::to_string(seconds) + "s", "--timer-property=AccuracySec=1s",
                      "--description=dmirror last-resort degraded activation of array " + array.str(), self_path(),
                      "activate", "--last-resort", array.str(), "--run-dir", run_dir},
                     false);
  if (rc == 0 || unit_exists(unit + ".timer")) return ok();   // a racing leg of the same array scheduled it
  return make_error(ErrorCode::Io, "systemd-run could not schedule " + unit + ".timer (exit status " +
                                       std::to_string(rc) + "); run `dmirrorctl activate --last-resort " +
                                       array.str() + "` if the missing legs do not come");
}

void cancel_last_resort(const Uuid& array) {
  if (!systemd_running()) return;
  run({env_or("DMIRROR_SYSTEMCTL", "systemctl"), "stop", "--no-block", last_resort_unit(array) + ".timer"}, true);
}

Status run_in_transient_service(const std::string& unit, const std::vector<std::string>& argv) {
  std::vector<std::string> cmd = {env_or("DMIRROR_SYSTEMD_RUN", "systemd-run"), "--no-block", "--collect",
                                  "--unit=" + unit, "--service-type=oneshot"};
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  const int rc = run(cmd, false);
  if (rc == 0) return ok();
  return make_error(ErrorCode::Io, "systemd-run could not start " + unit + ".service (exit status " +
                                       std::to_string(rc) + ")");
}

}  // namespace dmirror::cli
