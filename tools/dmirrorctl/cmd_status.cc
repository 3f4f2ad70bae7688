// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl status NAME|LEG...`: assembles the array from the given legs
// (or, for a name, from the block devices carrying it) and shows its health.
// The exit status carries the health bits (2 degraded, 4 inconsistent).
#include "commands.h"
#include "exit_codes.h"
#include "online_view.h"
#include "status_view.h"

#include <dmirror/array.h>

#include <fmt/format.h>

#include <set>
#include <sys/stat.h>

namespace dmirror::cli {
namespace {

bool looks_like_name(const std::string& arg) {
  struct stat st {};
  return arg.find('/') == std::string::npos && ::stat(arg.c_str(), &st) != 0;
}

Result<std::vector<std::string>> legs_of_name(const std::string& name) {
  DMIRROR_ASSIGN_OR_RETURN(auto found, scan_legs({}));
  std::vector<std::string> paths;
  std::set<Uuid> arrays;
  for (const auto& f : found) {
    if (f.meta.sb.name != name) continue;
    paths.push_back(f.path);
    arrays.insert(f.meta.sb.array_uuid);
  }
  if (paths.empty()) {
    return make_error(ErrorCode::NotFound, "no block device carries a leg of array '" + name +
                                               "'. Image files are not scanned: give the leg paths instead");
  }
  if (arrays.size() > 1) {
    std::string uuids;
    for (const auto& u : arrays) uuids += (uuids.empty() ? "" : ", ") + u.str();
    return make_error(ErrorCode::InvalidArgument, "several arrays are named '" + name + "' (uuids " + uuids +
                                                      "); give the leg paths of the one you mean");
  }
  return paths;
}

int run_status(const Context& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> paths = args;
  if (args.size() == 1 && looks_like_name(args[0])) {
    auto found = legs_of_name(args[0]);
    if (!found) return report_error(ctx, fmt::format("cannot find array '{}'", args[0]), found.error());
    paths = *found;
  }
  auto view = assemble(paths);
  if (!view) return report_error(ctx, "cannot assemble the array", view.error());
  const auto online = probe_online(view->sb);
  const int bits = online ? status_exit_bits_online(*view, *online) : health_exit_bits(*view);
  if (ctx.json) {
    Json doc = status_json(*view);
    doc["online"] = online ? online_json(*online, view->sb) : Json(nullptr);
    doc["exit_code"] = bits;
    print_json(doc);
  } else {
    print_status_text(*view, ctx.verbose);
    if (online) print_online_text(*online, view->sb);
  }
  return bits;
}

}  // namespace

Command add_status(CLI::App& app, const Context& ctx) {
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* sub = app.add_subcommand("status", "Show an array's health, assembled from its legs (read-only)");
  sub->add_option("array", *args, "Array name (searched on block devices), or the paths of its legs")->required();
  return {sub, [&ctx, args] { return run_status(ctx, *args); }};
}

}  // namespace dmirror::cli
