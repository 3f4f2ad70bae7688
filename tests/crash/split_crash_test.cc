// SPDX-License-Identifier: LGPL-2.1-or-later
// Power cuts during `split` and `merge` (FORMAT.md 2.6 rule 24): after a cut
// at every I/O, under every cache policy, (1) no device is listed as a
// member by two arrays (the split leg carries the split-off array while the
// array's table lists its slot split, never in a member state), (2) a leg
// mapped in sync holds the array's data, and (3) a rerun of the same
// command completes: the split leg is then the split-off array with the
// data of the split; the merged leg holds the array's data.
#include <dmirror/assembly.h>
#include <dmirror/engine.h>
#include <dmirror/leg.h>
#include <dmirror/split.h>

#include <gtest/gtest.h>

#include "support/crash_device.h"
#include "support/legs_fixture.h"
#include "support/test_array.h"

namespace dmirror::testing {
namespace {

const TestArrayOptions kArray{.legs = 3, .data_size = 64 * 1024, .region_size = 4096};

std::vector<std::byte> data_of(BlockDevice& dev) {
  std::vector<std::byte> out(kArray.data_size);
  EXPECT_TRUE(dev.read(kTestDataOffset, out));
  return out;
}

// Writes `region` of the array given by `legs` through the engine.
void write_region(std::vector<BlockDevice*> legs, uint64_t region, uint32_t seed) {
  auto m = Mirror::open(legs);
  ASSERT_TRUE(m) << m.error().describe();
  ASSERT_TRUE((*m)->write(region * kArray.region_size, pattern(kArray.region_size, seed)));
  ASSERT_TRUE((*m)->close());
}

void setup(CrashGroup& g, bool split_first) {
  for (uint32_t i = 0; i < 3; ++i) g.add_leg(test_leg_size(kArray), "leg" + std::to_string(i));
  std::vector<BlockDevice*> devs = g.devices();
  ASSERT_TRUE(format_test_array(devs, kArray));
  for (auto* d : devs) ASSERT_TRUE(d->write(kTestDataOffset, pattern(kArray.data_size, 5)));
  for (auto* d : devs) ASSERT_TRUE(d->flush());
  if (split_first) {
    auto s = split_leg(devs, 2, SplitOptions{.name = "bak"});
    ASSERT_TRUE(s) << s.error().describe();
    write_region({devs[0], devs[1]}, 3, 77);   // on the array
    write_region({devs[2]}, 9, 99);             // on the split-off array
  }
  g.settle();
}

// Checks 1 and 2 on the images after a cut.
std::string check_membership(std::vector<BlockDevice*> devs, const Uuid& array) {
  auto leg2 = read_leg(*devs[2]);
  std::vector<LegProbe> probes;
  for (uint32_t i = 0; i < 2; ++i) probes.push_back(probe_leg(*devs[i], "leg" + std::to_string(i)));
  auto a = assemble_array(probes);
  if (!a) return "assembly of slots 0 and 1: " + a.error().describe();
  if (leg2 && leg2->sb.array_uuid != array) {
    for (uint32_t s = 0; s < kMaxLegs; ++s)
      if (a->sb.legs[s].uuid == leg2->sb.leg_uuid && is_member_state(a->sb.legs[s].state))
        return "leg 2 carries the split-off array while the array lists it as slot " + std::to_string(s) + " (" +
               std::string(leg_state_name(a->sb.legs[s].state)) + ")";
    return {};
  }
  probes.push_back(probe_leg(*devs[2], "leg2"));
  auto all = assemble_array(probes);
  if (!all) return "assembly of every leg: " + all.error().describe();
  if (all->legs[2].disposition == Disposition::Member) {
    const SlotView* v = all->slot(static_cast<uint32_t>(all->legs[2].slot));
    if (v && v->state == SlotState::InSync && data_of(*devs[2]) != data_of(*devs[0]))
      return "leg 2 is in sync without the array's data";
  }
  return {};
}

// Every crash point and policy of `op` on a group set up by `setup`: the
// checks, then `rerun` on fresh images and `done` on its result.
void explore(bool split_first, const std::function<Status(std::vector<BlockDevice*>&)>& op,
             const std::function<std::string(std::vector<BlockDevice*>&)>& done) {
  CrashGroup g;
  setup(g, split_first);
  if (::testing::Test::HasFatalFailure()) return;
  std::vector<BlockDevice*> devs = g.devices();
  const Uuid array = read_leg(*devs[0])->sb.array_uuid;
  {
    std::vector<BlockDevice*> live = devs;
    auto st = op(live);
    ASSERT_TRUE(st) << st.error().describe();
  }
  const uint64_t n = g.clock();
  ASSERT_GT(n, 0u);
  CrashReplay replay(g);
  size_t failures = 0;
  for (uint64_t k = 0; k <= n && failures < 3; ++k) {
    replay.advance_to(k);
    for (CrashPolicy p : kAllCrashPolicies) {
      auto images = replay.images(p, k * 7 + 1);
      std::vector<BlockDevice*> d;
      for (auto& i : images) d.push_back(i.get());
      std::string why = check_membership(d, array);
      if (why.empty()) {
        if (auto st = op(d); !st) why = "rerun: " + st.error().describe();
        else why = done(d);
      }
      if (!why.empty()) {
        ++failures;
        ADD_FAILURE() << "cut after I/O " << k << " of " << n << " (" << crash_policy_name(p) << "): " << why;
      }
    }
  }
}

TEST(SplitCrash, ACutSplitIsTheOldArrayOrFinishedByARerun) {
  const std::vector<std::byte> data = pattern(kArray.data_size, 5);
  explore(
      false,
      [](std::vector<BlockDevice*>& d) -> Status {
        DMIRROR_ASSIGN_OR_RETURN(auto r, split_leg(d, 2, SplitOptions{.name = "bak"}));
        (void)r;
        return ok();
      },
      [&](std::vector<BlockDevice*>& d) -> std::string {
        auto m = read_leg(*d[2]);
        if (!m || !m->sb.origin.set() || m->sb.name != "bak") return "leg 2 is not the split-off array";
        if (data_of(*d[2]) != data) return "the split-off array lacks the data of the split";
        auto a = assemble_array({probe_leg(*d[0]), probe_leg(*d[1])});
        if (!a || a->splits.size() != 1 || !a->splits[0].tracking) return "slot 2 is not split and tracked";
        return {};
      });
}

TEST(SplitCrash, ACutMergeIsTheSplitOrFinishedByARerun) {
  explore(
      true,
      [](std::vector<BlockDevice*>& d) -> Status {
        DMIRROR_ASSIGN_OR_RETURN(auto r, merge_split(std::vector<BlockDevice*>{d[0], d[1]}, *d[2]));
        (void)r;
        return ok();
      },
      [](std::vector<BlockDevice*>& d) -> std::string {
        if (data_of(*d[2]) != data_of(*d[0])) return "the merged leg lacks the array's data";
        if (data_of(*d[1]) != data_of(*d[0])) return "the array's legs differ";
        auto a = assemble_array({probe_leg(*d[0]), probe_leg(*d[1]), probe_leg(*d[2])});
        if (!a) return a.error().describe();
        if (a->health != Health::Healthy) return "the merged array is " + std::string(health_name(a->health));
        return {};
      });
}

}  // namespace
}  // namespace dmirror::testing
