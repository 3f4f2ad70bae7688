// SPDX-License-Identifier: LGPL-2.1-or-later
// Lock files of the array lock (see lock_file.h).
#include "array/lock_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>

namespace dmirror::lockfile {
namespace {

constexpr int kReopenAttempts = 16;

bool alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

}  // namespace

Result<int> lock_path(const std::string& path, int op, const std::function<void()>& after_open) {
  for (int attempt = 0; attempt < kReopenAttempts; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return errno_error(errno, "open lock file " + path);
    if (after_open) after_open();
    if (::flock(fd, op | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) return make_error(ErrorCode::Busy, path + " is locked", err);
      return errno_error(err, "lock " + path);
    }
    // LVM's _do_flock: the file may have been unlinked (and recreated) by its
    // previous holder between our open and our flock.
    struct stat held {}, now {};
    if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
        held.st_ino == now.st_ino)
      return fd;
    ::close(fd);
  }
  return make_error(ErrorCode::Busy, "lock file " + path + " kept being replaced while it was locked; try again");
}

void unlock_path(int fd, const std::string& path, bool remove) {
  if (fd < 0) return;
  if (remove) ::unlink(path.c_str());   // still held: nobody can lock this inode and keep it
  ::flock(fd, LOCK_UN);
  ::close(fd);
}

std::string format_holder(const Holder& h) {
  std::ostringstream out;
  out << "pid " << h.pid << "\n";
  std::string cmd = h.command;
  for (char& c : cmd) if (c == '\n') c = ' ';
  out << "command " << cmd << "\n";
  if (h.started) out << "started " << h.started << "\n";
  if (!h.array.empty()) out << "array " << h.array << " " << h.name << "\n";
  for (const auto& [dev, ino] : h.legs) out << "leg " << dev << ":" << ino << "\n";
  return out.str();
}

Status write_holder(int fd, const Holder& h) {
  const std::string text = format_holder(h);
  if (::ftruncate(fd, 0) != 0) return errno_error(errno, "truncate lock file");
  if (::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    return errno_error(errno ? errno : EIO, "write lock file");
  return ok();
}

std::optional<Holder> read_holder(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  Holder h;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key == "pid") words >> h.pid;
    else if (key == "command") h.command = line.size() > 8 ? line.substr(8) : "";
    else if (key == "started") words >> h.started;
    else if (key == "array") words >> h.array >> h.name;
    else if (key == "leg") {
      unsigned long long dev = 0, ino = 0;
      char colon = 0;
      if (words >> dev >> colon >> ino && colon == ':') h.legs.emplace_back(static_cast<dev_t>(dev), static_cast<ino_t>(ino));
    }
  }
  if (!alive(h.pid)) return std::nullopt;
  return h;
}

std::optional<Holder> find_holder(const std::string& dir, FileId id) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return std::nullopt;
  std::optional<Holder> found;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".lock") != 0) continue;
    auto h = read_holder(dir + "/" + name);
    if (!h) continue;
    for (const auto& leg : h->legs)
      if (leg == id) found = std::move(h);
    if (found) break;
  }
  ::closedir(d);
  return found;
}

std::string describe(const Holder& h) {
  std::string since;
  if (h.started) {
    const std::time_t t = static_cast<std::time_t>(h.started);
    std::tm tm{};
    char buf[32];
    if (::gmtime_r(&t, &tm) && std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm)) since = ", since " + std::string(buf);
  }
  return (h.command.empty() ? std::string("another process") : h.command) + " (pid " + std::to_string(h.pid) + since +
         ")";
}

std::string own_command_line() { return command_line(::getpid()); }

}  // namespace dmirror::lockfile
