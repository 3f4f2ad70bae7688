// SPDX-License-Identifier: LGPL-2.1-or-later
// start_new_leg_run (see new_leg_run.h).
#include "new_leg_run.h"

#include "array_lock_cli.h"
#include "leg_caching.h"
#include "op_support.h"

#include <dmirror/names.h>
#include <dmirror/probe.h>

namespace dmirror::cli {

std::variant<NewLegRun, int> start_new_leg_run(const Context& ctx, const std::vector<std::string>& current,
                                               const std::string& new_dev, bool force, const std::string& max_rate) {
  std::vector<std::string> locked = current;
  locked.push_back(new_dev);
  auto held = lock_array_at(locked);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  if (!force) {
    auto sigs = probe_signatures(new_dev);
    if (sigs && !sigs->empty())
      return report_failure(ctx, "refusing to use " + new_dev, ErrorCode::ForeignSignature,
                            new_dev + " carries " + sigs->front().describe() + ". Wipe it or use --force");
  }
  auto legs = open_legs(current, offline_leg_options(true));
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  auto fresh = open_legs({new_dev}, offline_leg_options(true));
  if (!fresh) return report_error(ctx, "cannot open the new leg", fresh.error());
  note_leg_caching(ctx, {&*legs, &*fresh});
  ReplaceOptions o;
  o.force = force;
  if (!max_rate.empty()) {
    auto rate = parse_size(max_rate);
    if (!rate) return report_error(ctx, "invalid --max-rate", rate.error());
    o.control.max_rate = [r = *rate] { return r; };
  }
  o.control.progress = progress_printer(ctx);
  o.control.cancel = install_cancel_handler();
  return NewLegRun{std::move(*held), std::move(*legs), std::move(*fresh), std::move(o)};
}

}  // namespace dmirror::cli
