// SPDX-License-Identifier: LGPL-2.1-or-later
// The array's spare policy (compat SPARE_POLICY, FORMAT.md 2 and 2.2):
// whether the monitor replaces a failed leg of the active volume by a spare
// of the array on its own (`auto`, the default: md's spare activation, a
// ZFS hot spare) or only reports the failure (`off`: the administrator
// runs the replace). `dmirrorctl set ARRAY --spare-takeover auto|off`.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <string_view>

namespace dmirror {

enum class SparePolicy : uint32_t { Auto = 0, Off = 1 };

/// The policy recorded in `sb`: Auto without the bit; a value this version
/// does not know reads as Off (never take a spare the array may not want).
DMIRROR_EXPORT SparePolicy spare_policy(const Superblock& sb);

/// Records `p` in `sb` (in memory): Off sets the bit and the field, Auto
/// clears both (the bit is carried only when the setting is not the default).
DMIRROR_EXPORT void set_spare_policy(Superblock& sb, SparePolicy p);

/// "auto" or "off": InvalidArgument for anything else.
DMIRROR_EXPORT Result<SparePolicy> parse_spare_policy(std::string_view text);

/// "auto", "off".
DMIRROR_EXPORT std::string_view spare_policy_name(SparePolicy p);

}  // namespace dmirror
