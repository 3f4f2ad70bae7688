// SPDX-License-Identifier: LGPL-2.1-or-later
// What `create` shows: the plan before confirmation and the result after.
#pragma once

#include "output.h"

#include <dmirror/array.h>

namespace dmirror::cli {

// Human text on stdout: legs, usable size, regions, what will be destroyed.
void print_plan(const CreatePlan& plan, const CreateOptions& opts);
// The result, as text or as JSON.
void print_created(const Context& ctx, const CreatePlan& plan, const CreateOptions& opts, const Superblock& sb,
                   bool no_activate);

}  // namespace dmirror::cli
