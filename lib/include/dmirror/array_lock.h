// SPDX-License-Identifier: LGPL-2.1-or-later
// The array lock: one writer of an array's metadata at a time (FORMAT.md
// 2.6 rule 16). flock() on each leg's device or image file in slot order,
// then on <dir>/<array uuid>.lock, which holds the holder's pid, command
// line and start time so that a refused command can say who holds the array.
//
// - The lock identifies the storage: a leg's other names are locked with it
//   (a loop device's backing file; the loop devices over an image file), so
//   writers naming the legs differently, or using another lock directory,
//   still exclude each other. A refusal on a leg names the holder from the
//   lock files, else from /proc/locks.
// - flock locks die with their process: a lock file left by a process that
//   was killed is no obstacle (its content is ignored).
// - After locking the lock file its inode is compared with the path's (LVM's
//   _do_flock): a holder that unlinked it meanwhile leaves a lock on an inode
//   nobody else sees, so the file is opened and locked again.
// - The lock file is unlinked only while it is still held (mdadm's
//   map_unlock), so a waiter never locks a file that is about to vanish
//   unnoticed.
// - flock locks belong to an open file description: a second lock of the same
//   array in the same process is refused like any other.
//
// The library's operations do not take the lock themselves: the command that
// writes metadata holds it around its reads and writes.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/uuid.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror {

enum class LockMode {
  Exclusive,   // a command that writes metadata
  Shared,      // a reader that must not overlap a writer
};

struct ArrayLockOptions {
  LockMode mode = LockMode::Exclusive;
  // Directory of the lock files; empty: $DMIRROR_LOCK_DIR, else /run/dmirror.
  std::string dir;
  // The command line recorded in the lock file; empty: this process's own.
  std::string holder;
  // A leg locked by a holder that left no lock file (udev probes block
  // devices under a short LOCK_SH, for instance) is retried for this long
  // before the command is refused. A holder named by a lock file refuses
  // at once.
  uint32_t wait_ms = 3000;
};

// One device to lock: `fd` when the caller has it open (it is dup()ed, so the
// lock lives exactly as long as the ArrayLock), else `path` is opened.
// Devices without either (in-memory test devices) have nothing to lock.
struct LockTarget {
  std::string path;
  int fd = -1;
  std::optional<uint32_t> slot;   // slot order first; unslotted devices after
};

// The lock directory in effect for `dir` (see ArrayLockOptions::dir).
DMIRROR_EXPORT std::string lock_directory(const std::string& dir = {});

// A live process holding the array lock: a writer of the array.
struct LockHolder {
  long pid = 0;
  std::string command;    // its command line
  uint64_t since = 0;     // unix seconds when it took the lock (0: unknown)
};

// The writer holding the array whose legs are `legs` now, as a reader sees
// it without taking any lock: the lock file (in `dir`, see lock_directory)
// that names one of the legs and is flocked by a live process, else a live
// process holding an exclusive flock on one of the legs (a writer using
// another lock directory; from /proc/locks). A lock file left by a process
// that died names nobody; this process itself never counts.
DMIRROR_EXPORT std::optional<LockHolder> find_array_writer(const std::vector<std::string>& legs,
                                                           const std::string& dir = {});

class DMIRROR_EXPORT ArrayLock {
 public:
  // Locks the devices, then the lock file of `array` (named `name` in
  // messages). Errors: Busy naming the holder ("array 'vol0' is locked by
  // dmirrorctl scrub vol0 (pid 1234); ..."), or the error of opening or
  // creating a lock file or its directory. On an error nothing stays locked.
  static Result<ArrayLock> acquire(std::vector<LockTarget> devices, const Uuid& array, std::string_view name,
                                   const ArrayLockOptions& options = {});
  // Only the devices (create: the array's uuid is not decided yet); call
  // lock_array() once it is.
  static Result<ArrayLock> acquire_devices(std::vector<LockTarget> devices, const ArrayLockOptions& options = {});
  Status lock_array(const Uuid& array, std::string_view name);

  // The legs of an array, opened: each device's superblock gives its slot
  // and the array (the newest superblock among them names it); devices
  // without one (a replacement) are locked after the legs.
  static Result<ArrayLock> acquire_legs(std::span<BlockDevice* const> legs, const ArrayLockOptions& options = {});

  ArrayLock(ArrayLock&&) noexcept;
  ArrayLock& operator=(ArrayLock&&) noexcept;
  ~ArrayLock();

  // The lock file held ("" before lock_array()).
  const std::string& path() const;
  // Unlocks everything now (the destructor does the same).
  void release();

  struct State;

 private:
  explicit ArrayLock(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace dmirror
