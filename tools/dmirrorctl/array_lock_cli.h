// SPDX-License-Identifier: LGPL-2.1-or-later
// The array lock (dmirror/array_lock.h) as every command that writes
// metadata takes it: create, resync, scrub, verify --repair, replace,
// io write, clear, activate, deactivate, the online scrub and replace, and
// the offline import of the kernel's state. Read-only commands take none. A refusal is Busy (exit 8) and names
// the holder. The lock directory is /run/dmirror, or $DMIRROR_LOCK_DIR
// (scrub's --lock-dir overrides both).
#pragma once

#include <dmirror/array_lock.h>
#include <dmirror/block_device.h>
#include <dmirror/result.h>

#include <optional>
#include <string>
#include <vector>

namespace dmirror::dm {
class DmControl;
}

namespace dmirror::cli {

// The legs of an array by path (each one's superblock gives its slot and the
// array), plus any new device (replace) after them. Taken before the command
// opens the legs for writing, held until it has written its last metadata.
Result<ArrayLock> lock_array_at(const std::vector<std::string>& paths, const std::string& lock_dir = {});
// The array of the active volume `name` (deactivate, online scrub and
// replace): its lock file, and `extra` (the new device of a replace). The
// legs' devices are not held open: a descriptor would keep a loop device
// attached past a deactivation. Nothing when no volume has that name (the
// command reports it).
Result<std::optional<ArrayLock>> lock_active_volume(dm::DmControl& control, const std::string& name,
                                                    std::vector<LockTarget> extra = {});
// The legs of an array being created: the devices now, the array's lock file
// once its uuid is planned (ArrayLock::lock_array).
Result<ArrayLock> lock_new_legs(const std::vector<std::string>& paths);

}  // namespace dmirror::cli
