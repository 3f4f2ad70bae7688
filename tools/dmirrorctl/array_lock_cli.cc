// SPDX-License-Identifier: LGPL-2.1-or-later
// The commands' array lock (see array_lock_cli.h).
#include "array_lock_cli.h"

#include <dmirror/dm/online/active_volume.h>

#include <memory>

namespace dmirror::cli {

Result<ArrayLock> lock_array_at(const std::vector<std::string>& paths, const std::string& lock_dir) {
  // Opened only to read the superblocks; the lock keeps its own descriptors.
  std::vector<std::unique_ptr<BlockDevice>> owned;
  std::vector<BlockDevice*> devices;
  for (const auto& p : paths) {
    auto dev = open_device(p, OpenOptions{.writable = false, .direct = false, .exclusive = false});
    if (!dev) continue;   // the command reports it when it opens the legs
    devices.push_back(dev->get());
    owned.push_back(std::move(*dev));
  }
  return ArrayLock::acquire_legs(devices, ArrayLockOptions{.dir = lock_dir});
}

Result<std::optional<ArrayLock>> lock_active_volume(dm::DmControl& control, const std::string& name,
                                                    std::vector<LockTarget> extra) {
  auto found = dm::find_volume_by_name(control, name);
  if (!found) return std::optional<ArrayLock>();
  DMIRROR_ASSIGN_OR_RETURN(auto uuid, parse_uuid(found->array_uuid));
  DMIRROR_ASSIGN_OR_RETURN(auto lock, ArrayLock::acquire(std::move(extra), uuid, name));
  return std::optional<ArrayLock>(std::move(lock));
}

Result<ArrayLock> lock_new_legs(const std::vector<std::string>& paths) {
  std::vector<LockTarget> targets;
  for (uint32_t i = 0; i < paths.size(); ++i) targets.push_back(LockTarget{.path = paths[i], .slot = i});
  return ArrayLock::acquire_devices(std::move(targets));
}

}  // namespace dmirror::cli
