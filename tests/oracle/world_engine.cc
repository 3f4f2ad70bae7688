// SPDX-License-Identifier: LGPL-2.1-or-later
// Engine sessions: open the mirror on the present legs, write random ranges
// (durable writes: an acknowledged write is on stable storage), flush, then
// close cleanly or drop the mirror (unclean). The crash variant runs the
// same session on crash-simulating devices loaded from the image files and
// writes back the leg images as they would be after a power cut at a random
// I/O, under a random policy of the crash device.
#include <dmirror/engine.h>

#include <algorithm>

#include "oracle/command_lock.h"
#include "oracle/engine_options.h"
#include "oracle/sector_data.h"
#include "oracle/watch_device.h"
#include "oracle/world.h"
#include "support/crash_device.h"

namespace dmirror::oracle {
namespace {

struct Issued {
  uint64_t id, first, count;
  uint64_t c0 = 0, c1 = 0;   // crash clock before and after
  bool ok = false;
};

void load(testing::CrashGroup& g, const std::string& path) {
  FileImage img = load_image(path);
  auto* dev = g.add_leg(img.size, path);
  for (const auto& [off, page] : img.pages) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(FileImage::kPage, img.size - off));
    (void)dev->write(off, std::span<const std::byte>(page.data(), len));
  }
}

void store(const testing::SparseDevice& dev, const std::string& path) {
  FileImage img;
  img.size = dev.image().size();
  std::array<std::byte, FileImage::kPage> page{};
  for (uint64_t off : dev.image().page_offsets()) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(FileImage::kPage, img.size - off));
    page.fill(std::byte{0});
    dev.image().read(off, std::span<std::byte>(page.data(), len));
    if (std::any_of(page.begin(), page.end(), [](std::byte b) { return b != std::byte{0}; })) img.pages[off] = page;
  }
  store_image(path, img);
}

}  // namespace

StepResult World::engine_writes(std::mt19937_64& rng, bool crash) {
  StepResult r;
  auto paths = present_paths();
  if (paths.empty()) return r;
  r.library = true;
  MirrorOptions mo;
  mo.durable_writes = true;
  mo.clear_delay_ms = rng() % 2 ? 0 : 5000;
  bool degraded_ok = opts_.allow_degraded && rng() % 4 != 0;
  bool has_option = set_allow_degraded(mo, degraded_ok);
  r.note = std::string(crash ? "crash session" : "session") +
           (has_option ? (degraded_ok ? " allow_degraded" : " no-degraded") : "");

  testing::CrashGroup group;
  CommandLegs legs;
  std::vector<BlockDevice*> devs;
  if (crash) {
    for (const auto& p : paths) load(group, p);
    group.settle();
    devs = group.devices();
  } else {
    legs = open_command_legs(paths, true, opts_.check_lock);
    devs = legs.ptrs();
  }
  std::vector<Issued> issued;
  std::vector<bool> apart = apart_from_cur();
  bool all_ok = true;
  std::optional<CommandLock> lock;   // `dmirrorctl io` holds the array lock (crash devices have nothing to lock)
  if (!crash) {
    auto l = CommandLock::acquire(devs, dir_);
    if (!l) {
      r.concurrency_problem = "the array lock was refused with no other command running: " + l.error().describe();
      return r;
    }
    lock.emplace(std::move(*l));
    if (pause_) legs.arm(pause_);
  }
  {
    auto m = Mirror::open(devs, mo);
    if (!m) {
      r.note += "; open refused: " + m.error().describe();
      r.refused = m.error().code != ErrorCode::Io;
      r.internal_error = m.error().code == ErrorCode::Internal;
      all_ok = false;
    } else {
      Mirror& mirror = **m;
      for (const auto& f : mirror.findings()) r.reported |= f.severity >= Severity::Warning;
      const uint64_t bs = std::max<uint64_t>(mirror.block_size() / kSector, 1);
      int n = 1 + static_cast<int>(rng() % 6);
      for (int i = 0; i < n; ++i) {
        if (rng() % 5 == 0) {
          auto st = mirror.flush();
          if (!st) { all_ok = false; r.reported = true; r.note += "; flush: " + st.error().describe(); }
        }
        Issued w;
        w.id = next_id_++;
        w.first = (rng() % kSectors) / bs * bs;
        w.count = std::min<uint64_t>((1 + rng() % 32 + bs - 1) / bs * bs, kSectors - w.first);
        std::vector<std::byte> buf(w.count * kSector);
        fill_sectors(w.id, w.first, buf);
        if (!crash) {
          for (uint64_t s = w.first; s < w.first + w.count; ++s) {
            model_[s].history.push_back(w.id);
            model_[s].maybe.push_back(w.id);
            if (apart[s]) model_[s].apart.push_back(w.id);
          }
        }
        w.c0 = group.clock();
        auto st = mirror.write(w.first * kSector, buf);
        w.c1 = group.clock();
        w.ok = st.has_value();
        if (!w.ok) {
          all_ok = false;
          r.reported = true;
          r.internal_error |= st.error().code == ErrorCode::Internal;
          r.note += "; write: " + st.error().describe();
        }
        issued.push_back(w);
        if (!crash && w.ok) {
          for (uint64_t s = w.first; s < w.first + w.count; ++s) {
            apart[s] = false;   // the line now holds the expected write
            model_[s].cur = w.id;
            model_[s].acked.push_back(w.id);
            model_[s].maybe.clear();
            model_[s].apart.clear();
            r.acked.push_back(s);
          }
        }
      }
      if (rng() % 10 < 7) {
        auto st = mirror.close();
        if (!st) { all_ok = false; r.reported = true; r.note += "; close: " + st.error().describe(); }
        else r.note += "; closed";
      } else {
        r.note += "; dropped";
      }
      for (const auto& f : mirror.findings()) r.reported |= f.severity >= Severity::Warning;
    }
  }
  r.ok = all_ok;
  r.note += "; " + std::to_string(issued.size()) + " writes";
  if (crash) {
    uint64_t k = rng() % (group.clock() + 1);
    auto policy = testing::kAllCrashPolicies[rng() % std::size(testing::kAllCrashPolicies)];
    auto images = group.images_at(k, policy, rng());
    for (size_t i = 0; i < paths.size(); ++i) store(*images[i], paths[i]);
    r.ok = all_ok && k == group.clock();   // a cut before the end: the session did not complete
    r.power_cut = k < group.clock();
    r.note += "; power cut after I/O " + std::to_string(k) + " of " + std::to_string(group.clock()) + " (" +
              std::string(testing::crash_policy_name(policy)) + ")";
    for (const Issued& w : issued) {
      if (w.c0 >= k) continue;   // never issued before the cut
      bool acked = w.ok && w.c1 <= k;
      for (uint64_t s = w.first; s < w.first + w.count; ++s) {
        SectorModel& m = model_[s];
        m.history.push_back(w.id);
        if (acked) {
          apart[s] = false;   // the line now holds the expected write
          m.cur = w.id;
          m.acked.push_back(w.id);
          m.maybe.clear();
          m.apart.clear();
          r.acked.push_back(s);
        } else {
          m.maybe.push_back(w.id);
          if (apart[s]) m.apart.push_back(w.id);
        }
      }
    }
  } else {
    r.writes = legs.writes();
    r.data_writes = legs.data_writes();
    r.unlocked_writes = legs.unlocked_writes();
  }
  return r;
}

}  // namespace dmirror::oracle
