// SPDX-License-Identifier: LGPL-2.1-or-later
// probe_settled(): a reader racing a superblock commit probes again until
// two rounds read the same superblocks.
#include "array/assembly_settle.h"

#include <gtest/gtest.h>

#include <map>

namespace dmirror {
namespace {

LegProbe leg_at(const std::string& path, uint64_t seqno, CopyState copy1 = CopyState::Valid) {
  LegProbe p;
  p.name = path;
  LegMetadata m;
  m.copies[0] = {CopyState::Valid, 0, seqno, ""};
  m.copies[1] = {copy1, 65536, seqno, ""};
  m.sb.seqno = seqno;
  p.meta = m;
  return p;
}

// Leg b is read once before a commit reaches it (seqno 7 while a is at 8),
// once while its second copy is being written, then settled at 8.
TEST(ProbeSettled, ProbesAgainUntilACommitHasReachedEveryLeg) {
  std::map<std::string, int> calls;
  ProbeFn probe = [&](const std::string& path) {
    const int n = calls[path]++;
    if (path == "a") return leg_at(path, 8);
    if (n == 0) return leg_at(path, 7);
    if (n == 1) return leg_at(path, 8, CopyState::Corrupt);
    return leg_at(path, 8);
  };
  Findings f;
  auto probes = probe_settled({"a", "b"}, probe, f);
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[1].meta->sb.seqno, 8u);
  EXPECT_EQ(probes[1].meta->copies[1].state, CopyState::Valid);
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(calls["b"], 4) << "two equal rounds after the commit";
}

TEST(ProbeSettled, SaysSoWhenTheMetadataNeverSettles) {
  uint64_t seq = 1;
  ProbeFn probe = [&](const std::string& path) { return leg_at(path, seq++); };
  Findings f;
  auto probes = probe_settled({"a"}, probe, f, 4);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, "metadata-changing");
  EXPECT_EQ(probes[0].meta->sb.seqno, 4u) << "the last round is kept";
}

TEST(ProbeSettled, AStableArrayIsReadTwice) {
  int calls = 0;
  ProbeFn probe = [&](const std::string& path) { ++calls; return leg_at(path, 3); };
  Findings f;
  probe_settled({"a", "b", "c"}, probe, f);
  EXPECT_EQ(calls, 6);
  EXPECT_TRUE(f.empty());
}

}  // namespace
}  // namespace dmirror
