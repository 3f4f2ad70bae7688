// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl status NAME|UUID...|LEG...`: assembles each array (from the
// given legs, or for a name or uuid from the block devices carrying it) with
// the one assembly and shows its health. The exit status ORs the bits of
// every condition that holds (exit_codes.h).
#include "array_args.h"
#include "commands.h"
#include "exit_codes.h"
#include "online_view.h"
#include "status_view.h"

#include <dmirror/assembly.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

// One array: its exit bits, and its document (JSON) or text printed.
int show_one(const Context& ctx, const std::vector<std::string>& paths, Json* doc) {
  auto a = assemble_paths(paths);
  if (!a) return report_error(ctx, "cannot assemble the array", a.error());
  const auto online = probe_online(a->sb);
  if (online) fold_online(*a, *online);   // a leg the kernel failed is failed before the monitor records it
  const int bits = online ? status_exit_bits_online(*a, *online) : health_exit_bits(*a);
  if (ctx.json) {
    *doc = status_json(*a);
    (*doc)["online"] = online ? online_json(*online, a->sb) : Json(nullptr);
    (*doc)["exit_code"] = bits;
  } else {
    print_status_text(*a, ctx.verbose);
    if (online) print_online_text(*online, a->sb);
  }
  return bits;
}

int run_status(const Context& ctx, const std::vector<std::string>& args) {
  auto arrays = arrays_of_args(args);
  if (!arrays) return report_error(ctx, "cannot find the array", arrays.error());
  if (arrays->size() == 1) {
    Json doc;
    const int bits = show_one(ctx, arrays->front(), &doc);
    if (ctx.json && !doc.is_null()) print_json(doc);
    return bits;
  }
  int bits = 0;
  Json all = Json::array();
  for (size_t i = 0; i < arrays->size(); ++i) {
    if (!ctx.json && i > 0) fmt::print("\n");
    Json doc;
    bits |= show_one(ctx, (*arrays)[i], &doc);
    if (!doc.is_null()) {
      doc.erase("output_version");
      all.push_back(std::move(doc));
    }
  }
  if (ctx.json) {
    Json doc = json_envelope();
    doc["arrays"] = all;
    doc["exit_code"] = bits;
    print_json(doc);
  }
  return bits;
}

}  // namespace

Command add_status(CLI::App& app, const Context& ctx) {
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* sub = app.add_subcommand("status", "Show an array's health, assembled from its legs (read-only)");
  sub->add_option("array", *args,
                  "Array names or uuids (searched on block devices), or the paths of one array's legs")
      ->required();
  return {sub, [&ctx, args] { return run_status(ctx, *args); }};
}

}  // namespace dmirror::cli
