// SPDX-License-Identifier: LGPL-2.1-or-later
// See device_bringup.h.
#include "device_bringup.h"

namespace dmirror::dm::detail {

Rollback::~Rollback() {
  if (committed_) return;
  for (auto it = created_.rbegin(); it != created_.rend(); ++it)
    (void)dm_.remove_device(DeviceRef::by_name(*it), RemoveOptions{});
}

Result<DeviceInfo> bring_up_device(DmControl& dm, Rollback& rollback, const PlannedDevice& d,
                                   std::span<const TargetLine> table, const LoadOptions& load) {
  DMIRROR_ASSIGN_OR_RETURN(DeviceInfo created, dm.create_device(d.name, d.uuid));
  rollback.add(d.name);
  auto ref = DeviceRef::by_name(d.name);
  DMIRROR_RETURN_IF_ERROR(dm.load_table(ref, table, load));
  DMIRROR_ASSIGN_OR_RETURN(DeviceInfo live, dm.resume(ref, d.udev_flags));
  if (live.dev.is_zero()) live.dev = created.dev;
  return live;
}

}  // namespace dmirror::dm::detail
