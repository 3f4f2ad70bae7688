// SPDX-License-Identifier: LGPL-2.1-or-later
// The array lock as the commands hold it: dmirrorctl takes it around every
// command that writes metadata (the library's operations do not take it
// themselves), so the oracle does the same around the operations it runs.
// With the lock, the oracle checks from outside that every write happens
// while the leg's image file is locked, and that a second command started
// meanwhile is refused as busy. Before array_lock.h exists this is a no-op.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/result.h>

#include <memory>
#include <span>
#include <string>

namespace dmirror::oracle {

#ifdef DMIRROR_ORACLE_ARRAY_LOCK
inline constexpr bool kArrayLock = true;
#else
inline constexpr bool kArrayLock = false;
#endif

class CommandLock {
 public:
  // Locks `legs` (leg image files, slot order first, then devices that are
  // not legs yet) with the lock file in `dir`.
  static Result<CommandLock> acquire(std::span<BlockDevice* const> legs, const std::string& dir);
  CommandLock(CommandLock&&) noexcept;
  CommandLock& operator=(CommandLock&&) noexcept;
  ~CommandLock();

  struct Held;

 private:
  CommandLock();
  std::unique_ptr<Held> held_;
};

// Sets ScrubOptions::lock_dir while scrub still takes a lock of its own.
template <class O>
void set_scrub_lock_dir(O& o, const std::string& dir) {
  if constexpr (requires { o.lock_dir; }) o.lock_dir = dir;
}

}  // namespace dmirror::oracle
