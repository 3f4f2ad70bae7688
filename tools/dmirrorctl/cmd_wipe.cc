// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl wipe LEG... [--force]`: remove dmirror's metadata from legs
// that are no longer wanted (mdadm --zero-superblock, zpool labelclear), so
// that `examine` says "not a dmirror leg" and `create` takes them without
// --force. Every leg is checked before any is written: a refusal of one
// leaves all of them untouched. Exit status: 0 wiped, 8 refused or error,
// 16 usage (exit_codes.h).
#include "array_lock_cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "online_dispatch.h"

#include <dmirror/leg.h>
#include <dmirror/names.h>
#include <dmirror/wipe.h>

#include <fmt/format.h>

#include <map>
#include <memory>

namespace dmirror::cli {
namespace {

struct WipeArgs {
  std::vector<std::string> legs;
  bool force = false;
};

// The array lock of every leg given: the legs of one array together (a
// second lock of the same array in one process would be refused), devices
// without a readable superblock alone.
Result<std::vector<ArrayLock>> lock_wiped(const std::vector<std::string>& paths) {
  std::map<Uuid, std::vector<std::string>> arrays;
  std::vector<LockTarget> loose;
  for (const auto& p : paths) {
    auto dev = open_device(p, OpenOptions{.writable = false, .direct = false, .exclusive = false});
    auto meta = dev ? read_leg(**dev) : Result<LegMetadata>(std::unexpected(dev.error()));
    if (meta) arrays[meta->sb.array_uuid].push_back(p);
    else loose.push_back(LockTarget{.path = p});
  }
  std::vector<ArrayLock> held;
  for (const auto& [uuid, legs] : arrays) {
    DMIRROR_ASSIGN_OR_RETURN(auto l, lock_array_at(legs));
    held.push_back(std::move(l));
  }
  if (!loose.empty()) {
    DMIRROR_ASSIGN_OR_RETURN(auto l, ArrayLock::acquire_devices(std::move(loose)));
    held.push_back(std::move(l));
  }
  return held;
}

std::string was_text(const WipePlan& p) {
  if (!p.readable) return "unreadable dmirror metadata";
  return fmt::format("slot {} of array '{}', {}", p.slot, p.array_name, leg_state_name(p.state));
}

int run_wipe(const Context& ctx, const WipeArgs& a) {
  for (size_t i = 0; i < a.legs.size(); ++i)
    for (size_t j = i + 1; j < a.legs.size(); ++j)
      if (a.legs[i] == a.legs[j])
        return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                              a.legs[i] + " is given twice; give each leg once");
  auto held = lock_wiped(a.legs);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  // Check every leg before writing any.
  std::vector<std::unique_ptr<BlockDevice>> devs;
  std::vector<WipePlan> plans;
  for (const auto& path : a.legs) {
    auto dev = open_device(path, OpenOptions{.writable = true, .direct = false, .exclusive = true});
    if (!dev) return report_error(ctx, "cannot wipe " + path, dev.error());
    WipeOptions o{.force = a.force};
    if (auto name = active_volume_of({path})) o.active_volume = *name;
    auto plan = plan_wipe(**dev, path, o);
    if (!plan) return report_error(ctx, "cannot wipe " + path, plan.error());
    devs.push_back(std::move(*dev));
    plans.push_back(std::move(*plan));
  }
  Json wiped = Json::array();
  for (size_t i = 0; i < plans.size(); ++i) {
    const WipePlan& p = plans[i];
    set_writing(true);
    auto st = wipe_leg(*devs[i], p);
    set_writing(false);
    if (!st) return report_error(ctx, "cannot wipe " + p.path, st.error());
    if (ctx.json) {
      Json j = {{"path", p.path}, {"wiped", p.has_metadata}, {"bytes_zeroed", p.bytes()}};
      if (p.readable) {
        j["array"] = {{"name", p.array_name}, {"uuid", p.array_uuid.str()}};
        j["slot"] = p.slot;
        j["state"] = std::string(leg_state_name(p.state));
      }
      Json areas = Json::array();
      for (const auto& ar : p.areas) areas.push_back({{"area", ar.what}, {"offset", ar.offset}, {"length", ar.length}});
      j["areas"] = areas;
      wiped.push_back(std::move(j));
    } else if (!p.has_metadata) {
      fmt::print("{}: no dmirror metadata; nothing to wipe\n", p.path);
    } else {
      fmt::print("{}: wiped ({} of metadata zeroed; was {}); the data area is untouched\n", p.path,
                 format_size(p.bytes()), was_text(p));
    }
  }
  if (ctx.json) {
    Json doc = json_envelope();
    doc["legs"] = wiped;
    doc["exit_code"] = kExitOk;
    print_json(doc);
  }
  return kExitOk;
}

}  // namespace

Command add_wipe(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<WipeArgs>();
  CLI::App* sub = app.add_subcommand("wipe", "Remove dmirror's metadata from legs no longer wanted");
  sub->add_option("legs", a->legs, "The devices or image files to wipe")->required();
  sub->add_flag("--force", a->force,
                "Wipe a leg that still holds its array's data (in_sync, rebuilding or replacing in its own "
                "table) or whose metadata cannot be read; succeed on a device with nothing to wipe");
  sub->footer(
      "Zeroes both superblock copies, the journal, the event history and the kernel metadata area of each\n"
      "leg (the first 8 MiB at most), never the data area, and flushes. Afterwards `examine` says the device\n"
      "is not a dmirror leg and `create` takes it without --force. Every leg is checked before any is written;\n"
      "a refusal leaves all of them untouched. Refused: a leg of an active volume (deactivate it first), a\n"
      "leg its own table records as holding the array's data (without --force), a device carrying no dmirror\n"
      "metadata (without --force), a device carrying another signature (never wiped), an array another\n"
      "command is writing. Exit status: 0 wiped, 8 refused or error, 16 usage.");
  return {sub, [&ctx, a] { return run_wipe(ctx, *a); }};
}

}  // namespace dmirror::cli
