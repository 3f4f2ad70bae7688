// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl create NAME LEG LEG...`: plan (every check, nothing written),
// show the plan, confirm (a terminal prompt, or --yes for scripts), write,
// then activate the new array as /dev/mapper/NAME unless --no-activate.
//
// Where device-mapper is not available the array is still formatted (the
// offline commands work without it) and the user is told to activate it
// later; the exit status is then 0. Only an explicit --activate makes the
// missing device-mapper an error, and that is checked before anything is
// written ("refusals write nothing").
#include "commands.h"
#include "confirm.h"
#include "escape.h"
#include "create_view.h"
#include "exit_codes.h"
#include "array_lock_cli.h"
#include "online_activation.h"
#include "online_view.h"

#include <dmirror/dm/online/active_volume.h>

#include <dmirror/array.h>
#include <dmirror/boot_policy.h>
#include <dmirror/names.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct CreateArgs {
  std::string name;
  std::vector<std::string> legs;
  std::string region_size;
  bool assume_clean = false;
  bool force = false;
  bool yes = false;
  bool no_activate = false;
  bool activate = false;
  std::vector<uint32_t> write_mostly;
  uint32_t max_write_behind = 0;
  std::string min_recovery_rate;
  std::string max_recovery_rate;
  std::string degraded_timeout;
};

// A rate "50M" (per second, per leg) in KiB/s.
Result<uint64_t> parse_rate(const std::string& text, const char* option) {
  if (text.empty()) return 0;
  auto bytes = parse_size(text);
  if (!bytes) return make_error(ErrorCode::InvalidArgument, std::string(option) + ": " + bytes.error().message);
  return *bytes / 1024;
}

Result<CreateOptions> to_options(const CreateArgs& a) {
  CreateOptions o;
  o.name = a.name;
  o.legs = a.legs;
  o.assume_clean = a.assume_clean;
  o.force = a.force;
  o.write_mostly = a.write_mostly;
  o.kernel.max_write_behind = a.max_write_behind;
  if (!a.region_size.empty()) {
    auto rs = parse_size(a.region_size);
    if (!rs) return make_error(ErrorCode::InvalidArgument, "--region-size: " + rs.error().message);
    o.region_size = *rs;
  }
  DMIRROR_ASSIGN_OR_RETURN(o.kernel.min_recovery_rate, parse_rate(a.min_recovery_rate, "--min-recovery-rate"));
  DMIRROR_ASSIGN_OR_RETURN(o.kernel.max_recovery_rate, parse_rate(a.max_recovery_rate, "--max-recovery-rate"));
  if (!a.degraded_timeout.empty()) {
    auto t = parse_degraded_timeout(a.degraded_timeout);
    if (!t) return make_error(ErrorCode::InvalidArgument, "--degraded-timeout: " + t.error().message);
    o.degraded_timeout = *t;
  }
  if (o.kernel.max_recovery_rate && o.kernel.min_recovery_rate > o.kernel.max_recovery_rate) {
    return make_error(ErrorCode::InvalidArgument, "--min-recovery-rate is above --max-recovery-rate");
  }
  return o;
}

std::string leg_list_args(const std::vector<std::string>& legs) {
  std::string out;
  for (const auto& l : legs) out += (out.empty() ? "" : " ") + l;
  return out;
}

std::string leg_list(const std::vector<std::string>& legs) {
  std::string out;
  for (size_t i = 0; i < legs.size(); ++i) {
    if (i > 0) out += i + 1 == legs.size() ? " and " : ", ";
    out += legs[i];
  }
  return out;
}

int run_create(const Context& ctx, const CreateArgs& args) {
  const std::string what = fmt::format("cannot create array '{}'", printable(args.name));
  auto opts = to_options(args);
  if (!opts) return report_error(ctx, what, opts.error());
  auto held = lock_new_legs(opts->legs);  // until the metadata is written
  if (!held) return report_error(ctx, what, held.error());
  auto plan = plan_create(*opts);
  if (!plan) return report_error(ctx, what, plan.error());
  opts->array_uuid = random_uuid();
  if (auto st = held->lock_array(opts->array_uuid, opts->name); !st) return report_error(ctx, what, st.error());
  // Device-mapper is probed before anything is written: an explicit
  // --activate that cannot be honoured is a refusal.
  Result<std::unique_ptr<dm::DmControl>> control =
      make_error(ErrorCode::Unsupported, "not activated (--no-activate)");
  if (!args.no_activate) control = dm::open_online_control();
  if (args.activate && !control) return report_error(ctx, what + "; nothing was written", control.error());

  if (!ctx.json) print_plan(*plan, *opts);
  if (!args.yes) {
    switch (ask_yes(fmt::format("Type 'yes' to overwrite the metadata of {}: ", leg_list(opts->legs)))) {
      case Answer::Yes: break;
      case Answer::NoTerminal:
        return report_failure(ctx, what, ErrorCode::InvalidArgument,
                              "confirmation needed but standard input is not a terminal; nothing was written. "
                              "Use --yes to confirm in scripts");
      case Answer::No:
      case Answer::Interrupted:
        return report_failure(ctx, fmt::format("create '{}'", printable(args.name)), ErrorCode::Cancelled,
                              "cancelled; nothing was written");
    }
  }

  set_writing(true);
  auto created = create_array(*plan, *opts);
  set_writing(false);
  held->release();   // activation takes the lock itself
  if (!created) return report_error(ctx, what, created.error());
  if (args.no_activate) {
    print_created(ctx, *plan, *opts, created->sb, false, "Not activated (--no-activate).", nullptr);
    return interrupted() ? kExitCancelled : kExitOk;
  }
  const std::string later = fmt::format("Activate it later with 'dmirrorctl activate {}'.", leg_list_args(args.legs));
  if (!control) {
    print_created(ctx, *plan, *opts, created->sb, false,
                  "The array is formatted but not activated: " + control.error().message + ". " + later, nullptr);
    return interrupted() ? kExitCancelled : kExitOk;
  }
  auto active = activate_legs(**control, args.legs, dm::ActivateOptions{}, false);
  if (!active) {
    print_created(ctx, *plan, *opts, created->sb, false, "The array is formatted but not activated.", nullptr);
    return report_error(ctx, fmt::format("array '{}' was created, but activating it failed", printable(args.name)),
                        active.error());
  }
  Json activation = {{"node", active->report.node}, {"dev", active->report.dev.str()},
                     {"notes", active->report.plan.notes}};
  if (active->report.status) activation["kernel"] = raid_status_json(*active->report.status);
  print_created(ctx, *plan, *opts, created->sb, true, {}, activation);
  if (!ctx.json) print_activated(ctx, active->report, active->sb);
  return interrupted() ? kExitCancelled : kExitOk;
}

}  // namespace

Command add_create(CLI::App& app, const Context& ctx) {
  auto args = std::make_shared<CreateArgs>();
  CLI::App* sub = app.add_subcommand("create", "Create a mirror: write dmirror metadata to every leg");
  sub->add_option("name", args->name, "Array name (1-63 of A-Z a-z 0-9 # + - . : = @ _)")->required();
  sub->add_option("legs", args->legs, "Block devices or image files, 2 to 16; slot numbers follow this order")
      ->required();
  sub->add_option("--region-size", args->region_size,
                  "Bytes of data per journal bit, a power of two (default 4M, more for huge legs)");
  sub->add_flag("--assume-clean", args->assume_clean,
                "The legs are known to be identical (e.g. all zero): skip the initial resync");
  sub->add_flag("--force", args->force,
                "Overwrite legs carrying a file system, RAID member, partition table or dmirror metadata");
  sub->add_flag("-y,--yes", args->yes, "Do not ask for confirmation (needed when stdin is not a terminal)");
  sub->add_option("--write-mostly", args->write_mostly,
                  "Slot to read from only when no other leg can serve (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--max-write-behind", args->max_write_behind,
                  "Writes allowed outstanding to write-mostly legs (kernel option)");
  sub->add_option("--min-recovery-rate", args->min_recovery_rate,
                  "Minimum resync/recover rate per leg, per second (e.g. 10M)");
  sub->add_option("--max-recovery-rate", args->max_recovery_rate,
                  "Maximum resync/recover rate per leg, per second (e.g. 200M)");
  sub->add_option("--degraded-timeout", args->degraded_timeout,
                  "Seconds boot waits for missing legs before activating the array degraded (default 30, as "
                  "mdadm's last-resort timer), or 'never' (boot then activates it only with every leg)");
  sub->add_flag("--no-activate", args->no_activate, "Only write the metadata; do not activate the array");
  sub->add_flag("--activate", args->activate,
                "Fail (writing nothing) when the array cannot be activated because device-mapper is missing")
      ->excludes("--no-activate");
  sub->footer(
      "By default the new array is activated as /dev/mapper/NAME (image files are put on loop devices).\n"
      "Where device-mapper is not available the array is still formatted and the command succeeds;\n"
      "activate it later with 'dmirrorctl activate'. With --activate that case is an error and nothing\n"
      "is written. If activation fails after formatting, the exit status is 8 and the array stays formatted.");
  return {sub, [&ctx, args] { return run_create(ctx, *args); }};
}

}  // namespace dmirror::cli
