// SPDX-License-Identifier: LGPL-2.1-or-later
// takeover_choice() (spare_takeover.h): what the monitor does about a failed
// leg, from the live table's superblock and its own --no-spares. Pure.
#include <dmirror/dm/online/spare_takeover.h>
#include <dmirror/spare_policy.h>

#include <gtest/gtest.h>

#include "unit/assembly_probes.h"

namespace dmirror::dm {
namespace {

// Two legs, slot 1 failed, slot 2 a spare.
Superblock with_spare() {
  Superblock sb = array_sb(3, 9);
  sb.legs[1].state = LegState::Failed;
  sb.legs[2].state = LegState::Spare;
  sb.incompat |= feature::kIncompatSpares;
  set_spare_policy(sb, SparePolicy::Auto);
  return sb;
}

TEST(TakeoverChoice, ASpareListedIsTakenByDefault) {
  EXPECT_EQ(takeover_choice(with_spare(), true), TakeoverChoice::Take);
}

TEST(TakeoverChoice, TheArraysPolicyOffReportsOnly) {
  Superblock sb = with_spare();
  set_spare_policy(sb, SparePolicy::Off);
  EXPECT_EQ(takeover_choice(sb, true), TakeoverChoice::ArrayOff);
  // A value this version does not know is not taken for auto.
  sb.spare_takeover = 9;
  EXPECT_EQ(takeover_choice(sb, true), TakeoverChoice::ArrayOff);
  // Without the bit the field is reserved: auto.
  sb.compat &= ~feature::kCompatSparePolicy;
  EXPECT_EQ(takeover_choice(sb, true), TakeoverChoice::Take);
}

TEST(TakeoverChoice, TheMonitorsNoSparesWinsOverTheArray) {
  EXPECT_EQ(takeover_choice(with_spare(), false), TakeoverChoice::MonitorOff);
  Superblock sb = with_spare();
  set_spare_policy(sb, SparePolicy::Off);
  EXPECT_EQ(takeover_choice(sb, false), TakeoverChoice::MonitorOff);
}

TEST(TakeoverChoice, NoSpareListedOrAReplaceInProgress) {
  Superblock none = with_spare();
  none.legs[2] = LegEntry{};
  none.nr_legs = 2;
  EXPECT_EQ(takeover_choice(none, true), TakeoverChoice::NoSpare);
  Superblock busy = array_sb(4, 9);
  busy.legs[0].state = LegState::Replacing;
  busy.legs[0].replacement_slot = 1;
  busy.legs[1].state = LegState::Rebuilding;
  busy.legs[3].state = LegState::Spare;
  set_spare_policy(busy, SparePolicy::Auto);   // the canonical superblock has it off
  EXPECT_EQ(takeover_choice(busy, true), TakeoverChoice::ReplaceInProgress);
}

}  // namespace
}  // namespace dmirror::dm
