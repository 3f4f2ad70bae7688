// SPDX-License-Identifier: LGPL-2.1-or-later
// The spare policy's reader, writer and parser (see spare_policy.h).
#include <dmirror/spare_policy.h>

#include <string>

namespace dmirror {

SparePolicy spare_policy(const Superblock& sb) {
  if (!(sb.compat & feature::kCompatSparePolicy) || sb.spare_takeover == 0) return SparePolicy::Auto;
  return SparePolicy::Off;
}

void set_spare_policy(Superblock& sb, SparePolicy p) {
  if (p == SparePolicy::Auto) {
    sb.compat &= ~feature::kCompatSparePolicy;
    sb.spare_takeover = 0;
  } else {
    sb.compat |= feature::kCompatSparePolicy;
    sb.spare_takeover = static_cast<uint32_t>(p);
  }
}

Result<SparePolicy> parse_spare_policy(std::string_view text) {
  if (text == "auto") return SparePolicy::Auto;
  if (text == "off") return SparePolicy::Off;
  return make_error(ErrorCode::InvalidArgument,
                    "spare take-over '" + std::string(text) +
                        "' is not valid: give 'auto' (the monitor replaces a failed leg by a spare of the array "
                        "present) or 'off' (it only reports the failure)");
}

std::string_view spare_policy_name(SparePolicy p) { return p == SparePolicy::Auto ? "auto" : "off"; }

}  // namespace dmirror
