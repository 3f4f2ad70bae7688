// SPDX-License-Identifier: LGPL-2.1-or-later
// Legs coming back through dmirrorctl on 64 MiB sparse image files: a
// missing leg re-added by resync (journal or --full), a failed leg brought
// back by `replace --new` onto itself or `resync --re-add`, a split brain
// refused by every writer until `resync --from LEG`, and a replace resumed
// onto another device refused until --restart.
#include <dmirror/block_device.h>
#include <dmirror/events.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/legs.h>
#include <dmirror/replace.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>

#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

class RecoveryCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir.make_image("a.img", 64 << 20);
    b = dir.make_image("b.img", 64 << 20);
    c = dir.make_image("c.img", 64 << 20);
    d = dir.make_image("d.img", 64 << 20);
    auto r = run_tool({"create", "vol0", a, b, "--yes", "--no-activate"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto s = run_tool({"resync", a, b});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    payload = dir.path() + "/payload.bin";
    std::ofstream out(payload, std::ios::binary);
    for (int i = 0; i < 65536; ++i) out.put(static_cast<char>(i * 13 + 5));
  }

  Superblock superblock(const std::string& leg) {
    auto dev = open_device(leg, OpenOptions{.writable = false, .exclusive = false});
    EXPECT_TRUE(dev);
    auto m = read_leg(**dev);
    EXPECT_TRUE(m) << m.error().describe();
    return m->sb;
  }
  // Rewrites one leg's superblocks: its own after `edit`, seqno + 1.
  void commit_on(const std::string& leg, const std::function<void(Superblock&)>& edit) {
    Superblock s = superblock(leg);
    edit(s);
    s.seqno += 1;
    auto dev = open_device(leg, OpenOptions{.writable = true, .exclusive = false});
    ASSERT_TRUE(dev);
    ASSERT_TRUE(write_superblocks(**dev, s));
  }
  std::vector<Event> events(const std::string& leg, EventType type) {
    auto dev = open_device(leg, OpenOptions{.writable = false, .exclusive = false});
    auto h = read_events(**dev, superblock(leg));
    EXPECT_TRUE(h);
    std::vector<Event> out;
    for (const auto& e : h->events) if (e.type == type) out.push_back(e);
    return out;
  }
  std::string data_area(const std::string& leg) {
    const Superblock s = superblock(leg);
    return read_file(leg).substr(s.layout.data_offset, s.layout.data_size);
  }
  // What `io write a.img --degraded` leaves while b.img is away (FORMAT.md
  // 2.6 rules 11 and 12): a.img's table records b missing, the written
  // region stays marked in its journal, the data is on a.img only.
  void write_while_b_is_away() {
    Superblock s = superblock(a);
    s.incompat |= feature::kIncompatMembership;
    s.legs[1].state = LegState::Missing;
    s.legs[1].state_seq = s.seqno + 1;
    s.seqno += 1;
    auto dev = open_device(a, OpenOptions{.writable = true, .exclusive = false});
    ASSERT_TRUE(dev);
    ASSERT_TRUE(write_superblocks(**dev, s));
    auto j = WriteIntentJournal::load(**dev, s);
    ASSERT_TRUE(j);
    j->mark((1 << 20) / s.region_size);
    ASSERT_TRUE(j->write_pending(**dev));
    const std::string data = read_file(payload);
    ASSERT_TRUE((*dev)->write(s.layout.data_offset + (1 << 20),
                              std::span(reinterpret_cast<const std::byte*>(data.data()), data.size())));
    ASSERT_TRUE((*dev)->flush());
  }

  ScratchDir dir;
  std::string a, b, c, d, payload;
};

TEST_F(RecoveryCommands, AMissingLegIsReAddedFromTheJournal) {
  ASSERT_NO_FATAL_FAILURE(write_while_b_is_away());
  auto r = run_tool({"resync", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "slot 1 re-added from the journal: 1 region copied")) << r.out;
  EXPECT_EQ(superblock(a).legs[1].state, LegState::InSync);
  EXPECT_TRUE(data_area(a) == data_area(b)) << "the legs differ in the data area";
  auto ev = events(a, EventType::LegReAdded);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].slot, 1u);
  EXPECT_EQ(ev[0].args[0], 1u);
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0);
}

TEST_F(RecoveryCommands, FullCopiesEverythingOntoTheReturningLeg) {
  ASSERT_NO_FATAL_FAILURE(write_while_b_is_away());
  auto r = run_tool({"resync", "--full", a, b, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["readded_slots"], nlohmann::json::array({1})) << r.out;
  EXPECT_EQ(doc["journal_slots"], nlohmann::json::array()) << "a full copy";
  EXPECT_EQ(doc["recovery_regions_copied"], superblock(a).nr_regions);
  EXPECT_TRUE(data_area(a) == data_area(b));
  EXPECT_EQ(events(b, EventType::LegReAdded).at(0).args[0], 0u);
}

TEST_F(RecoveryCommands, AFailedLegComesBackByReplaceOntoItselfOrResyncReAdd) {
  for (const auto& leg : {a, b}) commit_on(leg, [](Superblock& s) { s.legs[1].state = LegState::Failed; });
  auto refused = run_tool({"resync", a, b});
  EXPECT_EQ(refused.exit_code, 0) << refused.err;
  EXPECT_TRUE(contains(refused.err, "--re-add")) << refused.err;
  EXPECT_EQ(superblock(a).legs[1].state, LegState::Failed);

  auto r = run_tool({"replace", a, b, "--old", "1", "--new", b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "re-added")) << r.out;
  EXPECT_EQ(superblock(a).legs[1].state, LegState::InSync);
  EXPECT_EQ(superblock(a).nr_legs, 2u);
  EXPECT_TRUE(data_area(a) == data_area(b));

  for (const auto& leg : {a, b}) commit_on(leg, [](Superblock& s) { s.legs[1].state = LegState::Failed; });
  auto re = run_tool({"resync", "--re-add", a, b});
  ASSERT_EQ(re.exit_code, 0) << re.out << re.err;
  EXPECT_TRUE(contains(re.out, "slot 1 re-added by a full copy")) << re.out;
  EXPECT_EQ(superblock(b).legs[1].state, LegState::InSync);
  EXPECT_EQ(run_tool({"verify", a, b}).exit_code, 0);
}

TEST_F(RecoveryCommands, SplitBrainIsRefusedByEveryWriterUntilResyncFrom) {
  commit_on(a, [](Superblock& s) { s.legs[1].state = LegState::Missing; });
  commit_on(b, [](Superblock& s) { s.legs[0].state = LegState::Missing; });
  const std::string before_a = read_file(a), before_b = read_file(b);
  const std::vector<std::vector<std::string>> writers = {
      {"resync", a, b},
      {"replace", a, b, "--old", "1", "--new", c},
      {"scrub", a, b, "--lock-dir=" + dir.path()},
      {"verify", a, b, "--repair"},
      {"io", "write", a, b, "--from", payload},
  };
  for (const auto& args : writers) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code & 4, 4) << args[0] << ": " << r.out << r.err;
    EXPECT_EQ(r.exit_code & 16, 0) << args[0];
    EXPECT_TRUE(contains(r.err, "split brain")) << args[0] << ": " << r.err;
    EXPECT_TRUE(contains(r.err, a) && contains(r.err, b)) << args[0] << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "resync --from")) << args[0] << ": " << r.err;
  }
  EXPECT_TRUE(read_file(a) == before_a && read_file(b) == before_b) << "a refused command wrote";

  auto r = run_tool({"resync", "--from", b, a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(data_area(a) == data_area(b));
  auto ev = events(a, EventType::SplitBrainResolved);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].slot, 1u);
  EXPECT_EQ(ev[0].args[0], 1u);
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0);
}

// FORMAT.md 2.6 rules 18, 19: slot 1 is replaced by c; a.img is then rolled
// back to an image from before the replace (the file copied back) and
// written alone; c.img comes back. c's newer table lists a in sync, but
// each holds acknowledged writes the other lacks: a split brain.
TEST_F(RecoveryCommands, ALegRolledBackPastAReplaceAndWrittenAloneSplitsFromTheReplacement) {
  const std::string old_a = read_file(a);
  auto rep = run_tool({"replace", a, b, "--old", "1", "--new", c});
  ASSERT_EQ(rep.exit_code, 0) << rep.out << rep.err;
  ASSERT_TRUE(run_tool({"io", "write", a, c, "--offset", "0", "--from", payload}).exit_code == 0);
  const uint64_t generation = superblock(c).generation;
  EXPECT_NE(generation, 0u);
  EXPECT_EQ(superblock(a).generation, generation) << "a session of every member keeps the generation";
  {
    std::ofstream out(a, std::ios::binary | std::ios::trunc);
    out << old_a;
  }
  // The honest older image is only stale.
  auto stale = run_tool({"status", a, c});
  EXPECT_EQ(stale.exit_code, 2) << stale.out << stale.err;
  EXPECT_TRUE(contains(stale.out, "stale")) << stale.out;

  auto w = run_tool({"io", "write", a, "--offset", "1M", "--from", payload, "--degraded"});
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  const Superblock alone = superblock(a);
  EXPECT_NE(alone.generation, generation) << "written without slot 1: a new generation";
  EXPECT_EQ(alone.generation_history[0].generation, generation);
  EXPECT_EQ(alone.legs[1].state, LegState::Missing);
  auto ex = run_tool({"examine", a, "--json"});
  EXPECT_TRUE(contains(ex.out, "\"generation_history\"")) << ex.out;

  const std::string before_a = read_file(a), before_c = read_file(c);
  auto st = run_tool({"status", a, c});
  EXPECT_EQ(st.exit_code & 4, 4) << st.out << st.err;
  EXPECT_TRUE(contains(st.out, "inconsistent")) << st.out;
  EXPECT_TRUE(contains(st.out, "split brain")) << st.out;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"resync", a, c}, {"io", "write", a, c, "--from", payload}, {"verify", a, c, "--repair"}}) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 12) << args[0] << ": " << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "split brain")) << args[0] << ": " << r.err;
  }
  EXPECT_TRUE(read_file(a) == before_a && read_file(c) == before_c) << "a refused command wrote";
}

// FORMAT.md 2.6 rule 18, past an overflowed history: b.img is away while
// a.img is written alone in more sessions than a generation history holds
// (each session a new generation), so b's generation fell off a's history.
// a's table still records b missing since a commit after b's last, and b's
// table lists a in sync: b was only away. It is stale and comes back from
// the journal, not a split brain.
TEST_F(RecoveryCommands, ALegAwayForMoreSessionsThanTheHistoryHoldsIsOnlyStale) {
  const uint64_t b_generation = superblock(b).generation;
  for (int i = 0; i < static_cast<int>(kGenerationHistory) + 2; ++i) {
    auto w = run_tool({"io", "write", a, "--offset", std::to_string(i) + "M", "--from", payload, "--degraded"});
    ASSERT_EQ(w.exit_code, 0) << i << ": " << w.out << w.err;
  }
  const Superblock now = superblock(a);
  for (const GenerationEntry& e : now.generation_history)
    ASSERT_NE(e.generation, b_generation) << "b's generation is still in the history";
  // Bits kept for b after each clean close are no unclean shutdown.
  EXPECT_TRUE(events(a, EventType::UncleanShutdown).empty()) << "a clean degraded session logged an unclean shutdown";
  auto st = run_tool({"status", a, b});
  EXPECT_EQ(st.exit_code, 2) << st.out << st.err;
  EXPECT_TRUE(contains(st.out, "stale")) << st.out;
  EXPECT_FALSE(contains(st.out, "split brain")) << st.out;
  auto r = run_tool({"resync", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "slot 1 re-added from the journal")) << r.out;
  EXPECT_TRUE(data_area(a) == data_area(b)) << "the legs differ in the data area";
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0);
}

// The same, but a's table does not say when b left (an entry written before
// leg tables recorded it): nothing tells only-away from written-apart. The
// split is reported as undecided, with the newer leg named to keep.
TEST_F(RecoveryCommands, PastAnOverflowedHistoryWithoutEvidenceTheSplitSaysItCannotTell) {
  for (int i = 0; i < static_cast<int>(kGenerationHistory) + 2; ++i)
    ASSERT_EQ(run_tool({"io", "write", a, "--offset", std::to_string(i) + "M", "--from", payload, "--degraded"}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(commit_on(a, [](Superblock& s) { s.legs[1].state_seq = 0; }));
  const std::string before_a = read_file(a), before_b = read_file(b);
  auto st = run_tool({"status", a, b, "--json"});
  EXPECT_EQ(st.exit_code & 4, 4) << st.out << st.err;
  auto doc = nlohmann::json::parse(st.out);
  EXPECT_EQ(doc["legs"][1]["role"], "split") << st.out;
  EXPECT_EQ(doc["legs"][1]["split_undecided"], true) << st.out;
  EXPECT_EQ(doc["legs"][0]["split_undecided"], true) << "both sides of an undecided split: " << st.out;
  auto text = run_tool({"status", a, b});
  EXPECT_TRUE(contains(text.out, "cannot be told whether " + b + " was only away")) << text.out;
  EXPECT_TRUE(contains(text.out, "resync --from " + a)) << text.out;
  EXPECT_FALSE(contains(text.out, "written apart from the other side")) << text.out;
  EXPECT_EQ(run_tool({"resync", a, b}).exit_code, 12);
  EXPECT_TRUE(read_file(a) == before_a && read_file(b) == before_b) << "a refused command wrote";
  auto r = run_tool({"resync", "--from", a, a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(data_area(a) == data_area(b));
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0);
}

// The only leg left has failed (the other missing): there is nothing to
// copy it from, so the advice is not a re-add or a replace (each refused
// for want of a source, which sent the administrator round in a loop) but
// `resync --force`, which raises the failed leg as a last resort.
TEST_F(RecoveryCommands, TheOnlyLegLeftFailedIsRaisedByForceAndTheAdviceLeadsThere) {
  ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "0", "--from", payload}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(commit_on(a, [](Superblock& s) {
    s.legs[0].state = LegState::Failed;
    s.legs[0].state_seq = s.seqno + 1;
    s.legs[1].state = LegState::Missing;
    s.legs[1].state_seq = s.seqno + 1;
  }));
  const std::string before = read_file(a), before_c = read_file(c);
  auto st = run_tool({"status", a});
  EXPECT_EQ(st.exit_code, 6) << st.out << st.err;
  EXPECT_TRUE(contains(st.out, "may hold the only copy of the data")) << st.out;
  EXPECT_TRUE(contains(st.out, "`dmirrorctl resync --force` raises the freshest stale or failed leg")) << st.out;
  EXPECT_FALSE(contains(st.out, "--re-add")) << st.out;
  EXPECT_FALSE(contains(st.out, "cannot help")) << st.out;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"resync", a}, {"resync", "--re-add", a}, {"replace", a, "--old", "0", "--new", c}}) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 8) << args[0] << ": " << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "no in-sync leg")) << args[0] << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "resync --force")) << args[0] << ": " << r.err;
    EXPECT_FALSE(contains(r.err, "journal")) << args[0] << ": " << r.err;
  }
  EXPECT_TRUE(read_file(a) == before && read_file(c) == before_c) << "a refused command wrote";

  auto f = run_tool({"resync", "--force", a});
  ASSERT_EQ(f.exit_code, 0) << f.out << f.err;
  EXPECT_TRUE(contains(f.out, "slot 0 forced in sync")) << f.out;
  EXPECT_EQ(superblock(a).legs[0].state, LegState::InSync);
  EXPECT_EQ(events(a, EventType::LegForced).size(), 1u);
  auto rd = run_tool({"io", "read", a, "--offset", "0", "--length", "65536"});
  ASSERT_EQ(rd.exit_code, 0) << rd.err;
  EXPECT_TRUE(rd.out == read_file(payload)) << "the forced leg's data";
  // The missing leg returns: re-added from the journal, healthy again.
  auto back = run_tool({"resync", a, b});
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0);
}

TEST_F(RecoveryCommands, ReplaceResumesOnlyOntoTheRecordedDeviceOrRestarts) {
  {
    // An interrupted replace of slot 1 by c.img.
    auto legs = open_legs({a, b});
    ASSERT_TRUE(legs);
    auto fresh = open_legs({c});
    ASSERT_TRUE(fresh);
    std::atomic<bool> cancel{true};
    ReplaceOptions o;
    o.control.cancel = &cancel;
    ASSERT_FALSE(replace(legs->devices(), 1, *fresh->owned[0], o));
  }
  ASSERT_EQ(superblock(a).checkpoint.op, OfflineOp::Replace);
  auto other = run_tool({"replace", a, b, "--old", "1", "--new", d});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_TRUE(contains(other.err, c)) << "names the recorded device: " << other.err;
  EXPECT_TRUE(contains(other.err, "--restart")) << other.err;
  auto r = run_tool({"replace", a, b, "--old", "1", "--new", d, "--restart"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(data_area(a) == data_area(d));
  EXPECT_EQ(run_tool({"verify", a, d}).exit_code, 0);
  auto st = run_tool({"status", a, d});
  EXPECT_EQ(st.exit_code, 0) << st.out;
  EXPECT_TRUE(contains(st.out, "removed")) << "the emptied slot 1 is shown: " << st.out;
}

}  // namespace
}  // namespace dmirror::testing
