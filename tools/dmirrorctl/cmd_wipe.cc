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

#include <dmirror/array.h>
#include <dmirror/assembly.h>
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
  std::vector<std::string> with;   // current legs of the array, read to judge by, never written
  bool force = false;
};

// The legs of the array of `path` that can be found: `path` first, then
// the others given (--with and the other legs to wipe), then the block
// devices of the host, each storage once.
std::vector<std::string> legs_to_judge_by(const std::string& path, const Uuid& array,
                                          const std::vector<std::string>& given,
                                          const std::vector<FoundLeg>& scanned) {
  std::vector<std::string> out{path};
  std::vector<PathIdentity> ids;
  if (auto id = identify_path(path)) ids.push_back(*id);
  auto take = [&](const std::string& p) {
    auto id = identify_path(p);
    if (!id) return;
    for (const auto& other : ids)
      if (same_storage(other, *id)) return;
    ids.push_back(*id);
    out.push_back(p);
  };
  for (const auto& g : given) {
    auto dev = open_device(g, OpenOptions{.writable = false, .direct = false, .exclusive = false});
    auto meta = dev ? read_leg(**dev) : Result<LegMetadata>(std::unexpected(dev.error()));
    if (meta && meta->sb.array_uuid == array) take(g);
  }
  for (const auto& f : scanned)
    if (f.meta.sb.array_uuid == array) take(f.path);
  return out;
}

// What keeps `path` (a leg of `array`): the one assembly's answer over the
// legs that can be found (wipe_hold), the answer `status` gives for the
// same legs. A leg found alone has no in-sync leg beside it and is kept.
WipeHold hold_of(const std::string& path, const Uuid& array, const std::vector<std::string>& given,
                 const std::vector<FoundLeg>& scanned, size_t& found) {
  const auto legs = legs_to_judge_by(path, array, given, scanned);
  found = legs.size();
  auto a = assemble_paths(legs);
  if (!a) return WipeHold::Member;   // cannot tell: kept, as its own table would keep it
  return wipe_hold(*a, 0);
}

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
  // One storage given twice (a loop device and its backing file) is one leg.
  for (size_t i = 0; i < a.legs.size(); ++i)
    for (size_t j = i + 1; j < a.legs.size(); ++j) {
      auto x = identify_path(a.legs[i]), y = identify_path(a.legs[j]);
      if (x && y && same_storage(*x, *y))
        return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                              a.legs[i] + " and " + a.legs[j] + " are the same storage; give each leg once");
    }
  auto held = lock_wiped(a.legs);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  // Each --with must be a readable leg of an array being wiped from.
  for (const auto& w : a.with) {
    auto dev = open_device(w, OpenOptions{.writable = false, .direct = false, .exclusive = false});
    auto meta = dev ? read_leg(**dev) : Result<LegMetadata>(std::unexpected(dev.error()));
    if (!meta) return report_error(ctx, "invalid --with " + w, meta.error());
    bool ours = false;
    for (const auto& p : a.legs) {
      auto d = open_device(p, OpenOptions{.writable = false, .direct = false, .exclusive = false});
      auto m = d ? read_leg(**d) : Result<LegMetadata>(std::unexpected(d.error()));
      ours = ours || (m && m->sb.array_uuid == meta->sb.array_uuid);
    }
    if (!ours)
      return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                            "--with " + w + " is a leg of array '" + meta->sb.name + "', not of an array a leg to "
                            "wipe belongs to; give the current legs of the wiped leg's array");
  }
  std::vector<std::string> given = a.with;
  given.insert(given.end(), a.legs.begin(), a.legs.end());
  auto scanned = scan_legs({});
  if (!scanned) scanned = std::vector<FoundLeg>{};   // the host's devices could not be listed: the legs given decide
  // Check every leg before writing any.
  std::vector<std::unique_ptr<BlockDevice>> devs;
  std::vector<WipePlan> plans;
  for (const auto& path : a.legs) {
    auto dev = open_device(path, OpenOptions{.writable = true, .direct = false, .exclusive = true});
    if (!dev) return report_error(ctx, "cannot wipe " + path, dev.error());
    WipeOptions o{.force = a.force};
    if (auto name = active_volume_of({path})) o.active_volume = *name;
    if (auto meta = read_leg(**dev)) {
      size_t found = 0;
      o.hold = hold_of(path, meta->sb.array_uuid, given, *scanned, found);
      o.legs_found = found - 1;
    }
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
  sub->add_option("--with", a->with,
                  "A current leg of the same array, read (never written) to judge the legs to wipe by its newest "
                  "table; block devices are found without it, image files are not")
      ->take_all();
  sub->add_flag("--force", a->force,
                "Wipe a leg its array still depends on (a member, the other side of a split brain, a leg "
                "outside the table while no in-sync leg is found) or whose metadata cannot be read; succeed on "
                "a device with nothing to wipe");
  sub->footer(
      "Zeroes every superblock copy, the journal, the event history and the kernel metadata area of each\n"
      "leg (the first 8 MiB at most, and copy 2 in the leg's last 64 KiB), never the data area, and\n"
      "flushes. Afterwards `examine` says the device\n"
      "is not a dmirror leg and `create` takes it without --force. Every leg is checked before any is written;\n"
      "a refusal leaves all of them untouched. Each leg is judged as `status` judges it, against the newest\n"
      "table of the legs of its array that can be found (the legs given, --with, the host's block devices).\n"
      "Refused without --force: a member of that table; a leg outside it that is the other side of a split\n"
      "brain, or while no in-sync leg is found (it may hold the only copy: give the current legs with\n"
      "--with). Refused always: a leg of an active volume (deactivate it first), a\n"
      "device carrying another signature, an array another command is writing; a device carrying no\n"
      "dmirror metadata unless --force. Exit status: 0 wiped, 8 refused or error, 16 usage.");
  return {sub, [&ctx, a] { return run_wipe(ctx, *a); }};
}

}  // namespace dmirror::cli
