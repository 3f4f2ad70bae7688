// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl create NAME LEG LEG...`: plan (every check, nothing written),
// show the plan, confirm (a terminal prompt, or --yes for scripts), write.
#include "commands.h"
#include "confirm.h"
#include "create_view.h"
#include "exit_codes.h"

#include <dmirror/array.h>
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
  std::vector<uint32_t> write_mostly;
  uint32_t max_write_behind = 0;
  std::string min_recovery_rate;
  std::string max_recovery_rate;
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
  if (o.kernel.max_recovery_rate && o.kernel.min_recovery_rate > o.kernel.max_recovery_rate) {
    return make_error(ErrorCode::InvalidArgument, "--min-recovery-rate is above --max-recovery-rate");
  }
  return o;
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
  const std::string what = fmt::format("cannot create array '{}'", args.name);
  auto opts = to_options(args);
  if (!opts) return report_error(ctx, what, opts.error());
  auto plan = plan_create(*opts);
  if (!plan) return report_error(ctx, what, plan.error());

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
        return report_failure(ctx, fmt::format("create '{}'", args.name), ErrorCode::Cancelled,
                              "cancelled; nothing was written");
    }
  }

  set_writing(true);
  auto created = create_array(*plan, *opts);
  set_writing(false);
  if (!created) return report_error(ctx, what, created.error());
  print_created(ctx, *plan, *opts, created->sb, args.no_activate);
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
  sub->add_flag("--no-activate", args->no_activate, "Only write the metadata; do not activate the array");
  return {sub, [&ctx, args] { return run_create(ctx, *args); }};
}

}  // namespace dmirror::cli
