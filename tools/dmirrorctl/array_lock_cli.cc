// SPDX-License-Identifier: LGPL-2.1-or-later
// The commands' array lock (see array_lock_cli.h).
#include "array_lock_cli.h"

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

Result<ArrayLock> lock_array_paths(const std::vector<LockTarget>& legs, const Uuid& array, const std::string& name) {
  return ArrayLock::acquire(legs, array, name);
}

Result<ArrayLock> lock_new_legs(const std::vector<std::string>& paths) {
  std::vector<LockTarget> targets;
  for (uint32_t i = 0; i < paths.size(); ++i) targets.push_back(LockTarget{.path = paths[i], .slot = i});
  return ArrayLock::acquire_devices(std::move(targets));
}

}  // namespace dmirror::cli
