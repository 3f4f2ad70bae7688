// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl activate --last-resort UUID`: what the boot path's timer runs
// once the array's degraded timeout has passed (boot_schedule.h), as
// mdadm-last-resort@.service runs `mdadm --run`. It takes the legs that
// incremental assembly recorded, and activates the array degraded only when
// it is still inactive and the one assembly says it can run without the
// missing legs: no split brain, an in-sync leg present (all data on the legs
// there), and the array's policy is not `never`. Otherwise it says why and
// changes nothing.
#pragma once

#include "last_resort_decision.h"
#include "output.h"

#include <string>

namespace dmirror::cli {

/// The command. Exit 0 when the array is active (now or already); the
/// refusal's exit status otherwise (activate's table: 8, 12 split brain).
int run_last_resort(const Context& ctx, const std::string& uuid, const std::string& run_dir);

}  // namespace dmirror::cli
