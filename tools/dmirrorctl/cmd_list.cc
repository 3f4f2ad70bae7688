// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl list [FILE...]`: every dmirror leg on the host's block devices
// plus the given image files, grouped by array: one line per array (name,
// uuid, legs found/expected, health) and its legs below. Exit status: the
// health bits of all arrays ORed together.
#include "colour.h"
#include "commands.h"
#include "exit_codes.h"
#include "status_view.h"

#include <dmirror/array.h>

#include <fmt/format.h>

#include <map>

namespace dmirror::cli {
namespace {

void print_array_text(const ArrayView& v) {
  fmt::print("{:<20} {:<36}  {:>2}/{:<2}  {}\n", v.sb.name, v.sb.array_uuid.str(), slots_found(v),
             slots_expected(v), paint_health(health_name(v.health)));
  for (uint32_t s = 0; s < v.sb.nr_legs; ++s) {
    if (v.sb.legs[s].state == LegState::Unused) continue;
    std::string path = slot_path(v, s);
    fmt::print("  slot {:<2} {:<30} {}\n", s, path.empty() ? "-" : path, paint_health(slot_state(v, s)));
  }
}

Json array_json(const ArrayView& v) {
  Json j{{"name", v.sb.name},
         {"uuid", v.sb.array_uuid.str()},
         {"health", std::string(health_name(v.health))},
         {"legs_found", slots_found(v)},
         {"legs_expected", slots_expected(v)},
         {"seqno", v.sb.seqno},
         {"data_size", v.sb.layout.data_size}};
  Json legs = Json::array();
  for (uint32_t s = 0; s < v.sb.nr_legs; ++s) {
    if (v.sb.legs[s].state == LegState::Unused) continue;
    std::string path = slot_path(v, s);
    legs.push_back({{"slot", s},
                    {"path", path.empty() ? Json(nullptr) : Json(path)},
                    {"state", slot_state(v, s)},
                    {"uuid", v.sb.legs[s].uuid.str()}});
  }
  j["legs"] = legs;
  return j;
}

int run_list(const Context& ctx, const std::vector<std::string>& files) {
  auto found = scan_legs(files);
  if (!found) return report_error(ctx, "cannot list arrays", found.error());
  std::map<Uuid, std::vector<std::string>> groups;
  for (const auto& f : *found) groups[f.meta.sb.array_uuid].push_back(f.path);

  int bits = 0;
  Json arrays = Json::array();
  if (!ctx.json && !groups.empty()) {
    fmt::print("{:<20} {:<36}  {:>5}  {}\n", "NAME", "UUID", "LEGS", "HEALTH");
  }
  for (const auto& [uuid, paths] : groups) {
    auto view = assemble(paths);
    if (!view) {
      bits |= report_error(ctx, fmt::format("cannot assemble array {}", uuid.str()), view.error());
      continue;
    }
    bits |= health_exit_bits(*view);
    if (ctx.json) arrays.push_back(array_json(*view));
    else print_array_text(*view);
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
