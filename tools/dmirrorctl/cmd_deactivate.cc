// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl deactivate NAME`: take an online volume down cleanly and give
// sync state back to our metadata (FORMAT.md §6).
#include "array_lock_cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "online_view.h"

#include <dmirror/dm/online/active_volume.h>

#include <optional>

namespace dmirror::cli {
namespace {

int run_deactivate(const Context& ctx, const std::string& name) {
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot deactivate '" + name + "'", control.error());
  auto held = lock_active_volume(**control, name);   // none found: deactivate_array reports it (or cleans up)
  if (!held) return report_error(ctx, "cannot deactivate '" + name + "'", held.error());
  auto rep = dm::deactivate_array(**control, name);
  if (!rep) return report_error(ctx, "cannot deactivate '" + name + "'", rep.error());
  print_deactivated(ctx, *rep);
  warn_if_degraded(*rep);
  return kExitOk;
}

}  // namespace

Command add_deactivate(CLI::App& app, const Context& ctx) {
  auto name = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("deactivate", "Take an online volume down cleanly (it must not be in use)");
  sub->add_option("name", *name, "The volume's name (as in /dev/mapper/NAME)")->required();
  sub->footer(
      "Exit status: 0 done (a warning on stderr when the array is left degraded or not fully in sync), 8\n"
      "refused (in use) or failed.\n"
      "Loop devices that activate attached for image files are detached.");
  return {sub, [&ctx, name] { return run_deactivate(ctx, *name); }};
}

}  // namespace dmirror::cli
