// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl activate NAME|UUID|LEG... [--degraded] [--from LEG] [--re-add]
// [--force]`: assemble the array from its legs (the one assembly, FORMAT.md
// 2.6; image files go on loop devices) and bring it up as /dev/mapper/NAME,
// handing sync state over to the kernel (FORMAT.md §6).
#include "commands.h"
#include "exit_codes.h"
#include "incremental.h"
#include "last_resort.h"
#include "online_activation.h"
#include "online_view.h"

#include <dmirror/dm/online/active_volume.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct ActivateArgs {
  std::vector<std::string> legs;
  bool force = false;
  bool degraded = false;
  bool re_add = false;
  std::string from;
  bool incremental = false;
  bool last_resort = false;
  std::string run_dir = "/run/dmirror";
};

int run_activate(const Context& ctx, const ActivateArgs& a) {
  if (a.last_resort) {
    if (a.legs.size() != 1 || a.incremental || a.degraded || a.force || a.re_add || !a.from.empty())
      return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                            "--last-resort takes exactly one array UUID and none of --incremental, --degraded, "
                            "--force, --from, --re-add");
    return run_last_resort(ctx, a.legs.front(), a.run_dir);
  }
  if (a.incremental) {
    if (a.legs.size() != 1 || a.degraded || a.force || a.re_add || !a.from.empty())
      return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                            "--incremental takes exactly one DEVICE and none of --degraded, --force, --from, --re-add");
    return run_incremental(ctx, a.legs.front(), a.run_dir);
  }
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot activate", control.error());
  auto done = activate_legs(**control, a.legs, dm::ActivateOptions{.degraded = a.degraded, .re_add = a.re_add},
                            a.force, a.from);
  if (!done) return report_error(ctx, "cannot activate the array", done.error());
  print_activated(ctx, done->report, done->sb);
  warn_if_missing(done->report, done->sb);
  return kExitOk;
}

}  // namespace

Command add_activate(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<ActivateArgs>();
  CLI::App* sub = app.add_subcommand("activate", "Bring an array online as /dev/mapper/NAME (device-mapper raid1)");
  sub->add_option("array", a->legs,
                  "Array name or uuid (searched on block devices), or the paths of its legs (image files are put on "
                  "loop devices, detached again by deactivate)")
      ->required();
  sub->add_flag("--degraded", a->degraded,
                "Start even though legs are missing (they are recorded missing, and rebuilt when they return)");
  sub->add_option("--from", a->from,
                  "In a split brain, the leg (slot or path) whose data is kept, as resync --from; the legs that "
                  "diverged from it are rebuilt from it in full. The choice is recorded in the event history");
  sub->add_flag("--re-add", a->re_add,
                "Rebuild a present failed leg in full (as resync --re-add); without it a failed leg is left out");
  sub->add_flag("--force", a->force,
                "When no in-sync leg is present, raise the freshest stale or failed leg to in sync (as mdadm --force; "
                "recorded in the event history). It never settles a split brain: use --from");
  sub->add_flag("--incremental", a->incremental,
                "Record one leg DEVICE (udev) and activate the array once all its legs are present; with legs "
                "missing, schedule --last-resort after the array's degraded timeout (systemd only); a leg of an "
                "array already active is re-added to the live volume (a full copy)");
  sub->add_flag("--last-resort", a->last_resort,
                "Activate array UUID degraded from the legs --incremental recorded, if it is still inactive, has "
                "no split brain and an in-sync leg is present (what the boot timer runs)");
  sub->add_option("--run-dir", a->run_dir, "Where --incremental records legs (under incremental/)")
      ->capture_default_str();
  sub->footer(
      "Stale legs (they missed updates) are rebuilt in full by the kernel and never read before.\n"
      "Exit status: 0 active (a warning on stderr when degraded: legs missing, failed or left out); 2\n"
      "refused because legs are missing (see --degraded); 12 refused: split brain (see --from); 8 any\n"
      "other refusal or failure. A refusal changes nothing on any leg. --last-resort: 0 active (also when\n"
      "it already was); 8 refused (degraded timeout never, no in-sync leg, no leg recorded); 12 split brain.\n"
      "After a crash (the volume was not deactivated) the kernel is told to resync every region its\n"
      "write-intent bitmap marks dirty before the volume is used.");
  return {sub, [&ctx, a] { return run_activate(ctx, *a); }};
}

}  // namespace dmirror::cli
