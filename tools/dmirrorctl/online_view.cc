// SPDX-License-Identifier: LGPL-2.1-or-later
// Rendering of online volumes (see online_view.h).
#include "online_view.h"
#include "journal_log.h"

#include "escape.h"
#include "settings_view.h"
#include "exit_codes.h"

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/names.h>

#include <fmt/format.h>

#include <map>
#include <syslog.h>

namespace dmirror::cli {
namespace {

std::string percent(uint64_t done, uint64_t total) {
  if (!total) return "-";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(done) / static_cast<double>(total));
}

std::string slot_text(const dm::OnlineLeg& l) { return l.slot ? std::to_string(*l.slot) : std::string("-"); }

std::string health_word(char c) {
  switch (c) {
    case 'A': return "in_sync";
    case 'a': return "syncing";
    case 'D': return "failed";
    case '-': return "missing";
    default: return "unknown";
  }
}

}  // namespace

std::optional<dm::OnlineStatus> probe_online(const Superblock& sb) {
  auto control = dm::open_dm_control();
  if (!control) return std::nullopt;
  auto st = dm::online_status(**control, sb);
  if (!st || !*st) return std::nullopt;
  return **st;
}

void fold_online(Assembly& a, const dm::OnlineStatus& st) {
  std::map<uint32_t, char> kernel;
  for (const auto& l : st.legs)
    if (l.slot) kernel[*l.slot] = l.health_char;
  apply_kernel_state(a, kernel);
}

int online_exit_bits(const dm::OnlineStatus& st) {
  int bits = st.degraded() ? kExitDegraded : 0;
  if (st.raid.mismatch_count.value_or(0) > 0) bits |= kExitUncorrected;
  return bits;
}

int status_exit_bits_online(const Assembly& a, const dm::OnlineStatus& st) {
  return online_exit_bits(st) | (health_exit_bits(a) & kExitUncorrected);
}

void print_online_text(const dm::OnlineStatus& st, const Superblock& sb) {
  (void)sb;
  const auto& r = st.raid;
  fmt::print("While the volume is active the kernel owns the sync state; the lines below are current.\n");
  fmt::print("Online:      {} ({}), open {}{}\n", st.node, st.dev.str(), st.open_count,
             st.suspended ? ", SUSPENDED" : "");
  fmt::print("Kernel:      {} {}, sync {}/{} sectors ({}), mismatches {}\n", r.health_chars, r.action_text,
             r.sync_progress, r.sync_total, percent(r.sync_progress, r.sync_total),
             r.mismatch_count ? fmt::format("{} sectors ({} bytes)", *r.mismatch_count, st.mismatch_bytes())
                              : std::string("-"));
  for (const auto& l : st.legs)
    fmt::print("  slot {:<2} position {:<2} {} {}{}\n", slot_text(l), l.position, l.health_char,
               health_word(l.health_char), l.write_mostly ? "  write-mostly" : "");
  fmt::print("Live table:  recovery {}\n",
             recovery_rates_text(st.table.min_recovery_rate.value_or(0), st.table.max_recovery_rate.value_or(0)));
}

Json raid_status_json(const dm::RaidStatus& r) {
  Json j;
  j["health_chars"] = r.health_chars;
  j["sync_action"] = r.action_text;
  j["sync_progress"] = r.sync_progress;
  j["sync_total"] = r.sync_total;
  j["in_sync"] = r.fully_in_sync();
  j["mismatch_count"] = r.mismatch_count ? Json(*r.mismatch_count) : Json(nullptr);
  return j;
}

Json online_json(const dm::OnlineStatus& st, const Superblock& sb) {
  (void)sb;
  Json j;
  j["active"] = true;
  j["name"] = st.name;
  j["node"] = st.node;
  j["dev"] = st.dev.str();
  j["open_count"] = st.open_count;
  j["suspended"] = st.suspended;
  j["event_nr"] = st.event_nr;
  j["kernel"] = raid_status_json(st.raid);
  j["mismatch_bytes"] = st.mismatch_bytes();
  j["mismatch_regions"] = st.mismatch_regions();
  Json legs = Json::array();
  for (const auto& l : st.legs) {
    legs.push_back({{"position", l.position},
                    {"slot", l.slot ? Json(*l.slot) : Json(nullptr)},
                    {"health", std::string(1, l.health_char)},
                    {"state", health_word(l.health_char)},
                    {"write_mostly", l.write_mostly}});
  }
  j["legs"] = legs;
  j["table"] = live_settings_json(st.table, sb);
  j["exit_bits"] = online_exit_bits(st);
  return j;
}

void print_activated(const Context& ctx, const dm::ActivateReport& rep, const Superblock& sb) {
  const auto& p = rep.plan;
  if (ctx.json) {
    Json doc = json_envelope();
    doc["activated"] = true;
    doc["name"] = rep.name;
    doc["node"] = rep.node;
    doc["dev"] = rep.dev.str();
    doc["unclean_shutdown"] = rep.unclean;
    doc["first_use"] = p.first_use;
    doc["nosync"] = p.nosync;
    doc["rebuild"] = p.rebuild;
    doc["missing"] = p.missing;
    doc["regions_handed_over"] = p.mark_regions.size();
    doc["notes"] = p.notes;
    doc["kernel"] = rep.status ? raid_status_json(*rep.status) : Json(nullptr);
    doc["exit_code"] = kExitOk;
    print_json(doc);
    return;
  }
  fmt::print("Activated '{}' as {} ({}, {} of {} legs).\n", printable(rep.name), printable(rep.node), format_size(sb.layout.data_size),
             p.map.slots.size() - p.missing.size() - p.left_out.size(), p.map.slots.size());
  if (rep.unclean) fmt::print("The volume had not been deactivated cleanly (crash or power loss).\n");
  for (const auto& n : p.notes) fmt::print("  {}\n", n);
  if (rep.status)
    fmt::print("Kernel:      {} {}, sync {}/{} sectors\n", rep.status->health_chars, rep.status->action_text,
               rep.status->sync_progress, rep.status->sync_total);
}

void warn_if_missing(const dm::ActivateReport& rep, const Superblock& sb) {
  auto list = [](const std::vector<uint32_t>& v) {
    std::string s;
    for (uint32_t x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    return s;
  };
  if (!rep.plan.missing.empty())
    log_stderr(LOG_WARNING, fmt::format("dmirrorctl: warning: array '{}' is active but degraded: slot {} missing. They are rebuilt "
                       "when they return.", printable(sb.name), list(rep.plan.missing)));
  if (!rep.plan.left_out.empty())
    log_stderr(LOG_WARNING, fmt::format("dmirrorctl: warning: array '{}' is active but degraded: slot {} failed and left out. Bring "
                       "them back with `dmirrorctl activate --re-add` or `dmirrorctl replace`.",
               printable(sb.name), list(rep.plan.left_out)));
}

bool warn_if_degraded(const dm::DeactivateReport& rep) {
  // A leg the kernel had dead ('D') or absent ('-') leaves the array
  // degraded; legs only not yet in sync ('a') mean a resync was running.
  const bool leg_down = !rep.imported.failed.empty() || !rep.imported.rebuilding.empty() ||
                        (rep.final_status && rep.final_status->health_chars.find_first_of("D-") != std::string::npos);
  const bool syncing = rep.final_status && !rep.final_status->fully_in_sync();
  if (leg_down || syncing)
    log_stderr(LOG_WARNING, fmt::format("dmirrorctl: warning: '{}' was deactivated while {}; run 'dmirrorctl status' for the legs.",
               printable(rep.name), leg_down ? "degraded" : "a resync was still running"));
  return leg_down || syncing;
}

void print_deactivated(const Context& ctx, const dm::DeactivateReport& rep) {
  if (ctx.json) {
    Json doc = json_envelope();
    doc["deactivated"] = true;
    doc["name"] = rep.name;
    doc["final"] = rep.final_status ? raid_status_json(*rep.final_status) : Json(nullptr);
    doc["failed"] = rep.imported.failed;
    doc["rebuilding"] = rep.imported.rebuilding;
    doc["dirty_regions"] = rep.imported.dirty_regions;
    Json loops = Json::array();
    for (const auto& l : rep.loops) loops.push_back({{"device", l.device}, {"file", l.file}, {"detached", l.detached}});
    doc["loops"] = loops;
    print_json(doc);
    return;
  }
  fmt::print("Deactivated '{}'", printable(rep.name));
  if (rep.final_status) fmt::print("; final kernel status {} {}", rep.final_status->health_chars,
                                   rep.final_status->action_text);
  fmt::print(".\n");
  for (uint32_t s : rep.imported.failed) fmt::print("  slot {} recorded as failed\n", s);
  for (uint32_t s : rep.imported.rebuilding) fmt::print("  slot {} still rebuilding; it resumes at the next activation\n", s);
  for (const auto& n : rep.imported.notes) fmt::print("  {}\n", n);
  for (const auto& l : rep.loops)
    fmt::print("  loop device {} ({}) {}\n", l.device, l.file, l.detached ? "detached" : "left attached");
}

void print_online_scrub(const Context& ctx, const dm::OnlineScrubReport& rep, bool repair, int exit_bits) {
  if (ctx.json) {
    Json doc = json_envelope();
    doc["online"] = true;
    doc["action"] = repair ? "repair" : "check";
    doc["result"] = std::string(scrub_result_name(rep.result));
    doc["regions"] = rep.regions;
    doc["mismatch_sectors"] = rep.mismatch_sectors;
    doc["mismatch_bytes"] = rep.mismatch_bytes;
    doc["mismatch_count"] = rep.mismatch_regions;
    doc["repaired"] = rep.repaired_regions;
    doc["kernel"] = raid_status_json(rep.final_status);
    doc["exit_code"] = exit_bits;
    print_json(doc);
    return;
  }
  fmt::print("online {} {}: {} regions, {} bytes differed ({} sectors, at least {} regions), {} regions repaired\n",
             repair ? "repair" : "check", scrub_result_name(rep.result), rep.regions, rep.mismatch_bytes,
             rep.mismatch_sectors, rep.mismatch_regions, rep.repaired_regions);
  if (rep.result == ScrubResult::Interrupted) fmt::print("interrupted; the kernel's check was stopped\n");
}

}  // namespace dmirror::cli
