// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl list [FILE...]`: every dmirror leg on the host's block devices
// plus the given image files, grouped by array and sorted by name (then
// uuid): one line per array (name, uuid, legs found/expected, usable size,
// how much is in sync, health, as lvs shows them) and its legs below, each
// array assembled by the one assembly. Exit status: the condition bits of
// all arrays ORed together.
#include "colour.h"
#include "commands.h"
#include "exit_codes.h"
#include "online_view.h"
#include "status_view.h"

#include <dmirror/array.h>
#include <dmirror/assembly.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

namespace dmirror::cli {
namespace {

int run_list(const Context& ctx, const std::vector<std::string>& files) {
  auto found = scan_legs(files);
  if (!found) return report_error(ctx, "cannot list arrays", found.error());
  std::map<Uuid, std::vector<std::string>> groups;
  for (const auto& f : *found) groups[f.meta.sb.array_uuid].push_back(f.path);

  int bits = 0;
  Json arrays = Json::array();
  std::vector<Assembly> assembled;
  std::vector<std::optional<dm::OnlineStatus>> online_of;   // by position in `assembled`, before sorting
  for (const auto& [uuid, paths] : groups) {
    auto a = assemble_paths(paths);
    if (!a) {
      bits |= report_error(ctx, fmt::format("cannot assemble array {}", uuid.str()), a.error());
      continue;
    }
    auto online = probe_online(a->sb);
    if (online) fold_online(*a, *online);
    assembled.push_back(std::move(*a));
    online_of.push_back(std::move(online));
  }
  // By name, then uuid (two arrays may carry one name), as lvs sorts.
  std::vector<size_t> order(assembled.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    const Assembly& x = assembled[i];
    const Assembly& y = assembled[j];
    return std::pair(std::string_view(x.sb.name), x.sb.array_uuid.str()) <
           std::pair(std::string_view(y.sb.name), y.sb.array_uuid.str());
  });
  if (!ctx.json && !assembled.empty()) print_listed_header();
  for (size_t i : order) {
    const Assembly& a = assembled[i];
    // An active volume: the exit bits status gives it (the kernel's sync state).
    bits |= online_of[i] ? status_exit_bits_online(a, *online_of[i]) : health_exit_bits(a);
    if (ctx.json) arrays.push_back(listed_json(a));
    else print_listed_text(a);
  }
  if (ctx.json) {
    Json doc = json_envelope();
    doc["arrays"] = arrays;
    doc["exit_code"] = bits;
    print_json(doc);
  } else if (groups.empty()) {
    fmt::print("No dmirror legs found.\n");
  }
  return bits;
}

}  // namespace

Command add_list(CLI::App& app, const Context& ctx) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* sub = app.add_subcommand("list", "List the arrays found on block devices and given files (read-only)");
  sub->add_option("files", *files, "Image files to look at besides the block devices");
  return {sub, [&ctx, files] { return run_list(ctx, *files); }};
}

}  // namespace dmirror::cli
