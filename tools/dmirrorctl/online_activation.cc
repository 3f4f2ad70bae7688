// SPDX-License-Identifier: LGPL-2.1-or-later
// activate_legs(): arguments to an active volume (see online_activation.h).
#include "online_activation.h"

#include "array_lock_cli.h"

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/leg_args.h>

namespace dmirror::cli {

Result<Activated> activate_legs(dm::DmControl& control, const std::vector<std::string>& args,
                                const dm::ActivateOptions& options, bool force) {
  DMIRROR_ASSIGN_OR_RETURN(auto resolved, dm::resolve_leg_args(args));
  DMIRROR_ASSIGN_OR_RETURN(auto held, lock_array_at(resolved.paths));
  DMIRROR_ASSIGN_OR_RETURN(auto legs, dm::open_array_legs(resolved.paths, dm::OpenLegsForArray{.force = force}));
  DMIRROR_RETURN_IF_ERROR(dm::refuse_if_active(control, legs.sb()));
  DMIRROR_RETURN_IF_ERROR(dm::check_legs_unclaimed(resolved.paths));
  std::map<uint32_t, dm::DevNumber> devs;
  for (uint32_t s : legs.present_slots()) {
    DMIRROR_ASSIGN_OR_RETURN(devs[s], dm::block_device_number(legs.path(s)));
  }
  DMIRROR_ASSIGN_OR_RETURN(auto report, dm::activate_array(control, legs, devs, options));
  return Activated{std::move(report), legs.sb()};
}

}  // namespace dmirror::cli
