// SPDX-License-Identifier: LGPL-2.1-or-later
// Incremental assembly (see incremental.h).
#include "incremental.h"

#include "boot_schedule.h"
#include "escape.h"
#include "exit_codes.h"
#include "incremental_readd.h"
#include "online_activation.h"
#include "online_view.h"

#include <dmirror/block_device.h>
#include <dmirror/boot_policy.h>
#include <dmirror/dm/online/activate_array.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/leg.h>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

namespace dmirror::cli {
namespace {

namespace fs = std::filesystem;

fs::path record_dir(const std::string& run_dir, const Uuid& array) {
  return fs::path(run_dir) / "incremental" / array.str();
}
// How long the activation waits for another command holding the array.
constexpr std::chrono::seconds kBusyWait{120};

Result<Superblock> read_sb(const std::string& path) {
  DMIRROR_ASSIGN_OR_RETURN(auto dev, open_device(path, OpenOptions{.writable = false, .exclusive = false}));
  DMIRROR_ASSIGN_OR_RETURN(auto meta, read_leg(*dev));
  return meta.sb;
}

// A member the array needs; a spare is not waited for (it holds no data).
bool expected(const LegEntry& e) { return is_member_state(e.state) && e.state != LegState::Failed; }

Status record(const fs::path& dir, uint32_t slot, const std::string& device) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::Io, "cannot create " + dir.string() + ": " + ec.message());
  const fs::path tmp = dir / (".slot" + std::to_string(slot) + ".tmp");
  std::ofstream(tmp) << device << "\n";
  fs::rename(tmp, dir / ("slot" + std::to_string(slot)), ec);
  if (ec) return make_error(ErrorCode::Io, "cannot record " + device + " in " + dir.string() + ": " + ec.message());
  return {};
}

// What the boot path does about an incomplete array.
struct Waiting {
  std::optional<uint32_t> timeout;   // nullopt: never
  bool scheduled = false;
  std::string note;                  // for people
};

Waiting arrange_last_resort(const Superblock& newest, const std::string& run_dir) {
  Waiting w{.timeout = degraded_timeout(newest)};
  const std::string uuid = newest.array_uuid.str();
  if (!w.timeout) {
    w.note = "its degraded timeout is never: it starts only with every leg (or `dmirrorctl activate --degraded`)";
  } else if (!systemd_running()) {
    w.note = fmt::format("no systemd, so no last-resort timer: if the others do not come, run "
                         "`dmirrorctl activate --last-resort {}`",
                         uuid);
  } else if (auto st = schedule_last_resort(newest.array_uuid, *w.timeout, run_dir); !st) {
    w.note = st.error().message;
  } else {
    w.scheduled = true;
    w.note = fmt::format("activated degraded in {} s unless they come ({}.timer)", *w.timeout,
                         last_resort_unit(newest.array_uuid));
  }
  return w;
}

bool is_active(dm::DmControl& control, const Uuid& array) {
  auto devs = dm::find_array_devices(control, array);
  return devs && devs->top.has_value();
}

}  // namespace

std::map<uint32_t, RecordedLeg> recorded_legs(const std::string& run_dir, const Uuid& array) {
  std::map<uint32_t, RecordedLeg> legs;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(record_dir(run_dir, array), ec)) {
    if (f.path().filename().string().starts_with(".")) continue;
    std::string path;
    std::ifstream(f.path()) >> path;
    auto sb = read_sb(path);
    if (sb && sb->array_uuid == array && f.path().filename() == "slot" + std::to_string(sb->slot)) {
      legs[sb->slot] = RecordedLeg{path, *sb};
    } else {
      fs::remove(f.path(), ec);  // the device went away or now holds something else
    }
  }
  return legs;
}

int run_incremental(const Context& ctx, const std::string& device, const std::string& run_dir) {
  auto sb = read_sb(device);
  if (!sb) return report_error(ctx, "cannot add " + device + " incrementally", sb.error());
  const std::string uuid = sb->array_uuid.str();
  const fs::path dir = record_dir(run_dir, sb->array_uuid);
  if (auto st = record(dir, sb->slot, device); !st) return report_error(ctx, "cannot record " + device, st.error());

  // Already active (degraded): this leg rejoins the live volume.
  auto control = dm::open_online_control();
  if (control) {
    auto devs = dm::find_array_devices(**control, sb->array_uuid);
    if (devs && devs->top) return run_incremental_readd(ctx, **control, devs->top->name, device, *sb, run_dir);
  }

  const auto legs = recorded_legs(run_dir, sb->array_uuid);
  // The newest superblock recorded decides which legs are expected and the
  // policy (a leg that missed updates may not know the array's table).
  Superblock newest = *sb;
  for (const auto& [slot, leg] : legs)
    if (leg.sb.seqno > newest.seqno) newest = leg.sb;
  uint32_t want = 0, have = 0;
  for (uint32_t s = 0; s < newest.nr_legs; ++s) {
    if (!expected(newest.legs[s])) continue;
    ++want;
    have += legs.count(s) ? 1 : 0;
  }
  const bool complete = have == want;
  bool activated = false, already_active = false;
  std::optional<Waiting> waiting;
  if (complete) {
    if (!control) return report_error(ctx, "array '" + sb->name + "' is complete but cannot be activated", control.error());
    // A tracked split-off array is refused before its legs are opened: the
    // refused activation would close them opened writable, and udev's watch
    // answers that close with a change event that starts this run again.
    if (Status st = dm::refuse_tracked_split_off(newest); !st)
      return report_error(ctx, "cannot activate array '" + sb->name + "'", st.error());
    std::vector<std::string> paths;
    for (const auto& [slot, leg] : legs) paths.push_back(leg.path);
    auto done = activate_legs(**control, paths, dm::ActivateOptions{.degraded = false}, false);
    // The legs' runs race at boot: the run of another leg may hold the
    // array. It is waited for; then the array is usually active already.
    const auto deadline = std::chrono::steady_clock::now() + kBusyWait;
    while (!done && done.error().code == ErrorCode::Busy && std::chrono::steady_clock::now() < deadline &&
           !(already_active = is_active(**control, sb->array_uuid))) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      done = activate_legs(**control, paths, dm::ActivateOptions{.degraded = false}, false);
    }
    // Exists: active by now (another run), or the leftovers of an
    // interrupted activation (an error).
    if (!done && done.error().code == ErrorCode::Exists) already_active = is_active(**control, sb->array_uuid);
    if (!already_active) {
      if (!done) return report_error(ctx, "cannot activate array '" + sb->name + "'", done.error());
      activated = true;
      if (!ctx.json) print_activated(ctx, done->report, done->sb);
      warn_if_missing(done->report, done->sb);
    }
    cancel_last_resort(sb->array_uuid);
  } else {
    waiting = arrange_last_resort(newest, run_dir);
  }
  if (ctx.json) {
    Json doc = json_envelope();
    doc["incremental"] = {{"device", device},       {"array", sb->name},     {"uuid", uuid},
                          {"legs_expected", want},  {"legs_present", have},  {"complete", complete},
                          {"activated", activated || already_active}, {"record", dir.string()}, {"re_added", false}};
    if (waiting) {
      doc["incremental"]["last_resort"] = {
          {"timeout", waiting->timeout ? Json(*waiting->timeout) : Json(nullptr)},
          {"scheduled", waiting->scheduled},
          {"unit", waiting->scheduled ? Json(last_resort_unit(sb->array_uuid) + ".timer") : Json(nullptr)},
          {"note", waiting->note}};
    }
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else if (already_active) {
    fmt::print("{}: leg slot {} of array '{}' recorded; the array is already active\n", device, sb->slot,
               printable(sb->name));
  } else if (!complete) {
    fmt::print("{}: leg slot {} of array '{}' recorded; {} of {} legs present, waiting for the others: {}\n",
               printable(device), sb->slot, printable(sb->name), have, want, waiting->note);
  }
  return kExitOk;
}

}  // namespace dmirror::cli
