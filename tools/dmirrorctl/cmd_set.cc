// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl set NAME|LEG... [--write-mostly LEG] [--no-write-mostly LEG]
// [--min-recovery-rate RATE] [--max-recovery-rate RATE]
// [--spare-takeover auto|off] [--degraded-timeout SECONDS|never|default]`:
// the kernel options of an existing array (lvchange --writemostly PV:y|n,
// --minrecoveryrate, --maxrecoveryrate) and our own policies (spare
// take-over, boot's degraded timeout). Offline: one superblock commit under
// the array lock. Online: the raid table is reloaded with the new kernel
// options, read back, and the change recorded; our own policies alone are
// one commit, no reload (online_settings.h). Exit status: 0 changed or
// nothing to change, 8 error or refusal, 16 usage.
#include "array_lock_cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "leg_caching.h"
#include "online_dispatch.h"
#include "op_support.h"
#include "settings_view.h"

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/online_settings.h>
#include <dmirror/boot_policy.h>
#include <dmirror/names.h>
#include <dmirror/settings.h>
#include <dmirror/spare_policy.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct SetArgs {
  std::vector<std::string> legs;
  std::vector<std::string> write_mostly, not_write_mostly;
  std::string min_recovery_rate, max_recovery_rate;
  std::string spare_takeover, degraded_timeout;
  bool degraded = false;
};

// A RATE per second and per leg ("50M"), in KiB/s; "0" unsets it.
Result<std::optional<uint64_t>> parse_recovery_rate(const std::string& text, const char* option) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return uint64_t{0};
  auto bytes = parse_size(text);
  if (!bytes) return make_error(ErrorCode::InvalidArgument, std::string(option) + ": " + bytes.error().message);
  if (*bytes < 1024)
    return make_error(ErrorCode::InvalidArgument, std::string(option) + " " + text +
                                                      ": the kernel counts recovery rates in KiB per second; give "
                                                      "at least 1K, or 0 for the kernel's default");
  return *bytes / 1024;
}

Result<SettingsChange> to_change(const SetArgs& a, const std::vector<std::string>& paths) {
  SettingsChange c;
  for (const auto& [list, on] : {std::pair{&a.write_mostly, true}, std::pair{&a.not_write_mostly, false}})
    for (const auto& text : *list) {
      auto slot = parse_leg_choice(text, paths);
      if (!slot)
        return make_error(slot.error().code, std::string(on ? "--write-mostly " : "--no-write-mostly ") + text +
                                                 ": " + slot.error().message);
      c.write_mostly.emplace_back(*slot, on);
    }
  DMIRROR_ASSIGN_OR_RETURN(c.min_recovery_rate, parse_recovery_rate(a.min_recovery_rate, "--min-recovery-rate"));
  DMIRROR_ASSIGN_OR_RETURN(c.max_recovery_rate, parse_recovery_rate(a.max_recovery_rate, "--max-recovery-rate"));
  if (!a.spare_takeover.empty()) {
    auto p = parse_spare_policy(a.spare_takeover);
    if (!p) return make_error(p.error().code, "--spare-takeover: " + p.error().message);
    c.spare_takeover = *p;
  }
  if (!a.degraded_timeout.empty()) {
    auto t = parse_degraded_timeout(a.degraded_timeout);
    if (!t) return make_error(t.error().code, "--degraded-timeout: " + t.error().message);
    c.degraded_timeout = *t;
  }
  return c;
}

// The leg devices under the active volume NAME (what --write-mostly LEG
// names online: the offline search refuses an active array).
Result<std::vector<std::string>> live_leg_paths(const std::string& name) {
  DMIRROR_ASSIGN_OR_RETURN(auto control, dm::open_online_control());
  DMIRROR_ASSIGN_OR_RETURN(auto parsed, dm::find_volume_by_name(*control, name));
  DMIRROR_ASSIGN_OR_RETURN(auto devs, dm::volume_leg_devices(*control, parsed.array_uuid));
  std::vector<std::string> paths;
  for (const auto& [slot, dev] : devs) {
    DMIRROR_ASSIGN_OR_RETURN(std::string path, dm::block_device_path(dev));
    paths.push_back(std::move(path));
  }
  return paths;
}

// --degraded does not apply: the online commit writes the legs of the live
// table, and activation already recorded any absent one missing.
int run_online(const Context& ctx, const std::string& name, const SettingsChange& change) {
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot change the settings of '" + name + "'", control.error());
  auto held = lock_active_volume(**control, name);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto rep = dm::online_settings(**control, name, change);
  if (!rep) return report_error(ctx, "cannot change the settings of '" + name + "'", rep.error());
  print_settings(ctx, rep->sb, rep->changes, &rep->table, &rep->status);
  return kExitOk;
}

int run_set(const Context& ctx, const SetArgs& a) {
  if (a.write_mostly.empty() && a.not_write_mostly.empty() && a.min_recovery_rate.empty() &&
      a.max_recovery_rate.empty() && a.spare_takeover.empty() && a.degraded_timeout.empty())
    return report_failure(ctx, "nothing to set", ErrorCode::InvalidArgument,
                          "give --write-mostly, --no-write-mostly, --min-recovery-rate, --max-recovery-rate, "
                          "--spare-takeover or --degraded-timeout (dmirrorctl set --help)");
  if (auto name = active_volume_of(a.legs)) {
    auto paths = live_leg_paths(*name);
    if (!paths) return report_error(ctx, "cannot find the legs of '" + *name + "'", paths.error());
    auto change = to_change(a, *paths);
    if (!change) return report_error(ctx, "invalid command line", change.error());
    return run_online(ctx, *name, *change);
  }
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  auto change = to_change(a, *paths);
  if (!change) return report_error(ctx, "invalid command line", change.error());
  auto held = lock_array_at(*paths);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto legs = open_legs(*paths, offline_leg_options(true));
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  set_writing(true);
  auto r = change_settings(legs->devices(), *change, a.degraded);
  set_writing(false);
  if (!r) return report_error(ctx, "cannot change the settings", r.error());
  print_settings(ctx, r->sb, r->changes, nullptr, nullptr);
  if (!r->changes.empty()) warn_if_degraded(*paths);
  return kExitOk;
}

}  // namespace

Command add_set(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<SetArgs>();
  CLI::App* sub = app.add_subcommand(
      "set", "Change an array's settings: write-mostly legs, recovery rates, spare take-over, degraded timeout");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_option("--write-mostly", a->write_mostly,
                  "Mark this leg (slot or path) write-mostly: read only when no other leg can serve (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--no-write-mostly", a->not_write_mostly,
                  "Serve reads from this leg (slot or path) again (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--min-recovery-rate", a->min_recovery_rate,
                  "Minimum resync/recover rate per leg, per second (e.g. 10M; 0: kernel default)");
  sub->add_option("--max-recovery-rate", a->max_recovery_rate,
                  "Maximum resync/recover rate per leg, per second (e.g. 200M; 0: kernel default)");
  sub->add_option("--spare-takeover", a->spare_takeover,
                  "auto: the monitor replaces a failed leg by a spare of the array present (the default, as md's "
                  "spares and ZFS hot spares); off: it only reports the failure");
  sub->add_option("--degraded-timeout", a->degraded_timeout,
                  "Seconds boot waits for missing legs before activating the array degraded; never: boot starts "
                  "it only with every leg; default: 30");
  sub->add_flag("--degraded", a->degraded,
                "Offline: change the settings even though a leg is missing (it is recorded missing and recovered "
                "when it returns)");
  sub->footer(
      "The settings are kept in every leg's superblock and passed to the kernel at every activation.\n"
      "On an active volume the raid table is reloaded with them (the volume keeps serving I/O; the kernel\n"
      "keeps its sync state, nothing is resynced) and read back before they are recorded. Offline they are\n"
      "written to the superblocks under the array lock; with a member absent that is refused unless\n"
      "--degraded. A leg of any state but removed may be marked write-mostly; every in-sync leg\n"
      "write-mostly is refused (nothing could serve reads). A rate takes the suffixes of a SIZE (K, M, G);\n"
      "the kernel counts KiB per second per leg. --spare-takeover and --degraded-timeout are not kernel\n"
      "options: on an active volume they are recorded without a table reload. Exit status: 0 changed\n"
      "(or already so), 8 error or refusal (nothing written), 16 usage.");
  return {sub, [&ctx, a] { return run_set(ctx, *a); }};
}

}  // namespace dmirror::cli
