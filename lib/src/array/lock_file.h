// SPDX-License-Identifier: LGPL-2.1-or-later
// The pieces of the array lock (dmirror/array_lock.h) that touch files: a
// flocked lock file with the inode re-check, its content (who holds it), and
// finding the holder of a locked leg.
#pragma once

#include <dmirror/result.h>

#include <sys/types.h>

#include <cstdint>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dmirror::lockfile {

using FileId = std::pair<dev_t, ino_t>;

// What a lock file says about its holder.
struct Holder {
  long pid = 0;
  std::string command;        // the holder's command line
  uint64_t started = 0;       // unix seconds when it took the lock (0: unknown)
  std::string array;          // array uuid, "" when not recorded
  std::string name;           // array name
  std::vector<FileId> legs;   // the devices it locked
};

// Opens (creating) `path` and flock()s it with `op` (LOCK_EX or LOCK_SH)
// without blocking; then checks that the locked inode is still the one at
// `path` and starts over when it is not (another holder unlinked it in
// between). `after_open` runs between the open and the flock (tests use it
// to replace the file at that moment). Busy when another holder has it.
Result<int> lock_path(const std::string& path, int op, const std::function<void()>& after_open = {});
// Unlocks and closes; unlinks `path` first when `remove` (only while held).
void unlock_path(int fd, const std::string& path, bool remove);

// The text written into a lock file, and its reading. read_holder() returns
// nothing for a missing or unreadable file and for a dead holder (its flock
// died with it, and the file is only left over).
std::string format_holder(const Holder& h);
Status write_holder(int fd, const Holder& h);
std::optional<Holder> read_holder(const std::string& path);
// The live holder (according to the lock files in `dir`) of the device `id`.
std::optional<Holder> find_holder(const std::string& dir, FileId id);
// The live process that holds a flock on the inode `id`, from /proc/locks
// (its command line and start time from /proc/PID): the holder of a leg
// locked by a process whose lock file is elsewhere (another lock directory)
// or not written yet. Nothing when no process holds one, or /proc says nothing.
// `exclusive_only`: only a LOCK_EX holder (a writer), not a LOCK_SH one
// (udev's probe, a shared reader).
std::optional<Holder> flock_holder(FileId id, bool exclusive_only = false);
// "dmirrorctl scrub vol0 (pid 1234, since 2026-05-01 12:00:00 UTC)".
std::string describe(const Holder& h);

// The command line of process `pid` (from /proc), arguments joined by
// spaces, argv[0] without its directory; own_command_line() for this one.
std::string command_line(long pid);
std::string own_command_line();

}  // namespace dmirror::lockfile
