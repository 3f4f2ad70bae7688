// SPDX-License-Identifier: LGPL-2.1-or-later
// The array lock (see dmirror/array_lock.h): legs in slot order, then the
// array's lock file.
#include <dmirror/array_lock.h>

#include "array/lock_alias.h"
#include "array/lock_file.h"

#include <dmirror/leg.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace dmirror {

struct ArrayLock::State {
  ArrayLockOptions options;
  std::string dir;
  lockfile::Holder me;
  std::vector<int> leg_fds;
  int file_fd = -1;
  std::string path;
  Uuid array;

  ~State() { unlock(); }
  void unlock() {
    lockfile::unlock_path(file_fd, path, options.mode == LockMode::Exclusive);
    file_fd = -1;
    for (int fd : leg_fds) {   // a dup of the caller's descriptor: unlock explicitly
      ::flock(fd, LOCK_UN);
      ::close(fd);
    }
    leg_fds.clear();
  }
  int op() const { return options.mode == LockMode::Exclusive ? LOCK_EX : LOCK_SH; }
  Status lock_device(const LockTarget& t);
  Status lock_fd(int fd, const struct stat& st, const std::string& what, const std::string& path);
};

namespace {

std::string busy_message(const lockfile::Holder& h, const std::string& what) {
  return what + " is locked by " + lockfile::describe(h) + "; wait for it to finish or stop it";
}

}  // namespace

std::string lock_directory(const std::string& dir) {
  if (!dir.empty()) return dir;
  if (const char* env = std::getenv("DMIRROR_LOCK_DIR"); env && *env) return env;
  return "/run/dmirror";
}

Status ArrayLock::State::lock_device(const LockTarget& t) {
  int fd = t.fd >= 0 ? ::fcntl(t.fd, F_DUPFD_CLOEXEC, 0)
                     : (t.path.empty() ? -1 : ::open(t.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd < 0) return ok();   // nothing to lock: the command reports a path it cannot open itself
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
    ::close(fd);
    return ok();
  }
  // The other names of the same storage first (a loop device's backing
  // file, the loop devices over an image file): flock locks an inode, and
  // a writer naming the legs the other way must meet this lock.
  for (const std::string& alias : lockalias::storage_aliases(fd, st)) {
    const int afd = ::open(alias.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (afd < 0) continue;
    struct stat ast {};
    if (::fstat(afd, &ast) != 0) {
      ::close(afd);
      continue;
    }
    if (Status s = lock_fd(afd, ast, t.path + " (the same storage as " + alias + ")", alias); !s) {
      ::close(fd);
      return s;
    }
  }
  return lock_fd(fd, st, t.path, t.path);
}

// Locks `fd` (whose inode is `st`); `what` names the leg in messages, `path`
// is what was opened.
Status ArrayLock::State::lock_fd(int fd, const struct stat& st, const std::string& what, const std::string& path) {
  const lockfile::FileId id{st.st_dev, st.st_ino};
  if (std::find(me.legs.begin(), me.legs.end(), id) != me.legs.end()) {   // given twice: locked once
    ::close(fd);
    return ok();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.wait_ms);
  while (::flock(fd, op() | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return errno_error(err, "lock " + path);
    }
    // A holder named by a lock file refuses at once; an unnamed one (udev's
    // short LOCK_SH probe) is waited for until the deadline.
    std::optional<lockfile::Holder> h = lockfile::find_holder(dir, id);
    if (!h && !me.array.empty())
      if (auto f = lockfile::read_holder(dir + "/" + me.array + ".lock"); f && f->array == me.array) h = f;
    if (!h && std::chrono::steady_clock::now() >= deadline) h = lockfile::flock_holder(id);
    if (h) {
      ::close(fd);
      if (!me.array.empty() && h->array == me.array)
        return make_error(ErrorCode::Busy, busy_message(*h, "array '" + me.name + "'"));
      return make_error(ErrorCode::Busy,
                        busy_message(*h, "leg " + what + (h->name.empty() ? "" : " (array '" + h->name + "')")));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return make_error(ErrorCode::Busy, "leg " + what +
                                             " is locked by another process (flock); wait for it to finish, "
                                             "or find it with 'fuser " + path + "'");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  leg_fds.push_back(fd);
  me.legs.push_back(id);
  return ok();
}

ArrayLock::ArrayLock(std::unique_ptr<State> s) : s_(std::move(s)) {}
ArrayLock::ArrayLock(ArrayLock&&) noexcept = default;
ArrayLock& ArrayLock::operator=(ArrayLock&&) noexcept = default;
ArrayLock::~ArrayLock() = default;

const std::string& ArrayLock::path() const { return s_->path; }
void ArrayLock::release() {
  if (s_) s_->unlock();
}

Result<ArrayLock> ArrayLock::acquire_devices(std::vector<LockTarget> devices, const ArrayLockOptions& options) {
  auto s = std::make_unique<State>();
  s->options = options;
  s->dir = lock_directory(options.dir);
  s->me.pid = ::getpid();
  s->me.started = static_cast<uint64_t>(::time(nullptr));
  s->me.command = options.holder.empty() ? lockfile::own_command_line() : options.holder;
  std::stable_sort(devices.begin(), devices.end(), [](const LockTarget& a, const LockTarget& b) {
    return a.slot.value_or(UINT32_MAX) < b.slot.value_or(UINT32_MAX);
  });
  for (const auto& t : devices) DMIRROR_RETURN_IF_ERROR(s->lock_device(t));
  return ArrayLock(std::move(s));
}

Result<ArrayLock> ArrayLock::acquire(std::vector<LockTarget> devices, const Uuid& array, std::string_view name,
                                     const ArrayLockOptions& options) {
  // The name is known before the legs are locked, so that a refusal on a
  // leg can say "array 'vol0' is locked by ..." when its holder is ours.
  auto s = std::make_unique<State>();
  s->options = options;
  s->dir = lock_directory(options.dir);
  s->me.pid = ::getpid();
  s->me.started = static_cast<uint64_t>(::time(nullptr));
  s->me.command = options.holder.empty() ? lockfile::own_command_line() : options.holder;
  s->me.array = array.str();
  s->me.name = std::string(name);
  std::stable_sort(devices.begin(), devices.end(), [](const LockTarget& a, const LockTarget& b) {
    return a.slot.value_or(UINT32_MAX) < b.slot.value_or(UINT32_MAX);
  });
  for (const auto& t : devices) DMIRROR_RETURN_IF_ERROR(s->lock_device(t));
  ArrayLock lock(std::move(s));
  DMIRROR_RETURN_IF_ERROR(lock.lock_array(array, name));
  return lock;
}

Status ArrayLock::lock_array(const Uuid& array, std::string_view name) {
  State& s = *s_;
  if (s.file_fd >= 0) return make_error(ErrorCode::Internal, "array lock " + s.path + " is already held");
  if (::mkdir(s.dir.c_str(), 0755) != 0 && errno != EEXIST) {
    Error e = errno_to_error(errno, "create lock directory " + s.dir);
    e.message += "; run as root, or set DMIRROR_LOCK_DIR to a writable directory";
    return std::unexpected(std::move(e));
  }
  s.me.array = array.str();
  s.me.name = std::string(name);
  const std::string path = s.dir + "/" + array.str() + ".lock";
  auto fd = lockfile::lock_path(path, s.op());
  if (!fd) {
    if (fd.error().code != ErrorCode::Busy || fd.error().sys_errno != EWOULDBLOCK) return std::unexpected(fd.error());
    if (auto h = lockfile::read_holder(path))
      return make_error(ErrorCode::Busy, busy_message(*h, "array '" + s.me.name + "'"));
    return make_error(ErrorCode::Busy, "array '" + s.me.name + "' is locked by another process (" + path +
                                           "); wait for it to finish");
  }
  s.file_fd = *fd;
  s.path = path;
  s.array = array;
  if (s.options.mode == LockMode::Exclusive) {
    if (auto st = lockfile::write_holder(s.file_fd, s.me); !st) {
      s.unlock();
      return st;
    }
  }
  return ok();
}

Result<ArrayLock> ArrayLock::acquire_legs(std::span<BlockDevice* const> legs, const ArrayLockOptions& options) {
  std::vector<LockTarget> targets;
  std::vector<std::optional<LegMetadata>> metas;
  const Superblock* newest = nullptr;
  for (BlockDevice* d : legs) {
    auto m = read_leg(*d);
    metas.push_back(m ? std::optional<LegMetadata>(std::move(*m)) : std::nullopt);
  }
  for (const auto& m : metas)
    if (m && (!newest || m->sb.seqno > newest->seqno)) newest = &m->sb;
  for (size_t i = 0; i < legs.size(); ++i) {
    LockTarget t{.path = legs[i]->describe(), .fd = legs[i]->native_handle().fd, .slot = std::nullopt};
    if (metas[i] && newest && metas[i]->sb.array_uuid == newest->array_uuid) t.slot = metas[i]->sb.slot;
    targets.push_back(std::move(t));
  }
  if (!newest) return acquire_devices(std::move(targets), options);
  return acquire(std::move(targets), newest->array_uuid, newest->name, options);
}

}  // namespace dmirror
