// SPDX-License-Identifier: LGPL-2.1-or-later
// apply_kernel_state(): while a volume is active the kernel owns the sync
// state, so a leg it failed is failed in the array's health before our
// metadata records it; a resync ('a' on every leg) degrades nothing.
#include <dmirror/assembly.h>

#include <gtest/gtest.h>

#include "unit/assembly_probes.h"

namespace dmirror {
namespace {

Assembly healthy_pair() {
  const Superblock sb = array_sb(2, 7);
  auto a = assemble_array({leg(sb, 0), leg(sb, 1)});
  EXPECT_TRUE(a);
  EXPECT_EQ(a->health, Health::Healthy);
  return *a;
}

TEST(AssemblyKernel, ALegTheKernelFailedIsFailedBeforeItIsRecorded) {
  Assembly a = healthy_pair();
  apply_kernel_state(a, {{0, 'A'}, {1, 'D'}});
  EXPECT_EQ(a.health, Health::Degraded);
  EXPECT_TRUE(a.degraded);
  EXPECT_EQ(a.slots[0].state, SlotState::InSync);
  EXPECT_EQ(a.slots[1].state, SlotState::Failed);
  ASSERT_FALSE(a.findings.empty());
  EXPECT_EQ(a.findings.back().code, "kernel-state");
  EXPECT_EQ(a.findings.back().slot, 1);
  EXPECT_EQ(a.findings.back().severity, Severity::Warning);
}

TEST(AssemblyKernel, EveryLegFailedLeavesNoCopy) {
  Assembly a = healthy_pair();
  apply_kernel_state(a, {{0, 'D'}, {1, '-'}});
  EXPECT_EQ(a.health, Health::Failed);
  EXPECT_EQ(a.slots[1].state, SlotState::Missing);
}

TEST(AssemblyKernel, AResyncOrAnAgreeingKernelChangesNothing) {
  for (const std::map<uint32_t, char>& k :
       {std::map<uint32_t, char>{{0, 'a'}, {1, 'a'}}, std::map<uint32_t, char>{{0, 'A'}, {1, 'A'}},
        std::map<uint32_t, char>{}}) {
    Assembly a = healthy_pair();
    const size_t findings = a.findings.size();
    apply_kernel_state(a, k);
    EXPECT_EQ(a.health, Health::Healthy);
    EXPECT_FALSE(a.degraded);
    EXPECT_EQ(a.findings.size(), findings);
  }
}

TEST(AssemblyKernel, AWorseHealthStays) {
  Superblock sb = array_sb(3, 7);
  sb.legs[2].state = LegState::Failed;
  auto a = assemble_array({leg(sb, 0), leg(sb, 1)});
  ASSERT_TRUE(a);
  a->inconsistent = true;
  a->health = Health::Inconsistent;
  apply_kernel_state(*a, {{0, 'A'}, {1, 'D'}, {2, 'D'}});
  EXPECT_EQ(a->health, Health::Inconsistent) << "the worst condition decides";
  EXPECT_EQ(a->slots[2].state, SlotState::Failed) << "recorded failed already: unchanged";
}

}  // namespace
}  // namespace dmirror
