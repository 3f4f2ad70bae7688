// SPDX-License-Identifier: LGPL-2.1-or-later
// FORMAT.md 2.6 rule 18: the generations of two legs tell a leg that is
// only behind from one written apart. Pure assembly, no devices: each test
// builds the legs' superblocks as the writers (rule 19) would have left them.
#include <dmirror/assembly.h>
#include <dmirror/generation.h>

#include <gtest/gtest.h>

#include "unit/assembly_probes.h"

namespace dmirror {
namespace {

constexpr uint64_t kG = 0x1111, kG1 = 0x2222, kG2 = 0x3333;

// An n-leg array at `seqno` in generation `g` (no history), every leg in
// sync (assembly_probes.h's array, with GENERATION).
Superblock array_sb(uint32_t n, uint64_t seqno, uint64_t g = kG) {
  Superblock sb = dmirror::array_sb(n, seqno);
  sb.incompat |= feature::kIncompatGeneration;
  sb.generation = g;
  for (uint32_t i = 0; i < n; ++i) sb.legs[i].state_seq = 1;
  return sb;
}

Superblock without_generations(Superblock sb) {
  sb.incompat &= ~feature::kIncompatGeneration;
  sb.generation = 0;
  sb.generation_history = {};
  return sb;
}

const SlotView& slot(const Assembly& a, uint32_t s) {
  const SlotView* v = a.slot(s);
  EXPECT_NE(v, nullptr) << "slot " << s;
  return *v;
}

TEST(AssemblyGeneration, AnHonestOlderImageOfTheSameGenerationIsOnlyStale) {
  // Leg 1 restored from an image taken at seqno 5; leg 0 went on with it
  // present (no new generation).
  auto a = assemble_array({leg(array_sb(2, 9), 0), leg(array_sb(2, 5), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Journal);
  EXPECT_EQ(a->health, Health::Degraded);
}

// Slot 2 replaced slot 1 with both legs present (generation G kept, seqno
// 7); leg 0 is then rolled back to its image at seqno 3, from before the
// replace, and written alone: its writer left slot 1 behind and started G1.
struct RolledBackPastAReplace {
  Superblock replacement = array_sb(3, 7);
  Superblock rolled_back = array_sb(2, 4, kG1);
  RolledBackPastAReplace() {
    replacement.legs[1].state = LegState::Removed;
    replacement.legs[1].state_seq = 7;
    replacement.legs[2].state_seq = 7;
    rolled_back.legs[1].state = LegState::Missing;
    rolled_back.legs[1].state_seq = 4;
    rolled_back.generation_history[0] = {kG, 3};
  }
};

TEST(AssemblyGeneration, ALegRolledBackPastAReplaceAndWrittenAloneIsASplitBrain) {
  RolledBackPastAReplace s;
  auto a = assemble_array({leg(s.rolled_back, 0), leg(s.replacement, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
  EXPECT_EQ(a->health, Health::Inconsistent);
  // The tables alone cannot see it: without generations leg 0 was only stale.
  auto old = assemble_array({leg(without_generations(s.rolled_back), 0), leg(without_generations(s.replacement), 2)});
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->split_brain);
  EXPECT_EQ(slot(*old, 0).state, SlotState::Stale);
}

TEST(AssemblyGeneration, ALegWrittenAloneUntilItIsNewestStillSplitsFromTheReplacement) {
  // Leg 0 went on past the replacement's seqno: its table does not list
  // slot 2, yet slot 2 went on in G after leg 0's line left it at 3.
  RolledBackPastAReplace s;
  s.rolled_back.seqno = 12;
  auto a = assemble_array({leg(s.rolled_back, 0), leg(s.replacement, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_TRUE(a->split_brain);
  EXPECT_EQ(a->health, Health::Inconsistent);
}

TEST(AssemblyGeneration, ALegThatStoppedAtTheBranchIsBehindAndOneThatWentOnDiverged) {
  // Leg 0 went on without leg 1 after seqno 7: G1, history {G, 7}.
  Superblock now = array_sb(2, 12, kG1);
  now.generation_history[0] = {kG, 7};
  now.legs[1].state = LegState::Missing;
  now.legs[1].state_seq = 8;
  for (uint64_t seqno : {5, 7}) {
    auto a = assemble_array({leg(now, 0), leg(array_sb(2, seqno), 1)});
    ASSERT_TRUE(a) << a.error().describe();
    EXPECT_FALSE(a->split_brain) << "seqno " << seqno;
    EXPECT_EQ(slot(*a, 1).state, SlotState::Stale) << "seqno " << seqno;
  }
  // Leg 1 at seqno 9 in G: it took commits in G after leg 0's line left
  // G, without leg 0 (its table does not even say so: rolled back, say).
  auto a = assemble_array({leg(now, 0), leg(array_sb(2, 9), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
  EXPECT_EQ(a->health, Health::Inconsistent);
  // The same with the roles exchanged: the leg behind started the new
  // generation (leg 1 in G at 15, leg 0 branched from G at 7).
  a = assemble_array({leg(now, 0), leg(array_sb(2, 15), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
}

TEST(AssemblyGeneration, TwoLinesBranchedFromOneParentDiverged) {
  // Each leg was written without the other: G1 and G2, both from G at 7.
  Superblock x = array_sb(2, 9, kG1), y = array_sb(2, 11, kG2);
  x.generation_history[0] = {kG, 7};
  y.generation_history[0] = {kG, 7};
  auto a = assemble_array({leg(x, 0), leg(y, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
}

TEST(AssemblyGeneration, OneSeqnoTwoGenerationsIsASplitBrain) {
  auto a = assemble_array({leg(array_sb(2, 9, kG1), 0), leg(array_sb(2, 9, kG2), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
}

// Leg 0's line started 8 generations since leg 1 left G at 2: G fell off.
Superblock overflowed() {
  Superblock now = array_sb(2, 40, 0x9000);
  for (uint64_t i = 0; i < kGenerationHistory; ++i)
    now.generation_history[i] = {0x8000 + i, 36 - 2 * i};
  now.legs[1].state = LegState::Missing;
  now.legs[1].state_seq = 3;
  return now;
}

TEST(AssemblyGeneration, ALegOnlyAwayPastAnOverflowedHistoryIsStaleByTheTables) {
  // Leg 1 stopped at 2 listing leg 0 in sync; leg 0's table records it
  // missing since 3. G fell off leg 0's history, but the tables still say
  // leg 1 was left behind after its last commit: it is only stale.
  auto a = assemble_array({leg(overflowed(), 0), leg(array_sb(2, 2), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
  // Leg 1 written on its own after it left: its table marks leg 0 missing,
  // and leg 0's records it missing since 3, which leg 1 passed. Split.
  Superblock apart = array_sb(2, 5, 0x7000);
  apart.generation_history[0] = {kG, 2};
  apart.legs[0].state = LegState::Missing;
  apart.legs[0].state_seq = 3;
  a = assemble_array({leg(overflowed(), 0), leg(apart, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
}

TEST(AssemblyGeneration, AnOverflowedHistoryWithoutEvidenceIsInconsistentAndSaysSo) {
  // No table records when leg 1 left (an entry from before state_seq):
  // nothing tells only-away from written-apart.
  Superblock now = overflowed();
  now.legs[1].state_seq = 0;
  auto a = assemble_array({leg(now, 0), leg(array_sb(2, 2), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
  EXPECT_EQ(a->health, Health::Inconsistent);
  bool said = false;
  for (const Finding& f : a->findings) {
    if (f.code != "split-brain") continue;
    said = true;
    EXPECT_NE(f.message.find("cannot be told whether leg1 was only away"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("resync --from leg0"), std::string::npos) << f.message;
    EXPECT_EQ(f.message.find("written apart:"), std::string::npos) << f.message;
  }
  EXPECT_TRUE(said);
  // Once the history still reaches G it is only behind.
  now.generation_history[kGenerationHistory - 1] = {kG, 2};
  a = assemble_array({leg(now, 0), leg(array_sb(2, 2), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
}

TEST(AssemblyGeneration, ALegOnlyAwayWhileItsSlotMateWasReplacedPastTheHistoryIsStale) {
  // Leg 1 stopped at 2 with slot 0 in sync; slot 0 was then replaced by
  // slot 2 in the other line, whose history overflowed. Leg 1's table
  // does not know slot 2 but marks no leg absent: it never committed
  // without the legs it lists, and was recorded missing after its last
  // commit. Only stale.
  Superblock now = overflowed();
  now.nr_legs = 3;
  now.legs[0].state = LegState::Removed;
  now.legs[0].state_seq = 21;
  now.legs[2] = now.legs[0];
  now.legs[2].uuid.bytes.fill(0x42);
  now.legs[2].state = LegState::InSync;
  auto a = assemble_array({leg(now, 2), leg(array_sb(2, 2), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
  // Had leg 1 been written without slot 0, nothing would tell: undecided.
  Superblock apart = array_sb(2, 2);
  apart.legs[0].state = LegState::Missing;
  apart.legs[0].state_seq = 2;
  a = assemble_array({leg(now, 2), leg(apart, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
  EXPECT_TRUE(slot(*a, 1).split_undecided);
}

TEST(AssemblyGeneration, ARemovedLegStillInUseInTheOtherTableIsEvidenceOfDivergence) {
  // The newest line (slot 2 at 34) replaced slot 0 at 21 and records slot
  // 1 missing since 11; its history overflowed. Slot 1, rolled back to
  // seqno 1 and written alone, was replaced by a leg (uuid 0x99) in slot 2
  // of its own line at 9: that table records slot 1 removed at 9, a
  // commit the newest line passed still listing slot 1 missing. Removal
  // is final: the 0x99 leg holds commits the newest line never saw.
  Superblock now = overflowed();
  now.seqno = 34;
  now.nr_legs = 3;
  now.legs[0].state = LegState::Removed;
  now.legs[0].state_seq = 21;
  now.legs[1].state_seq = 11;
  now.legs[2] = now.legs[0];
  now.legs[2].uuid.bytes.fill(0x42);
  now.legs[2].state = LegState::InSync;
  Superblock other = array_sb(3, 9, 0x5000);
  other.generation_history[0] = {0x4000, 2};
  other.generation_history[1] = {kG, 1};
  other.legs[0].state = LegState::Missing;
  other.legs[0].state_seq = 2;
  other.legs[1].state = LegState::Removed;
  other.legs[1].state_seq = 9;
  other.legs[2].uuid.bytes.fill(0x99);
  other.legs[2].state_seq = 9;
  auto a = assemble_array({leg(now, 2), leg(other, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_TRUE(a->split_brain) << "the 0x99 leg was taken for a leftover";
  // Between members the same: slot 1's table removed slot 2's leg at 6,
  // which slot 0's table (at 10) still lists in sync.
  Superblock y = array_sb(3, 10);
  y.legs[1].state = LegState::Missing;
  y.legs[1].state_seq = 7;
  Superblock x = array_sb(3, 6);
  x.legs[2].state = LegState::Removed;
  x.legs[2].state_seq = 6;
  a = assemble_array({leg(y, 0), leg(x, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
  EXPECT_TRUE(slot(*a, 1).split) << "slot 1 taken for only behind";
}

TEST(AssemblyGeneration, ALegBeyondTheHistoryIsALeftoverOnlyOnEvidence) {
  // Leg 1 was replaced while away: the newest table records its uuid
  // removed at 3, after its last commit (2), and its own table marks no leg
  // absent. A leftover, left out.
  Superblock now = overflowed();
  now.legs[1].state = LegState::Removed;
  now.legs[1].state_seq = 3;
  now.nr_legs = 3;
  now.legs[2] = now.legs[0];
  now.legs[2].uuid.bytes.fill(0x77);
  auto a = assemble_array({leg(now, 0), leg(array_sb(2, 2), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_FALSE(a->split_brain);
  // Its slot reused by another leg since: nothing says when it left. Its
  // own table marking no leg absent is no proof (legs rolled back together
  // and written together mark none either): the other side, until chosen.
  now.legs[1].uuid.bytes.fill(0x78);
  a = assemble_array({leg(now, 0), leg(array_sb(2, 2), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_TRUE(a->split_brain);
  // Written on its own (its table marks leg 0 missing, a rolled-back
  // image): it may hold writes the array lacks. The other side, not a
  // leftover to wipe, until the administrator chooses.
  Superblock alone = array_sb(2, 2, 0x5555);
  alone.generation_history[0] = {kG, 1};
  alone.legs[0].state = LegState::Missing;
  alone.legs[0].state_seq = 2;
  a = assemble_array({leg(now, 0), leg(alone, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_TRUE(a->split_brain);
  EXPECT_EQ(wipe_hold(*a, 1), WipeHold::OtherSide);
  // Told of its own removal (its own entry says removed): a leftover.
  Superblock told = array_sb(2, 2);
  told.legs[1].state = LegState::Removed;
  a = assemble_array({leg(now, 0), leg(told, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
}

// Slot 3 replaced slot 1 (absent) in G1, branched from G at 7, and was
// written to seqno 14 with slot 2. Slot 2 is then rolled back to its image
// at seqno 7 (from before the replace: its table has no slot 3) and written
// alone in three degraded sessions, each starting a generation. Neither
// line knows the other's generation, but both left G at 7: each went on in
// a generation the other never knew.
struct RolledBackBeforeAReplaceOfAnother {
  Superblock replacement = array_sb(4, 14, kG1);
  Superblock rolled_back = array_sb(3, 16, 0x6112);
  RolledBackBeforeAReplaceOfAnother() {
    replacement.legs[0].state = LegState::Removed;
    replacement.legs[1].state = LegState::Removed;
    replacement.legs[1].state_seq = 13;
    replacement.legs[3].state_seq = 13;
    replacement.generation_history[0] = {kG, 7};
    rolled_back.legs[0].state = LegState::Removed;
    rolled_back.legs[1].state = LegState::Missing;
    rolled_back.legs[1].state_seq = 8;
    rolled_back.generation_history[0] = {0x6172, 13};
    rolled_back.generation_history[1] = {0x8783, 10};
    rolled_back.generation_history[2] = {0x6114, 8};
    rolled_back.generation_history[3] = {kG, 7};
  }
};

TEST(AssemblyGeneration, AReplacementBackBesideALegRolledBackBeforeTheReplaceIsASplitBrain) {
  RolledBackBeforeAReplaceOfAnother s;
  auto a = assemble_array({leg(s.rolled_back, 2), leg(s.replacement, 3)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->sb.seqno, 16u);
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_TRUE(a->split_brain) << "slot 3 holds writes slot 2's line never saw";
  EXPECT_EQ(a->health, Health::Inconsistent);
  // The administrator chooses; either side can be kept.
  a = assemble_array({leg(s.rolled_back, 2), leg(s.replacement, 3)}, AssembleOptions{.choose_slot = 3});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(a->chosen_slot, 3u);
  ASSERT_NE(a->slot(2), nullptr);
  ASSERT_NE(a->slot(3), nullptr);
  EXPECT_EQ(slot(*a, 2).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 2).recovery, Recovery::Full);
  EXPECT_EQ(slot(*a, 3).state, SlotState::InSync);
}

TEST(AssemblyGeneration, BeyondTheHistoryTheTablesStillSplitTheReplacementOff) {
  // Slot 2 wrote alone in more sessions than the history holds: G fell off
  // it. The replacement's table records slot 1 removed and slot 3 in sync
  // at commit 13, which slot 2's line passed without (rule 6).
  RolledBackBeforeAReplaceOfAnother s;
  s.rolled_back.seqno = 40;
  for (uint64_t i = 0; i < kGenerationHistory; ++i) s.rolled_back.generation_history[i] = {0x8000 + i, 38 - 2 * i};
  auto a = assemble_array({leg(s.rolled_back, 2), leg(s.replacement, 3)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_TRUE(a->split_brain);
  EXPECT_EQ(a->health, Health::Inconsistent);
}

TEST(AssemblyGeneration, AReplacedLegOnlyBehindTheBranchIsNoSplitBrain) {
  // The same replacement given with the leg it replaced, rolled back into
  // G before the branch: one line, the old leg only behind and left out.
  RolledBackBeforeAReplaceOfAnother s;
  Superblock old = array_sb(3, 6);
  auto a = assemble_array({leg(s.replacement, 3), leg(old, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_FALSE(a->split_brain);
  // Both list G, but a line that went on from the replacement's generation
  // knows it: the replacement is only behind (the shared ancestor is no
  // evidence when one leg's generation is in the other's history).
  Superblock later = s.replacement;
  later.seqno = 20;
  later.generation = 0x5555;
  later.generation_history[0] = {kG1, 14};
  later.generation_history[1] = {kG, 7};
  a = assemble_array({leg(later, 3), leg(s.replacement, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 2).state, SlotState::Stale);
}

TEST(AssemblyGeneration, AnImageFromBeforeGenerationsIsJudgedByTheUpgradeBranch) {
  // The first commit with generations left the line before them (0) at 5.
  Superblock now = array_sb(2, 8, kG1);
  now.generation_history[0] = {0, 5};
  auto a = assemble_array({leg(now, 0), leg(without_generations(array_sb(2, 5)), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
  // Written on by a version without generations after the branch: diverged.
  a = assemble_array({leg(now, 0), leg(without_generations(array_sb(2, 6)), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->split_brain);
  // No branch from the line before generations known: the tables decide.
  now.generation_history[0] = {};
  a = assemble_array({leg(now, 0), leg(without_generations(array_sb(2, 6)), 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
}

TEST(AssemblyGeneration, AChoiceSettlesAGenerationSplit) {
  RolledBackPastAReplace s;
  auto a = assemble_array({leg(s.rolled_back, 0), leg(s.replacement, 2)}, AssembleOptions{.choose_slot = 2});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(a->chosen_slot, 2u);
  EXPECT_EQ(slot(*a, 0).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 0).recovery, Recovery::Full);
}

// Rule 19, the writer's side.
TEST(GenerationKeeper, ASessionOfEveryMemberKeepsTheGeneration) {
  Superblock sb = array_sb(3, 5);
  GenerationKeeper keeper(sb);
  keeper.before_commit(sb, 6, [](uint32_t) { return true; });
  EXPECT_EQ(sb.generation, kG);
  EXPECT_EQ(sb.generation_history[0], GenerationEntry{});
  EXPECT_FALSE(keeper.started());
}

TEST(GenerationKeeper, TheFirstCommitWithoutASlotStartsOneGeneration) {
  Superblock sb = array_sb(3, 5);
  GenerationKeeper keeper(sb);
  keeper.before_commit(sb, 6, [](uint32_t s) { return s != 2; });
  EXPECT_NE(sb.generation, kG);
  EXPECT_NE(sb.generation, 0u);
  EXPECT_EQ(sb.generation_history[0], (GenerationEntry{kG, 5}));
  const uint64_t g1 = sb.generation;
  keeper.before_commit(sb, 7, [](uint32_t s) { return s != 2; });
  EXPECT_EQ(sb.generation, g1) << "one new generation per session";
  // Every session without the slot starts its own, recorded missing or not:
  // a rolled-back image of the only leg present must not go on in the
  // generation its original went on in.
  sb.legs[2].state = LegState::Missing;
  GenerationKeeper next(sb);
  next.before_commit(sb, 8, [](uint32_t s) { return s != 2; });
  EXPECT_NE(sb.generation, g1);
  EXPECT_EQ(sb.generation_history[0], (GenerationEntry{g1, 7}));
  EXPECT_EQ(sb.generation_history[1], (GenerationEntry{kG, 5}));
}

TEST(GenerationKeeper, ARemovedSlotLeftBehindStartsNoGeneration) {
  Superblock sb = array_sb(3, 5);
  GenerationKeeper keeper(sb);
  sb.legs[1].state = LegState::Removed;   // replaced during the session
  keeper.before_commit(sb, 6, [](uint32_t s) { return s != 1; });
  EXPECT_EQ(sb.generation, kG);
}

TEST(GenerationKeeper, TheHistoryKeepsTheNewestEightAndAnUpgradeBranchesFromZero) {
  Superblock sb = without_generations(array_sb(2, 5));
  GenerationKeeper(sb).before_commit(sb, 6, [](uint32_t) { return true; });
  EXPECT_TRUE(sb.incompat & feature::kIncompatGeneration);
  EXPECT_NE(sb.generation, 0u);
  EXPECT_EQ(sb.generation_history[0], (GenerationEntry{0, 5}));
  for (uint64_t seqno = 7; seqno < 17; ++seqno) start_generation(sb, seqno);
  EXPECT_EQ(sb.generation_history[0].branch_seqno, 16u);
  EXPECT_EQ(sb.generation_history[7].branch_seqno, 9u);
}

// FORMAT.md 2.6 rule 18, fourth case (oracle long mode, seed
// 10737203509725790541): slot 0 rolled back to an image from seqno 1 and
// written alone through a replace (its new leg in slot 2, generations
// 7407 then 3196) while the array went on to seqno 27, its history full
// (8 entries, the shared generation 4757 fallen off). The rolled-back
// line's leg holds the newest acknowledged write; the newest table lists
// another leg in slot 2. It entered its generation (after seqno 7) within
// the full history's coverage (from seqno 2), which does not list it: it
// diverged, and is never taken for a leftover to wipe.
TEST(Assembly, ALegThatEnteredItsGenerationWithinAFullHistoryDiverged) {
  Superblock a = array_sb(3, 27);
  a.incompat |= feature::kIncompatGeneration;
  a.generation = 6394;
  const uint64_t gens[8][2] = {{3677, 26}, {8992, 18}, {1727, 16}, {6597, 13}, {718, 10}, {6461, 7}, {3492, 5}, {4843, 2}};
  for (int i = 0; i < 8; ++i) a.generation_history[i] = {gens[i][0], gens[i][1]};
  a.legs[0].state = LegState::Missing;
  a.legs[0].state_seq = 27;
  a.legs[1].state = LegState::Removed;
  a.legs[1].state_seq = 25;
  a.legs[2].state_seq = 25;
  Superblock b = array_sb(3, 9);
  b.incompat |= feature::kIncompatGeneration;
  b.generation = 3196;
  b.generation_history[0] = {7407, 7};
  b.generation_history[1] = {4757, 1};
  b.legs[0].state = LegState::Removed;
  b.legs[0].state_seq = 7;
  b.legs[1].state = LegState::Missing;
  b.legs[1].state_seq = 2;
  b.legs[2].uuid = random_uuid();   // another leg in slot 2
  b.legs[2].state_seq = 7;
  auto r = assemble_array({leg(a, 2), leg(b, 2)});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->split_brain);
  EXPECT_EQ(wipe_hold(*r, 1), WipeHold::OtherSide);
}

}  // namespace
}  // namespace dmirror
