// SPDX-License-Identifier: LGPL-2.1-or-later
// Rendering of an array's kernel options (see settings_view.h).
#include "settings_view.h"

#include "escape.h"
#include "exit_codes.h"
#include "last_resort_decision.h"
#include "online_view.h"

#include <dmirror/dm/online/handoff.h>
#include <dmirror/boot_policy.h>
#include <dmirror/settings.h>
#include <dmirror/spare_policy.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

std::string slots_text(const Json& slots) {
  std::string s;
  for (const auto& x : slots) s += (s.empty() ? "" : ", ") + std::to_string(x.get<uint32_t>());
  return s.empty() ? std::string("none") : s;
}

}  // namespace

Json settings_json(const Superblock& sb) {
  Json wm = Json::array();
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (sb.legs[s].state != LegState::Unused && sb.legs[s].state != LegState::Removed &&
        (sb.legs[s].flags & legflag::kWriteMostly))
      wm.push_back(s);
  const auto timeout = degraded_timeout(sb);
  return Json{{"write_mostly", wm},
              {"min_recovery_rate", sb.kernel.min_recovery_rate},
              {"max_recovery_rate", sb.kernel.max_recovery_rate},
              {"spare_takeover", std::string(spare_policy_name(spare_policy(sb)))},
              {"degraded_timeout", timeout ? Json(*timeout) : Json(nullptr)}};
}

Json live_settings_json(const dm::Raid1Params& table, const Superblock& sb) {
  const dm::KernelSlotMap map = dm::kernel_slot_map(sb);
  Json wm = Json::array();
  for (uint32_t pos : table.write_mostly)
    if (pos < map.slots.size()) wm.push_back(map.slots[pos]);
  return Json{{"write_mostly", wm},
              {"min_recovery_rate", table.min_recovery_rate.value_or(0)},
              {"max_recovery_rate", table.max_recovery_rate.value_or(0)}};
}

std::string spare_takeover_text(const Superblock& sb) {
  return spare_policy(sb) == SparePolicy::Auto
             ? "take-over auto (the monitor replaces a failed leg by a spare present)"
             : "take-over off (the monitor only reports a failed leg)";
}

std::string recovery_rates_text(uint64_t min_kib, uint64_t max_kib) {
  return fmt::format("min {}, max {} per leg", recovery_rate_text(min_kib), recovery_rate_text(max_kib));
}

void print_settings(const Context& ctx, const Superblock& sb, const std::vector<std::string>& changes,
                    const dm::Raid1Params* live, const dm::RaidStatus* status) {
  if (ctx.json) {
    Json doc = json_envelope();
    doc["array"] = {{"name", sb.name}, {"uuid", sb.array_uuid.str()}};
    doc["online"] = live != nullptr;
    doc["changed"] = !changes.empty();
    doc["changes"] = changes;
    doc["settings"] = settings_json(sb);
    doc["live_table"] = live ? live_settings_json(*live, sb) : Json(nullptr);
    doc["kernel"] = status ? raid_status_json(*status) : Json(nullptr);
    doc["exit_code"] = kExitOk;
    print_json(doc);
    return;
  }
  const std::string name = printable(sb.name);
  if (changes.empty()) fmt::print("array '{}': nothing to change, the settings are already so\n", name);
  for (const auto& c : changes) fmt::print("array '{}': {}\n", name, c);
  const Json now = settings_json(sb);
  fmt::print("Write-mostly: {}\n", slots_text(now["write_mostly"]));
  fmt::print("Recovery:     {}\n", recovery_rates_text(sb.kernel.min_recovery_rate, sb.kernel.max_recovery_rate));
  fmt::print("Spares:       {}\n", spare_takeover_text(sb));
  fmt::print("Degraded boot: {}\n", degraded_boot_text((sb.compat & feature::kCompatBootPolicy) ? sb.degraded_timeout : 0));
  if (live) {
    const Json l = live_settings_json(*live, sb);
    fmt::print("Live table:   write-mostly {}; recovery {}{}\n", slots_text(l["write_mostly"]),
               recovery_rates_text(l["min_recovery_rate"].get<uint64_t>(), l["max_recovery_rate"].get<uint64_t>()),
               status ? fmt::format("; kernel {} {}", status->health_chars, status->action_text) : "");
  }
}

}  // namespace dmirror::cli
