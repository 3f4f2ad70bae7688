// SPDX-License-Identifier: LGPL-2.1-or-later
// Incremental assembly (see incremental.h).
#include "incremental.h"

#include "escape.h"

#include "exit_codes.h"
#include "online_activation.h"
#include "online_view.h"

#include <dmirror/block_device.h>
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

// How long the activation waits for another command holding the array.
constexpr std::chrono::seconds kBusyWait{120};

Result<Superblock> read_sb(const std::string& path) {
  DMIRROR_ASSIGN_OR_RETURN(auto dev, open_device(path, OpenOptions{.writable = false, .exclusive = false}));
  DMIRROR_ASSIGN_OR_RETURN(auto meta, read_leg(*dev));
  return meta.sb;
}

bool expected(const LegEntry& e) {
  return e.state != LegState::Unused && e.state != LegState::Removed && e.state != LegState::Failed;
}

// The recorded legs that still carry slot N of the array, by slot.
std::map<uint32_t, std::string> present_legs(const fs::path& dir, const Uuid& array) {
  std::map<uint32_t, std::string> legs;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    std::string path;
    std::ifstream(f.path()) >> path;
    auto sb = read_sb(path);
    if (sb && sb->array_uuid == array && f.path().filename() == "slot" + std::to_string(sb->slot)) {
      legs[sb->slot] = path;
    } else {
      fs::remove(f.path(), ec);  // the device went away or now holds something else
    }
  }
  return legs;
}

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

bool is_active(dm::DmControl& control, const Uuid& array) {
  auto devs = dm::find_array_devices(control, array);
  return devs && devs->top.has_value();
}

}  // namespace

int run_incremental(const Context& ctx, const std::string& device, const std::string& run_dir) {
  auto sb = read_sb(device);
  if (!sb) return report_error(ctx, "cannot add " + device + " incrementally", sb.error());
  const std::string uuid = sb->array_uuid.str();
  const fs::path dir = fs::path(run_dir) / "incremental" / uuid;
  if (auto st = record(dir, sb->slot, device); !st) return report_error(ctx, "cannot record " + device, st.error());
  const auto legs = present_legs(dir, sb->array_uuid);
  uint32_t want = 0, have = 0;
  for (uint32_t s = 0; s < sb->nr_legs; ++s) {
    if (!expected(sb->legs[s])) continue;
    ++want;
    have += legs.count(s) ? 1 : 0;
  }
  const bool complete = have == want;
  bool activated = false, already_active = false;
  int bits = kExitOk;
  if (complete) {
    auto control = dm::open_online_control();
    if (!control) return report_error(ctx, "array '" + sb->name + "' is complete but cannot be activated", control.error());
    // Already active: nothing to do, and no leg is opened for writing. (An
    // activation opening a leg read-write ends in a udev "change" event for
    // it, which runs this command again: an endless loop of events.)
    already_active = is_active(**control, sb->array_uuid);
    if (!already_active) {
      std::vector<std::string> paths;
      for (const auto& [slot, path] : legs) paths.push_back(path);
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
    }
  }
  if (ctx.json) {
    Json doc = json_envelope();
    doc["incremental"] = {{"device", device},       {"array", sb->name},     {"uuid", uuid},
                          {"legs_expected", want},  {"legs_present", have},  {"complete", complete},
                          {"activated", activated || already_active}, {"record", dir.string()}};
    doc["exit_code"] = bits;
    print_json(doc);
  } else if (already_active) {
    fmt::print("{}: leg slot {} of array '{}' recorded; the array is already active\n", device, sb->slot,
               printable(sb->name));
  } else if (!complete) {
    fmt::print("{}: leg slot {} of array '{}' recorded; {} of {} legs present, waiting for the others\n", device,
               sb->slot, printable(sb->name), have, want);
  }
  return bits;
}

}  // namespace dmirror::cli
