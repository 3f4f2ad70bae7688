// SPDX-License-Identifier: LGPL-2.1-or-later
// ScrubLock (see scrub_lock.h). flock locks belong to the open file
// description, so a second acquire in the same process is refused too.
#include "ops/scrub_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace dmirror::ops {

Result<std::unique_ptr<ScrubLock>> ScrubLock::acquire(const std::string& dir, const Uuid& array) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return errno_error(errno, "create lock directory " + dir);
  std::string path = dir + "/" + array.str() + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error(errno, "open lock file " + path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return make_error(ErrorCode::Busy, "a scrub is already running on array " + array.str() + " (lock " + path + ")");
    return errno_error(err, "lock " + path);
  }
  return std::unique_ptr<ScrubLock>(new ScrubLock(fd, std::move(path)));
}

ScrubLock::~ScrubLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace dmirror::ops
