// SPDX-License-Identifier: LGPL-2.1-or-later
// The oracle test: random sequences of steps against the real library, the
// invariants of invariants.h after every step.
//
//   oracle_tests                          CI: the GoogleTest cases below (>= 10^5 steps in all)
//   oracle_tests --seconds N [--seed S] [--steps M]
//                                         long mode: random sequences of M steps (default 60)
//                                         for N seconds, from seed S (default: random);
//                                         also DMIRROR_ORACLE_SECONDS=N
//   oracle_tests --replay SEED STEP...     replays one sequence (STEP as printed: kind#seed)
//
// DMIRROR_ORACLE_INVARIANTS=all (or a comma-separated list of names) chooses
// the invariants; DMIRROR_ORACLE_SEED changes the CI base seed.
#include <gtest/gtest.h>

#include <dmirror/probe.h>

#include <malloc.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <random>

#include "oracle/command_lock.h"
#include "oracle/runner.h"
#include "oracle/sector_data.h"
#include "oracle/world.h"
#include "support/scratch.h"

namespace dmirror::oracle {
namespace {

RunConfig ci_config() {
  RunConfig c;
  c.invariants = ci_invariants();
  c.check_lock = kArrayLock;
  return c;
}

uint64_t base_seed() {
  const char* s = std::getenv("DMIRROR_ORACLE_SEED");
  return s ? std::strtoull(s, nullptr, 0) : 20261130;
}

uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t x = a * 0x9e3779b97f4a7c15ull + b + 0x632be59bd9b4e019ull;
  x ^= x >> 31; x *= 0xbf58476d1ce4e5b9ull; x ^= x >> 29;
  return x;
}

TEST(OracleSupport, SectorsNameTheirWrite) {
  std::vector<std::byte> buf(4 * kSector);
  fill_sectors(7, 100, buf);
  for (uint64_t i = 0; i < 4; ++i) EXPECT_EQ(decode_sector(std::span(buf).subspan(i * kSector, kSector), 100 + i), 7u);
  EXPECT_EQ(decode_sector(std::span(buf).subspan(0, kSector), 101), kGarbage);   // misdirected
  buf[3] ^= std::byte{1};
  buf[kSector + 200] ^= std::byte{0x40};
  EXPECT_EQ(decode_sector(std::span(buf).subspan(0, kSector), 100), kGarbage);
  EXPECT_EQ(decode_sector(std::span(buf).subspan(kSector, kSector), 101), kGarbage);
  std::vector<std::byte> zero(kSector);
  EXPECT_EQ(decode_sector(zero, 5), 0u);
}

TEST(OracleSupport, SwapPageIsSeenByLibblkid) {
  testing::ScratchDir dir;
  std::string path = dir.make_image("swap.img", kLegSize);
  write_bytes(path, 0, swap_page(kLegSize, 1));
  auto sigs = probe_signatures(path);
  ASSERT_TRUE(sigs.has_value()) << sigs.error().describe();
  ASSERT_FALSE(sigs->empty());
  EXPECT_EQ(sigs->front().type, "swap");
}

// CI: four shards, each at least 25000 steps of sequences of 40 steps.
class OracleCi : public ::testing::TestWithParam<int> {};

TEST_P(OracleCi, RandomSequencesKeepTheInvariants) {
  constexpr size_t kPerSequence = 40;
  const char* env = std::getenv("DMIRROR_ORACLE_CI_STEPS");   // per shard; for measurements
  const size_t kSteps = env ? std::strtoull(env, nullptr, 0) : 25000;
  RunConfig cfg = ci_config();
  size_t done = 0;
  for (uint64_t j = 0; done < kSteps; ++j) {
    uint64_t seed = mix(base_seed(), static_cast<uint64_t>(GetParam()) * 1000003 + j);
    auto f = run_sequence(seed, kPerSequence, cfg);
    if (f) {
      Failure s = shrink(*f, cfg);
      FAIL() << describe(s);
    }
    done += kPerSequence;
  }
  RecordProperty("steps", static_cast<int>(done));
}

INSTANTIATE_TEST_SUITE_P(Shards, OracleCi, ::testing::Range(0, 4));

int long_mode(double seconds, uint64_t seed, size_t per_sequence) {
  RunConfig cfg = ci_config();
  auto start = std::chrono::steady_clock::now();
  std::map<Invariant, Failure> found;
  uint64_t sequences = 0, steps = 0;
  std::cout << "oracle: long mode, " << seconds << " s, seed " << seed << ", " << per_sequence
            << " steps per sequence" << std::endl;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
    uint64_t s = mix(seed, sequences++);
    auto f = run_sequence(s, per_sequence, cfg);
    steps += f ? f->steps.size() : per_sequence;
    if (!f || found.count(f->violation.inv)) continue;
    Failure sh = shrink(*f, cfg);
    std::cout << describe(sh) << std::endl;
    found.emplace(f->violation.inv, sh);
  }
  std::cout << "oracle: " << sequences << " sequences, " << steps << " steps, " << found.size()
            << " invariants broken\n" << step_counts_table() << std::flush;
  return found.empty() ? 0 : 1;
}

int replay_mode(uint64_t seed, const std::vector<std::string>& args) {
  std::vector<Step> steps;
  for (const auto& a : args) {
    auto hash = a.find('#');
    Step s;
    bool known = false;
    for (int k = 0; k < kStepKinds; ++k)
      if (step_name(static_cast<StepKind>(k)) == a.substr(0, hash)) { s.kind = static_cast<StepKind>(k); known = true; }
    if (!known || hash == std::string::npos) {
      std::cerr << "oracle: not a step: " << a << "\n";
      return 2;
    }
    s.seed = std::strtoull(a.c_str() + hash + 1, nullptr, 10);
    steps.push_back(s);
  }
  RunConfig cfg = ci_config();
  auto f = replay(seed, steps, cfg);
  if (!f) {
    std::cout << "oracle: no violation\n";
    return 0;
  }
  std::cout << describe(*f);
  return 1;
}

}  // namespace
}  // namespace dmirror::oracle

int main(int argc, char** argv) {
  using namespace dmirror::oracle;
  // Every step reads whole data areas into fresh buffers; keep them on the
  // heap instead of a fresh mmap (and its page faults) each time.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  double seconds = 0;
  if (const char* e = std::getenv("DMIRROR_ORACLE_SECONDS")) seconds = std::strtod(e, nullptr);
  uint64_t seed = std::random_device{}();
  size_t per_sequence = 60;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) seconds = std::strtod(argv[++i], nullptr);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--steps" && i + 1 < argc) per_sequence = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--replay" && i + 1 < argc)
      return replay_mode(std::strtoull(argv[i + 1], nullptr, 0), std::vector<std::string>(argv + i + 2, argv + argc));
  }
  if (seconds > 0) return long_mode(seconds, seed, per_sequence);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
