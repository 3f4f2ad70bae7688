// SPDX-License-Identifier: LGPL-2.1-or-later
// What `create` shows: the plan before confirmation and the result after.
#pragma once

#include "output.h"

#include <dmirror/array.h>

namespace dmirror::cli {

// Human text on stdout: legs, usable size, regions, what will be destroyed.
void print_plan(const CreatePlan& plan, const CreateOptions& opts);
// The result, as text or as JSON. `activation_note` says why the array was
// not activated (printed as is); `activation` (JSON) describes the online
// volume when it was.
void print_created(const Context& ctx, const CreatePlan& plan, const CreateOptions& opts, const Superblock& sb,
                   bool activated, std::string_view activation_note, const Json& activation);

}  // namespace dmirror::cli
