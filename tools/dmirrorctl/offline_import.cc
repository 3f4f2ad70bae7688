// SPDX-License-Identifier: LGPL-2.1-or-later
// import_kernel_view(): the offline side of the hand-off.
#include "offline_import.h"
#include "journal_log.h"

#include "array_lock_cli.h"
#include "online_dispatch.h"

#include <dmirror/dm/online/import_kernel_state.h>
#include <dmirror/leg.h>
#include <dmirror/legs.h>

#include <fmt/format.h>
#include <syslog.h>

namespace dmirror::cli {

Status import_kernel_view(const std::vector<std::string>& paths) {
  bool owned = false;
  for (const auto& p : paths) {
    auto dev = open_device(p, OpenOptions{.writable = false, .direct = false, .exclusive = false});
    if (!dev) continue;
    if (auto meta = read_leg(**dev); meta && meta->sb.has_flag(sbflag::kKernelOwnsSync)) owned = true;
  }
  if (!owned) return ok();
  if (auto name = active_volume_of(paths))
    return make_error(ErrorCode::Busy, "the array is active as /dev/mapper/" + *name +
                                           "; offline commands need it deactivated (dmirrorctl deactivate " + *name +
                                           "), or use the online form of the command");
  DMIRROR_ASSIGN_OR_RETURN(auto held, lock_array_at(paths));
  DMIRROR_ASSIGN_OR_RETURN(auto legs, open_legs(paths, OpenLegsOptions{.writable = true}));
  DMIRROR_ASSIGN_OR_RETURN(auto rep, dm::import_kernel_state_offline(legs.devices()));
  if (rep.imported) {
    log_stderr(LOG_NOTICE, fmt::format("dmirrorctl: the array was last active online and not deactivated; the kernel's sync state "
                       "was imported ({} failed, {} rebuilding, {} dirty region(s)).",
               rep.failed.size(), rep.rebuilding.size(), rep.dirty_regions));
  }
  return ok();
}

}  // namespace dmirror::cli
