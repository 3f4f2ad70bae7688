// SPDX-License-Identifier: LGPL-2.1-or-later
// Exclusive advisory locks on the legs of a command (see leg_lock.h).
#include "leg_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <utility>

namespace dmirror::cli {

LegLocks::~LegLocks() {
  for (int fd : fds_) ::close(fd);
}

Result<LegLocks> lock_legs(const std::vector<std::string>& paths) {
  LegLocks locks;
  std::set<std::pair<dev_t, ino_t>> seen;  // a leg given twice is locked once
  for (const auto& p : paths) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) continue;
    if (!seen.insert({st.st_dev, st.st_ino}).second) continue;
    const int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    locks.fds().push_back(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return make_error(ErrorCode::Busy, p + " is in use by another dmirrorctl command; wait for it to finish");
      }
      return errno_error(errno, "lock " + p);
    }
  }
  return locks;
}

}  // namespace dmirror::cli
