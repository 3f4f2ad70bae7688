// SPDX-License-Identifier: LGPL-2.1-or-later
// explore_crashes(): run a workload once, then rebuild and check the leg
// images after a power cut at every I/O (see crash_harness.h).
#include "support/crash_harness.h"

#include <dmirror/leg.h>
#include <dmirror/resync.h>

#include <optional>

#include "support/crash_checks.h"

namespace dmirror::testing {
namespace {

std::vector<BlockDevice*> raw(const std::vector<std::unique_ptr<SparseDevice>>& images) {
  std::vector<BlockDevice*> legs;
  for (auto& d : images) legs.push_back(d.get());
  return legs;
}

std::optional<std::string> check_point(const CrashReplay& replay, CrashPolicy p, uint64_t seed, const CrashWorkload& w,
                                       const WriteModel& model, uint64_t k, const std::vector<uint64_t>& seq_floor) {
  auto images = replay.images(p, seed);
  std::vector<BlockDevice*> legs = raw(images);
  Assembled a;
  if (auto e = assemble_images(legs, w.array.legs, a)) return "check 1: " + *e;
  for (size_t i = 0; i < legs.size(); ++i)
    if (a.seqnos[i] != 0 && a.seqnos[i] < seq_floor[i])
      return "check 1: leg " + std::to_string(i) + " seqno went back from " + std::to_string(seq_floor[i]) + " to " +
             std::to_string(a.seqnos[i]);
  if (auto e = check_intent(a, w)) return e;
  if (auto e = check_read_only(legs, w, model, k)) return e;
  if (auto e = check_engine(legs, w, model, k, /*refusal_ok=*/false)) return e;
  if (auto e = check_rot(legs, w)) return e;
  if (!w.subset.empty()) {
    auto fresh = replay.images(p, seed);
    std::vector<BlockDevice*> some;
    for (uint32_t i : w.subset) some.push_back(fresh[i].get());
    if (auto e = check_engine(some, w, model, k, /*refusal_ok=*/true)) return "check 5 (degraded reopen): " + *e;
    if (w.rejoin)
      if (auto e = check_engine(raw(fresh), w, model, k, /*refusal_ok=*/false))
        return "check 5 (every leg after a degraded reopen): " + *e;
  }
  if (w.recover) {
    auto fresh = replay.images(p, seed);
    std::vector<BlockDevice*> all = raw(fresh);
    if (auto e = check_after_recover(all, w, model, k)) return e;
  }
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

  auto fail = [&](uint64_t k, std::string what) {
    if (res.failures.size() < how.max_failures)
      res.failures.push_back(w.name + " seed=" + std::to_string(how.seed) + " k=" + std::to_string(k) + "/" +
                             std::to_string(res.ios) + " " + what);
  };
  CrashReplay replay(g);
  std::vector<uint64_t> floor(devs.size(), 0);
  DegradedJournalWatch watch;
  // Check 7: the first data write of each session opened without a leg.
  std::vector<uint64_t> first_data;
  for (const auto& s : model.degraded_sessions()) {
    uint64_t at = 0;
    for (const CrashOp& op : g.history())
      if (!op.flush && op.clock > s.opened && op.clock <= s.closed && op.leg != s.absent &&
          op.offset >= kTestDataOffset && op.offset < kTestDataOffset + w.array.data_size) {   // not copy 2
        at = op.clock;
        break;
      }
    first_data.push_back(at);
  }
  for (uint64_t k = 0;; k = std::min(k + how.stride, res.ios)) {
    replay.advance_to(k);
    // Seqnos of what is durable at k never go backwards as k grows.
    auto durable = replay.images(CrashPolicy::DropUnflushed, 0);
    for (size_t i = 0; i < durable.size(); ++i) {
      auto m = read_leg(*durable[i]);
      if (!m) continue;
      if (m->sb.seqno < floor[i]) fail(k, "policy=durable: check 1: durable seqno of leg " + std::to_string(i) + " went backwards");
      floor[i] = std::max(floor[i], m->sb.seqno);
    }
    if (auto e = watch.step(raw(durable), w.array.legs)) fail(k, "policy=durable: " + *e);
    if (auto e = check_missing_recorded(raw(durable), w.array.legs, model.degraded_sessions(), first_data, k))
      fail(k, "policy=durable: " + *e);
    for (CrashPolicy p : how.policies) {
      ++res.points;
      if (auto e = check_point(replay, p, how.seed ^ (k * 7919), w, model, k, floor))
        fail(k, "policy=" + std::string(crash_policy_name(p)) + ": " + *e);
    }
    if (k == res.ios) break;
  }
  return res;
}

}  // namespace dmirror::testing
