// SPDX-License-Identifier: LGPL-2.1-or-later
// activate_legs(): arguments to an active volume (see online_activation.h).
#include "online_activation.h"

#include "array_lock_cli.h"

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/leg_args.h>

#include "op_support.h"

namespace dmirror::cli {

Result<Activated> activate_legs(dm::DmControl& control, const std::vector<std::string>& args,
                                const dm::ActivateOptions& options, bool force, const std::string& from) {
  DMIRROR_ASSIGN_OR_RETURN(auto resolved, dm::resolve_leg_args(args));
  dm::ArrayLegsOptions assemble{.force = force, .rejoin_stale = true};
  if (!from.empty()) {
    // A leg named as given on the command line (an image file is on a loop device now).
    std::string leg = from;
    if (resolved.paths.size() == args.size())
      for (size_t i = 0; i < args.size(); ++i)
        if (args[i] == from) leg = resolved.paths[i];
    DMIRROR_ASSIGN_OR_RETURN(assemble.choose_slot, parse_leg_choice(leg, resolved.paths));
  }
  DMIRROR_ASSIGN_OR_RETURN(auto held, lock_array_at(resolved.paths));
  DMIRROR_ASSIGN_OR_RETURN(auto legs, dm::open_array_legs(resolved.paths, dm::OpenLegsForArray{.assemble = assemble}));
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
