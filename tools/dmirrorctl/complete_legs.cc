// SPDX-License-Identifier: LGPL-2.1-or-later
// `__complete --legs WORDS...` and `__complete --active` (complete_words.h).
#include "array_args.h"
#include "complete_words.h"
#include "escape.h"
#include "health_text.h"

#include <dmirror/assembly.h>
#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/dm_names.h>

#include <fmt/format.h>

namespace dmirror::cli {

void print_array_legs(const std::vector<std::string>& array_words) {
  if (array_words.empty()) return;
  auto arrays = arrays_of_args(array_words);
  if (!arrays || arrays->empty()) return;
  auto a = assemble_paths(arrays->front());
  if (!a) return;
  // A path read from the system may hold anything: offer only what prints
  // as itself, so a completion never inserts escape sequences.
  for (const SlotView& s : a->slots) {
    const AssembledLeg* leg = slot_leg(*a, s);
    const std::string role = role_name(s);
    if (leg && printable(leg->name) == leg->name && leg->name.find('\t') == std::string::npos) {
      fmt::print("{}\t{} ({})\n", s.slot, leg->name, role);
      fmt::print("{}\tslot {} ({})\n", leg->name, s.slot, role);
    } else {
      fmt::print("{}\tslot {}: {}\n", s.slot, s.slot, role);
    }
  }
}

void print_active_volumes() {
  dm::ControlOptions o;
  o.capture_kernel_log = false;
  auto control = dm::open_dm_control(o);
  if (!control) return;
  auto devs = (*control)->list_devices(dm::kDmUuidPrefix);
  if (!devs) return;
  for (const auto& d : *devs) {
    auto parsed = d.uuid ? dm::parse_dm_uuid(*d.uuid) : std::nullopt;
    if (parsed && !parsed->role && printable(d.name) == d.name) fmt::print("{}\tactive volume\n", d.name);
  }
}

}  // namespace dmirror::cli
