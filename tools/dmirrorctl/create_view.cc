// SPDX-License-Identifier: LGPL-2.1-or-later
// Rendering of the create plan and of the created array.
#include "create_view.h"

#include "escape.h"
#include "last_resort_decision.h"
#include "json_model.h"

#include <dmirror/names.h>

#include <fmt/format.h>

#include <algorithm>

namespace dmirror::cli {
namespace {

bool is_write_mostly(const CreateOptions& opts, size_t slot) {
  return std::find(opts.write_mostly.begin(), opts.write_mostly.end(), slot) != opts.write_mostly.end();
}

}  // namespace

void print_plan(const CreatePlan& plan, const CreateOptions& opts) {
  fmt::print("Array '{}' with {} legs:\n", printable(opts.name), plan.legs.size());
  size_t width = 0;
  for (const auto& l : plan.legs) width = std::max(width, l.path.size());
  for (size_t i = 0; i < plan.legs.size(); ++i) {
    const LegCheck& l = plan.legs[i];
    fmt::print("  slot {:<2} {:<{}}  {:>10}{}\n", i, l.path, width, format_size(l.size),
               is_write_mostly(opts, i) ? "  write-mostly" : "");
  }
  fmt::print("Usable size:   {} ({} bytes; data starts at {} on every leg)\n", format_size(plan.layout.data_size),
             plan.layout.data_size, format_size(plan.layout.data_offset));
  fmt::print("Region size:   {} ({} regions)\n", format_size(plan.region_size), plan.nr_regions);
  fmt::print("Initial sync:  {}\n",
             opts.assume_clean ? "skipped (--assume-clean: the legs are declared identical)" : "pending");
  fmt::print("Degraded boot: {}\n", degraded_boot_text(opts.degraded_timeout));
  for (const auto& w : plan.warnings) fmt::print("warning: {}\n", w.message);
  for (const auto& l : plan.legs) {
    for (const auto& s : l.signatures) fmt::print("Will wipe {} on {}.\n", s.describe(), l.path);
    if (l.old_membership) {
      fmt::print("Will overwrite {}: it is leg {} of array '{}' (uuid {}).\n", l.path, l.old_membership->slot,
                 l.old_membership->name, l.old_membership->array_uuid.str());
    }
  }
}

void print_created(const Context& ctx, const CreatePlan& plan, const CreateOptions& opts, const Superblock& sb,
                   bool activated, std::string_view activation_note, const Json& activation) {
  if (ctx.json) {
    Json doc = json_envelope();
    doc["created"] = true;
    doc["activated"] = activated;
    doc["activation"] = activated ? activation : Json({{"note", std::string(activation_note)}});
    doc["array"] = superblock_json(sb);
    Json legs = Json::array();
    for (size_t i = 0; i < plan.legs.size(); ++i) {
      legs.push_back({{"slot", i}, {"path", plan.legs[i].path}, {"size", plan.legs[i].size},
                      {"uuid", sb.legs[i].uuid.str()}});
    }
    doc["legs"] = legs;
    doc["warnings"] = findings_json(plan.warnings);
    print_json(doc);
    return;
  }
  fmt::print("Created array '{}' (uuid {}): {} on {} legs, region size {}.\n", printable(sb.name), sb.array_uuid.str(),
             format_size(sb.layout.data_size), opts.legs.size(), format_size(sb.region_size));
  if (sb.resync_offset != kOffsetInSync) {
    fmt::print("An initial resync is pending: until it completes the legs are not known to be in sync.\n");
  }
  if (!activated) fmt::print("{}\n", activation_note);
}

}  // namespace dmirror::cli
