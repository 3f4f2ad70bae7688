// SPDX-License-Identifier: LGPL-2.1-or-later
// apply_kernel_state(): the kernel's view of an active volume folded into
// the assembly (assembly.h).
#include <dmirror/assembly.h>

#include <algorithm>

namespace dmirror {
namespace {

// The state the kernel's health character means for a slot we hold in
// sync; nullopt when it agrees with us. 'a' is not one: md shows every leg
// 'a' during a resync of the whole set (the sync state the status shows
// beside the legs).
std::optional<SlotState> kernel_says(char c) {
  switch (c) {
    case 'D': return SlotState::Failed;
    case '-': return SlotState::Missing;
    default: return std::nullopt;
  }
}

}  // namespace

void apply_kernel_state(Assembly& a, const std::map<uint32_t, char>& kernel) {
  bool changed = false;
  for (SlotView& v : a.slots) {
    auto it = kernel.find(v.slot);
    if (it == kernel.end() || v.state != SlotState::InSync) continue;
    auto now = kernel_says(it->second);
    if (!now) continue;
    v.state = *now;
    changed = true;
    Finding f;
    f.severity = Severity::Warning;
    f.code = "kernel-state";
    f.slot = v.slot;
    f.message = "slot " + std::to_string(v.slot) + " is " + std::string(slot_state_name(*now)) +
                " in the active volume ('" + std::string(1, it->second) + "' in the kernel's status); " +
                "the array metadata records it when `dmirrorctl monitor` sees it";
    a.findings.push_back(std::move(f));
  }
  if (!changed) return;
  a.degraded = true;
  const bool any_in_sync =
      std::any_of(a.slots.begin(), a.slots.end(), [](const SlotView& v) { return v.state == SlotState::InSync; });
  if (!any_in_sync) a.health = Health::Failed;
  else a.health = std::max(a.health, Health::Degraded);
}

}  // namespace dmirror
