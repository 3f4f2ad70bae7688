// SPDX-License-Identifier: LGPL-2.1-or-later
// The last-resort degraded activation (see last_resort.h).
#include "last_resort.h"

#include "escape.h"
#include "exit_codes.h"
#include "incremental.h"
#include "online_activation.h"
#include "online_view.h"

#include <dmirror/boot_policy.h>
#include <dmirror/dm/online/active_volume.h>

#include <fmt/format.h>

namespace dmirror::cli {

int run_last_resort(const Context& ctx, const std::string& uuid_text, const std::string& run_dir) {
  auto uuid = parse_uuid(uuid_text);
  if (!uuid)
    return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                          "--last-resort takes the array's uuid (as in the timer's name), not '" +
                              printable(uuid_text) + "'");
  // Already active (all legs came, or someone activated it): nothing to do.
  // Without device-mapper the decision below is still made and reported.
  auto control = dm::open_online_control();
  std::optional<std::string> active;
  if (control)
    if (auto devs = dm::find_array_devices(**control, *uuid); devs && devs->top) active = devs->top->name;
  if (active) {
    fmt::print(stderr, "array {} is already active as /dev/mapper/{}: nothing to do\n", uuid->str(),
               printable(*active));
    if (ctx.json) {
      Json doc = json_envelope();
      doc["last_resort"] = {{"uuid", uuid->str()}, {"activated", false}, {"already_active", true}, {"legs", Json::array()}};
      doc["exit_code"] = kExitOk;
      print_json(doc);
    }
    return kExitOk;
  }
  const auto legs = recorded_legs(run_dir, *uuid);
  if (legs.empty())
    return report_failure(ctx, "cannot activate array " + uuid->str(), ErrorCode::NotFound,
                          "no leg of it is recorded under " + run_dir + "/incremental/" + uuid->str() +
                              " (incremental assembly records them at boot); name its legs: "
                              "`dmirrorctl activate --degraded LEG...`");
  std::vector<std::string> paths;
  for (const auto& [slot, leg] : legs) paths.push_back(leg.path);
  auto a = assemble_paths(paths);
  if (!a) return report_error(ctx, "cannot assemble array " + uuid->str(), a.error());
  const LastResortDecision d = decide_last_resort(*a);
  if (d.verdict != LastResortVerdict::Activate)
    return report_failure(ctx, "last-resort activation of array " + uuid->str() + " refused", d.code, d.why);
  if (!control) return report_error(ctx, "last-resort activation of array " + uuid->str() + " failed", control.error());
  auto done = activate_legs(**control, paths, dm::ActivateOptions{.degraded = true}, false);
  if (!done) return report_error(ctx, "last-resort activation of array " + uuid->str() + " failed", done.error());
  if (ctx.json) {
    Json doc = json_envelope();
    doc["last_resort"] = {{"uuid", uuid->str()}, {"activated", true}, {"already_active", false}, {"legs", paths}};
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else {
    print_activated(ctx, done->report, done->sb);
  }
  warn_if_missing(done->report, done->sb);
  return kExitOk;
}

}  // namespace dmirror::cli
