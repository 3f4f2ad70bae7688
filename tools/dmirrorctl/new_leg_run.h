// SPDX-License-Identifier: LGPL-2.1-or-later
// What `replace` and `add` share before their copy: the array locked
// together with the new device (no other dmirrorctl command writes onto it
// between the check and the copy), the new device's foreign signatures
// refused unless --force, the legs and the new device opened, and the
// copy's options (rate, progress line, SIGINT as cancel).
#pragma once

#include "output.h"

#include <dmirror/array_lock.h>
#include <dmirror/legs.h>
#include <dmirror/replace.h>

#include <string>
#include <variant>
#include <vector>

namespace dmirror::cli {

struct NewLegRun {
  ArrayLock held;
  OpenedLegs legs;    // the array's current legs
  OpenedLegs fresh;   // the new device
  ReplaceOptions options;
};

// The run, or the exit status of the refusal it has reported.
std::variant<NewLegRun, int> start_new_leg_run(const Context& ctx, const std::vector<std::string>& current,
                                               const std::string& new_dev, bool force, const std::string& max_rate);

}  // namespace dmirror::cli
