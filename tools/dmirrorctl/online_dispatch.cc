// SPDX-License-Identifier: LGPL-2.1-or-later
// Routing `scrub` and `replace` to the kernel when the array is active.
#include "online_dispatch.h"
#include "online_progress.h"
#include "online_wait.h"

#include "array_lock_cli.h"
#include "exit_codes.h"
#include "online_view.h"
#include "stop_signal.h"

#include <dmirror/block_device.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/online_replace.h>
#include <dmirror/dm/online/online_scrub.h>
#include <dmirror/leg.h>

#include <fmt/format.h>

#include <atomic>
#include <sys/stat.h>
#include <unistd.h>

namespace dmirror::cli {
namespace {


std::optional<uint32_t> parse_slot_number(const std::string& s) {
  if (s.empty() || s.size() > 2 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<uint32_t>(std::stoul(s));
}

}  // namespace

std::optional<std::string> active_volume_of(const std::vector<std::string>& args) {
  auto control = dm::open_dm_control();
  if (!control || args.empty()) return std::nullopt;
  struct stat st {};
  if (args.size() == 1 && args[0].find('/') == std::string::npos && ::stat(args[0].c_str(), &st) != 0) {
    if (dm::find_volume_by_name(**control, args[0])) return args[0];
    return std::nullopt;
  }
  for (const auto& path : args) {
    auto dev = open_device(path, OpenOptions{.writable = false, .direct = false, .exclusive = false});
    if (!dev) continue;
    auto meta = read_leg(**dev);
    if (!meta) continue;
    auto devs = dm::find_array_devices(**control, meta->sb.array_uuid);
    if (devs && devs->top) return devs->top->name;
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<int> try_online_scrub(const Context& ctx, const std::vector<std::string>& args, bool check_only,
                                    const std::string& from, const std::string& offline_only) {
  auto name = active_volume_of(args);
  if (!name) return std::nullopt;
  uint32_t from_slot = kNoSlot;
  if (!from.empty()) {
    if (check_only)
      return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                            "--from chooses the source of a repair; it cannot go with --check-only");
    if (auto n = parse_slot_number(from)) {
      from_slot = *n;
    } else {
      auto dev = open_device(from, OpenOptions{.writable = false, .direct = false, .exclusive = false});
      auto meta = dev ? read_leg(**dev) : Result<LegMetadata>(std::unexpected(dev.error()));
      if (!meta) return report_error(ctx, "invalid --from", meta.error());
      from_slot = meta->sb.slot;
    }
  }
  if (!offline_only.empty())
    return report_failure(ctx, "cannot scrub '" + *name + "' online", ErrorCode::Refused,
                          offline_only + " applies to the offline scrub only; the volume is active. Leave it out, "
                          "or deactivate the volume first");
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot scrub '" + *name + "'", control.error());
  auto held = lock_active_volume(**control, *name);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  const std::atomic<bool>* stop = stop_on_signals();
  dm::OnlineScrubOptions o;
  // The kernel's repair copies from the first readable leg: no evidence, so
  // only on the administrator's explicit --from naming that leg.
  o.repair = from_slot != kNoSlot;
  o.repair_from = from_slot;
  o.cancel = stop;
  OnlineProgress line;
  if (!ctx.json && ::isatty(STDERR_FILENO)) o.progress = [&line](const dm::RaidStatus& s) { line.update(s); };
  auto rep = dm::online_scrub(**control, *name, o);
  if (o.progress) line.finish();
  if (!rep) return report_error(ctx, "online scrub of '" + *name + "' failed", rep.error());
  int bits = 0;
  switch (rep->result) {
    case ScrubResult::Clean: break;
    case ScrubResult::Repaired: bits = kExitCorrected; break;
    case ScrubResult::Mismatches: bits = kExitUncorrected; break;
    case ScrubResult::Interrupted: bits = kExitCancelled; break;
    default: bits = kExitOperational; break;
  }
  // A check command ORs the array's condition bits: a leg the kernel does
  // not hold in sync ('D', 'a', '-') leaves the volume degraded.
  const std::string& legs = rep->final_status.health_chars;
  if (bits != kExitCancelled && legs.find_first_not_of('A') != std::string::npos) bits |= kExitDegraded;
  print_online_scrub(ctx, *rep, o.repair, bits);
  return bits;
}

std::optional<int> try_online_replace(const Context& ctx, const std::vector<std::string>& args,
                                      const std::string& old_leg, const std::string& new_dev, bool force) {
  auto name = active_volume_of(args);
  if (!name) return std::nullopt;
  OnlineRebuildWait wait;
  if (auto failed = wait.begin(ctx, *name, new_dev, "replace a leg of")) return *failed;
  dm::OnlineReplaceOptions o;
  o.force = force;
  o.cancel = wait.cancel();
  o.progress = wait.progress();
  auto rep = dm::online_replace(wait.control(), *name, old_leg, new_dev, o);
  wait.finish();
  if (!rep) return report_error(ctx, "online replace in '" + *name + "' failed", rep.error());
  const int bits = rep->finished ? kExitOk : kExitCancelled;
  if (ctx.json) {
    Json doc = json_envelope();
    doc["online"] = true;
    doc["old_slot"] = rep->old_slot;
    doc["new_slot"] = rep->new_slot;
    doc["resumed"] = rep->resumed;
    doc["already_finished"] = rep->already_finished;
    doc["in_place"] = rep->in_place;
    doc["finished"] = rep->finished;
    doc["steps"] = rep->steps;
    doc["exit_code"] = bits;
    print_json(doc);
  } else {
    for (const auto& s : rep->steps) fmt::print("  {}\n", s);
    if (rep->already_finished)
      fmt::print("{} already serves in sync (slot {}): the replace was finished before\n", new_dev, rep->new_slot);
    else if (rep->finished)
      fmt::print("slot {} replaced by {} (slot {}) online{}\n", rep->old_slot, new_dev, rep->new_slot,
                 rep->in_place ? " in the old leg's place (no redundancy was given up)"
                               : ", the old leg kept in the array until the new one was in sync");
  }
  return bits;
}

}  // namespace dmirror::cli
