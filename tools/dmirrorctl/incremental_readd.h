// SPDX-License-Identifier: LGPL-2.1-or-later
// A leg that appears while its array is already active (started degraded by
// the last resort, or by hand): incremental assembly re-adds it to the live
// volume, as mdadm --incremental re-adds a returning member of a running
// array (mdadm's Incremental.c, "re-add" of a device whose slot is vacant).
//
// Only a leg that is behind the live legs (stale or missing: it missed
// updates) is re-added. A leg on the other side of a split brain (it was
// written while the live legs were absent) is refused and left untouched,
// as mdadm refuses a "wayward" device. The live volume has no journal-guided
// re-add of a leg into its table (the kernel's bitmap would have to be
// reconciled with our journal), so the re-add is the online replace of its
// own slot by itself (dm/online/online_replace.h): the leg joins as an extra
// slot, the kernel rebuilds it in full while the live legs serve, and its
// old slot is retired. Under udev with systemd the wait for the rebuild
// runs in a transient service (dmirror-re-add-<uuid>-slot<N>), since a
// udev worker is killed after its event timeout.
#pragma once

#include "output.h"

#include <dmirror/dm/dm_control.h>
#include <dmirror/superblock.h>

#include <string>

namespace dmirror::cli {

int run_incremental_readd(const Context& ctx, dm::DmControl& control, const std::string& volume,
                          const std::string& device, const Superblock& sb, const std::string& run_dir);

}  // namespace dmirror::cli
