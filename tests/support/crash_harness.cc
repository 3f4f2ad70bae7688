// SPDX-License-Identifier: LGPL-2.1-or-later
// explore_crashes(): run a workload once, then rebuild, recover and check
// the leg images after a power cut at every I/O (see crash_harness.h).
#include "support/crash_harness.h"

#include <dmirror/engine.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/resync.h>

#include <map>
#include <optional>

namespace dmirror::testing {
namespace {

struct Assembled {
  Superblock sb;                              // newest
  std::map<uint32_t, BlockDevice*> slot_dev;  // slot -> image
  std::vector<uint64_t> seqnos;               // per image, 0 when not a leg
};

// Reads every image. `array_legs` images must carry a valid superblock.
std::optional<std::string> assemble(std::vector<BlockDevice*>& legs, uint32_t array_legs, Assembled& out) {
  std::vector<LegMetadata> metas(legs.size());
  std::vector<bool> valid(legs.size());
  out.seqnos.assign(legs.size(), 0);
  uint64_t newest = 0;
  for (size_t i = 0; i < legs.size(); ++i) {
    auto m = read_leg(*legs[i]);
    if (!m) {
      if (i < array_legs) return "leg " + std::to_string(i) + " has no valid superblock: " + m.error().describe();
      continue;
    }
    valid[i] = true;
    out.seqnos[i] = m->sb.seqno;
    if (m->sb.seqno > newest) {
      newest = m->sb.seqno;
      out.sb = m->sb;
    }
    metas[i] = std::move(*m);
  }
  out.slot_dev.clear();
  for (size_t i = 0; i < legs.size(); ++i) {
    if (!valid[i]) continue;
    for (uint32_t s = 0; s < out.sb.nr_legs; ++s)
      if (out.sb.legs[s].uuid == metas[i].sb.leg_uuid) out.slot_dev[s] = legs[i];
  }
  return std::nullopt;
}

bool current_for(const Superblock& sb, uint32_t slot, uint64_t end) {
  LegState st = sb.legs[slot].state;
  if (st == LegState::InSync || st == LegState::Replacing) return true;
  return st == LegState::Rebuilding && sb.legs[slot].recovery_offset >= end;
}

bool writable(LegState st) {
  return st == LegState::InSync || st == LegState::Replacing || st == LegState::Rebuilding;
}

std::vector<std::byte> read_data(BlockDevice* dev, const Superblock& sb, uint64_t pos, uint64_t len) {
  std::vector<std::byte> buf(len);
  (void)dev->read(sb.layout.data_offset + pos, buf);
  return buf;
}

// Check 2 on the raw post-crash images.
std::optional<std::string> check_intent(const Assembled& a, const CrashWorkload& w) {
  const Superblock& sb = a.sb;
  std::vector<WriteIntentJournal> journals;
  for (auto& [slot, dev] : a.slot_dev) {
    if (!writable(sb.legs[slot].state)) continue;
    auto j = WriteIntentJournal::load(*dev, sb);
    if (!j) return "journal of slot " + std::to_string(slot) + " unreadable: " + j.error().describe();
    journals.push_back(std::move(*j));
  }
  if (journals.empty()) return std::nullopt;
  for (size_t i = 1; i < journals.size(); ++i) journals[0].merge_from(journals[i]);
  const WriteIntentJournal& dirty = journals[0];
  for (uint64_t r = 0; r < sb.nr_regions; ++r) {
    uint64_t pos = r * sb.region_size, len = std::min(sb.region_size, sb.layout.data_size - pos);
    if (dirty.is_dirty(r) || w.planted.contains(r) || pos + len > sb.resync_offset) continue;
    std::optional<std::vector<std::byte>> ref;
    uint32_t ref_slot = 0;
    for (auto& [slot, dev] : a.slot_dev) {
      if (!current_for(sb, slot, pos + len)) continue;
      auto data = read_data(dev, sb, pos, len);
      if (!ref) {
        ref = std::move(data);
        ref_slot = slot;
      } else if (data != *ref) {
        return "region " + std::to_string(r) + " differs between slots " + std::to_string(ref_slot) + " and " +
               std::to_string(slot) + " but is clean in the journal and both legs claim to be current";
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_point(std::vector<BlockDevice*> legs, const CrashWorkload& w, const WriteModel& model,
                                       uint64_t k, const std::vector<uint64_t>& seq_floor) {
  Assembled a;
  if (auto e = assemble(legs, w.array.legs, a)) return "check 1: " + *e;
  for (size_t i = 0; i < legs.size(); ++i)
    if (a.seqnos[i] != 0 && a.seqnos[i] < seq_floor[i])
      return "check 1: leg " + std::to_string(i) + " seqno went back from " + std::to_string(seq_floor[i]) + " to " +
             std::to_string(a.seqnos[i]);
  if (auto e = check_intent(a, w)) return "check 2: " + *e;

  auto recover = w.recover ? w.recover : default_recovery;
  if (auto st = recover(legs); !st) return "recovery failed: " + st.error().describe();

  Assembled after;
  if (auto e = assemble(legs, w.array.legs, after)) return "after recovery: " + *e;
  const Superblock& sb = after.sb;
  BlockDevice* primary = nullptr;
  std::vector<std::byte> ref;
  for (auto& [slot, dev] : after.slot_dev) {
    LegState st = sb.legs[slot].state;
    if (st != LegState::InSync && st != LegState::Replacing) continue;
    auto data = read_data(dev, sb, 0, sb.layout.data_size);
    if (!primary) {
      primary = dev;
      ref = std::move(data);
    } else if (data != ref) {
      return "check 3: in-sync slot " + std::to_string(slot) + " differs from the first in-sync leg after recovery";
    }
  }
  if (!primary) return "check 3: no in-sync leg after recovery";
  auto m = Mirror::open(legs, MirrorOptions{.read_only = true});
  if (!m) return "reopen read-only: " + m.error().describe();
  std::vector<std::byte> vol((*m)->size());
  if (auto st = (*m)->read(0, vol); !st) return "read back: " + st.error().describe();
  if (vol != ref) return "check 4: the mirror read differs from the in-sync legs";
  uint64_t bad = 0;
  if (!model.allowed(k, 0, vol, &bad))
    return "check 4: sector at " + std::to_string(bad) + " holds data that was neither durable nor written since";
  return std::nullopt;
}

}  // namespace

Status default_recovery(std::vector<BlockDevice*>& legs) {
  {
    DMIRROR_ASSIGN_OR_RETURN(auto m, Mirror::open(legs));
    DMIRROR_RETURN_IF_ERROR(m->close());
  }
  DMIRROR_RETURN_IF_ERROR(resync(legs));
  return ok();
}

CrashResult explore_crashes(const CrashWorkload& w, const CrashExplore& how) {
  CrashResult res;
  CrashGroup g;
  for (uint32_t i = 0; i < w.array.legs + w.spare_legs; ++i) g.add_leg(test_leg_size(w.array), "leg" + std::to_string(i));
  std::vector<BlockDevice*> devs = g.devices();
  std::vector<BlockDevice*> array_devs(devs.begin(), devs.begin() + w.array.legs);
  if (auto sb = format_test_array(array_devs, w.array); !sb) {
    res.failures.push_back(w.name + ": format: " + sb.error().describe());
    return res;
  }
  if (w.prepare) w.prepare(devs);
  g.settle();
  WriteModel model(&g, w.array.data_size);
  {
    std::vector<std::byte> initial(w.array.data_size);
    (void)devs[w.truth_slot]->read(kTestDataOffset, initial);
    model.set_initial(initial);
  }
  w.run(devs, model);
  res.ios = g.clock();

  CrashReplay replay(g);
  std::vector<uint64_t> floor(devs.size(), 0);
  for (uint64_t k = 0;; k = std::min(k + how.stride, res.ios)) {
    replay.advance_to(k);
    // Seqnos of what is durable at k never go backwards as k grows.
    auto durable = replay.images(CrashPolicy::DropUnflushed, 0);
    for (size_t i = 0; i < durable.size(); ++i) {
      auto m = read_leg(*durable[i]);
      if (!m) continue;
      if (m->sb.seqno < floor[i] && res.failures.size() < how.max_failures)
        res.failures.push_back(w.name + " seed=" + std::to_string(how.seed) + " k=" + std::to_string(k) +
                               ": durable seqno of leg " + std::to_string(i) + " went backwards");
      floor[i] = std::max(floor[i], m->sb.seqno);
    }
    for (CrashPolicy p : how.policies) {
      auto images = replay.images(p, how.seed ^ (k * 7919));
      std::vector<BlockDevice*> legs;
      for (auto& d : images) legs.push_back(d.get());
      ++res.points;
      if (auto err = check_point(legs, w, model, k, floor); err && res.failures.size() < how.max_failures)
        res.failures.push_back(w.name + " seed=" + std::to_string(how.seed) + " k=" + std::to_string(k) + "/" +
                               std::to_string(res.ios) + " policy=" + std::string(crash_policy_name(p)) + ": " + *err);
    }
    if (k == res.ios) break;
  }
  return res;
}

}  // namespace dmirror::testing
