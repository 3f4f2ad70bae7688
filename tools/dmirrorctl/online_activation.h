// SPDX-License-Identifier: LGPL-2.1-or-later
// The activation steps shared by `activate` and `create`: resolve the
// arguments to leg block devices (loop devices for image files), check that
// nothing else holds them, open them, and activate.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/online/activate_array.h>
#include <dmirror/superblock.h>

#include <string>
#include <vector>

namespace dmirror::cli {

struct Activated {
  dm::ActivateReport report;
  Superblock sb;  // as committed
};

/// `force`: raise the freshest stale or failed leg when no in-sync leg is present
/// (mdadm's --force). `from`: the leg (slot number, or one of `args`) whose
/// side is kept in a split brain, as `resync --from`.
Result<Activated> activate_legs(dm::DmControl& control, const std::vector<std::string>& args,
                                const dm::ActivateOptions& options, bool force, const std::string& from = {});

}  // namespace dmirror::cli
