// SPDX-License-Identifier: LGPL-2.1-or-later
// in_place_replace_allowed(): the online replace's fallback when the kernel
// refuses an extra leg may not give up redundancy (README: "redundancy kept
// until the new leg is in sync").
#include <dmirror/dm/online/online_replace.h>

namespace dmirror::dm {

Status in_place_replace_allowed(const Superblock& sb, uint32_t old_slot, const std::string& kernel_refusal) {
  uint32_t others = 0;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (s != old_slot && sb.legs[s].state == LegState::InSync) ++others;
  const LegState old = old_slot < kMaxLegs ? sb.legs[old_slot].state : LegState::Unused;
  const bool old_current = old == LegState::InSync || old == LegState::Replacing;
  if (!old_current || others >= 2) return ok();
  return make_error(ErrorCode::Unsupported,
                    "the kernel would not add the new leg as an extra slot (" + kernel_refusal +
                        "), and replacing slot " + std::to_string(old_slot) + " in its place would leave " +
                        (others == 0 ? std::string("no in-sync copy") : std::string("a single in-sync copy")) +
                        " of array '" + sb.name + "' while the new leg is rebuilt, which this command never does: "
                        "the replace was undone and slot " + std::to_string(old_slot) + " stays in service. "
                        "Deactivate the volume and run `dmirrorctl replace` offline (it copies while every leg "
                        "stays in sync)");
}

}  // namespace dmirror::dm
