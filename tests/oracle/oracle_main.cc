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
//   oracle_tests --sequence SEED [M]       runs the random sequence of M steps (default 60) the
//                                         long mode runs for SEED, and shrinks it if it fails
//
// DMIRROR_ORACLE_INVARIANTS=all (or a comma-separated list of names) chooses
// the invariants; DMIRROR_ORACLE_SEED changes the CI base seed.
#include <gtest/gtest.h>

#include <dmirror/probe.h>

#include <malloc.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <expected>
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

// Steps as printed ("kind#seed"); the error names the first that is not one.
std::expected<std::vector<Step>, std::string> parse_steps(const std::vector<std::string>& args) {
  std::vector<Step> steps;
  for (const auto& a : args) {
    auto hash = a.find('#');
    Step s;
    bool known = false;
    for (int k = 0; k < kStepKinds; ++k)
      if (step_name(static_cast<StepKind>(k)) == a.substr(0, hash)) { s.kind = static_cast<StepKind>(k); known = true; }
    if (!known || hash == std::string::npos) return std::unexpected(a);
    s.seed = std::strtoull(a.c_str() + hash + 1, nullptr, 10);
    steps.push_back(s);
  }
  return steps;
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

// Sequences the long mode found breaking an invariant, kept as printed
// (seed and shortest steps), replayed with every invariant on.
struct Found {
  const char* what;
  uint64_t seed;
  std::vector<std::string> steps;
};

const std::vector<Found>& found_sequences() {
  static const std::vector<Found> all = {
      {"a newer leg cut short made an older leg the authority; writes went to it alone",
       14757385749586477437ull,
       {"remove-leg#9370734009673707448", "replace#6600477604143173316", "snapshot#16242126614665974679",
        "truncate#3710054730896270970", "return-leg#3966238415104748411", "engine-writes#18375679438161236472",
        "rollback#3014582707733136334"}},
      {"replace gave the new leg a clean journal: the bits kept for a missing leg were lost",
       6611490972101516615ull,
       {"remove-leg#9492095975816816286", "engine-writes#1688892313498840832", "replace#18128223702234019416",
        "return-leg#8261024945033610318", "resync#9780224251632773507"}},
      {"a leg rolled back and written alone won over the leg that went on without it",
       15017307552749678851ull,
       {"snapshot#14408795573901020687", "engine-writes#4823272058706425987", "remove-leg#12829580629587426985",
        "rollback#4259878735956885585", "engine-writes#16059105376580152626", "return-leg#7199427346769360094"}},
      {"a leg that missed a replace came back alone, was written, and won over the replacement",
       3852857265274747216ull,
       {"remove-leg#853234846345050113", "engine-writes#17853332266064668584", "replace#2126340232844179448",
        "return-leg#10925464087992583438", "remove-leg#8102701085010477353", "engine-writes#5177045001996612209",
        "engine-writes#13333098523652662556", "engine-writes#2068039256093280882",
        "engine-writes#1683898074836386239", "return-leg#3436904220028024679"}},
      {"(excused) the primary's silent zeros in a crash window were copied over two good legs",
       2719834980615643346ull,
       {"crash-writes#5429286130457469987", "truncate#3333772416439431825", "grow#11937524822087740129",
        "engine-writes#18230945803454035838"}},
      {"two torn superblock updates in a row took a leg's seqno backwards",
       8782940668480762533ull, {"crash-writes#11251112068477062754", "crash-writes#12441329824281463612"}},
      // Lost with every leg holding it (World::forget_lost): a model error,
      // not a library one. Leg 1 is rolled back to before w1 while leg 0,
      // the only other copy, is absent; leg 1 is written alone (recording
      // slot 0 missing); slot 0 is replaced from it and the oracle discards
      // leg 0. No leg holds w1 and no superblock records it, yet an
      // unacknowledged write of the power cut on the new leg made the model
      // expect w1 from the survivors.
      {"lost with every leg holding it: replaced while the only copy was away, then a power cut",
       9638110582882574625ull,
       {"snapshot#14377451720804082540", "engine-writes#8962829282596875708", "remove-leg#9387521437751692078",
        "rollback#6540818400119015376", "engine-writes#17804458995930188963", "engine-writes#16229629165617738449",
        "replace#16507962132418537552", "crash-writes#12648129349468460042"}},
      // Leg 2 alone is written, rolled back to before those writes, and the
      // returning legs 0 and 1 (behind it, knowing nothing newer) are
      // resynced from it: the rolled-back writes are on no leg any more.
      {"lost with every leg holding it: the only member rolled back, the others resynced from it",
       11311809957136055590ull,
       {"remove-leg#5052477222050063178", "remove-leg#12691774687711751804", "engine-writes#14968852328222784536",
        "snapshot#13315727225180722707", "engine-writes#7601286075896065068", "rollback#4472745009490738554",
        "return-leg#2315433164943244472", "return-leg#6904476264836117863", "resync#5422838637043424638",
        "crash-writes#14761987076870392138"}},
      {"a resync of a rolled-back leg alone left the absent legs in sync: the one holding newer writes came back only stale",
       13801065625670169071ull,
       {"snapshot#4841085395164233994", "crash-writes#15343095006309764187", "remove-leg#4988047437752946110",
        "rollback#11729697718106793841", "remove-leg#3750476840758919911", "resync#11830756647324271764",
        "return-leg#9803912940569360496"}},
      // Leg 1, the last to hold w9, is cut short; leg 0 reads zeros there
      // (cut short and grown back); leg 1 is then rolled back to an image
      // holding w2, older than the lost w9 but no less current than the
      // zeros: reading it is right.
      {"lost with every leg holding it: a rollback brought back a write older than the lost one",
       5448563602432607047ull,
       {"engine-writes#2136994929441590892", "truncate#13013069082798567050", "snapshot#12686229939495360543",
        "engine-writes#17160822470199641625", "grow#8488080644177252653", "truncate#15562815358978943237",
        "rollback#17527119186211540798"}},
      // FORMAT.md 2.6 rules 18, 19: a leg rolled back to an image from
      // before a replace of another slot and written alone, then given with
      // the replacement, whose newer table lists it in sync.
      {"a leg rolled back past a replace and written alone was only stale beside the replacement",
       1788926558637148679ull,
       {"snapshot#3836692139443511860", "concurrent#10471286965413696964", "remove-leg#1052923760186371572",
        "rollback#7612535338656058467", "engine-writes#17149512167521651123", "return-leg#6773243893859486496"}},
      // The only leg of a degraded array rolled back to an image from
      // before a replace made from it, written alone (every slot of its
      // table that could be present was): the replacement came back newer
      // in the same generation.
      {"the only leg rolled back past a replace made from it and written alone was only stale",
       4879715612355140400ull,
       {"replace#918260871081955435", "remove-leg#14659721121759750145", "engine-writes#14056329044129326588",
        "snapshot#14179034669453813794", "concurrent#2348970389133657882", "remove-leg#7221423708463604879",
        "rollback#14484292382760205532", "engine-writes#15460572185430456509", "return-leg#5129497314201126266"}},
      // FORMAT.md 2.6 rule 18: slot 2 rolled back to an image from before
      // the replace of slot 1 by slot 3 and written alone in degraded
      // sessions (each a new generation); slot 3, holding w1, returns. Its
      // generation and slot 2's both left the one they share: split brain,
      // not a leg left out whose acknowledged writes nobody reads.
      {"a replacement back beside a leg rolled back to before its replace was left out, hiding its writes",
       1279187956539943684ull,
       {"concurrent#7070761682568031335", "remove-leg#8429309567042889059", "snapshot#2850463306861636334",
        "replace#2709013332086173444", "engine-writes#9564861010951198471", "remove-leg#12718348760432671956",
        "rollback#5526510320062144103", "crash-writes#9032904908189795550", "engine-writes#3831541015787054052",
        "engine-writes#5231028749546817718", "engine-writes#15996197724850950403",
        "return-leg#11256811950336656862"}},
      // The same after more degraded sessions than the history holds: the
      // shared generation fell off; the replacement's table records a
      // replace at a commit the rolled-back line passed without it (rule 6).
      {"a replacement back beside a leg rolled back and written alone past its history was left out",
       4879715612355140400ull,
       {"replace#918260871081955435", "remove-leg#14659721121759750145", "engine-writes#15424295126440287527",
        "engine-writes#12235566665194061399", "snapshot#14179034669453813794", "engine-writes#17720537564475595347",
        "concurrent#2348970389133657882", "remove-leg#7221423708463604879", "rollback#14484292382760205532",
        "crash-writes#4260472143922008008", "engine-writes#17028878393425792211",
        "engine-writes#15460572185430456509", "resync#8137652405447413711", "engine-writes#3783600716982845504",
        "crash-writes#11511929882565116894", "replace#16472756446490561082", "engine-writes#11226456980638403653",
        "resync#1019809217557270572", "return-leg#5129497314201126266"}},
      {"a rolled-back leg's line, written alone through a replace, entered its generation within the other "
       "line's full history; its leg, holding the newest write, was taken for a leftover",
       10737203509725790541ull,
       {"truncate#3724549004613794480", "snapshot#7537320263454972923", "engine-writes#14726687430865504800",
        "engine-writes#15851417370910416569", "engine-writes#7313512243427024741",
        "engine-writes#1394567354926916126", "engine-writes#8678410062175794314",
        "engine-writes#13802700066041670624", "engine-writes#6799150220778470863",
        "concurrent#4389301571831685455", "remove-leg#11530593753387819336", "resync#10103952128110575024",
        "return-leg#4292160309080892356", "remove-leg#13177966000470748249", "rollback#8083882188179855672",
        "replace#17028064732442507797", "engine-writes#6205758202442544212", "return-leg#15426551276152346884"}},
      {"the bits kept for a missing leg lived only on a leg that was then replaced: it came back from the "
       "journal with nothing to copy",
       5965653151240546864ull,
       {"snapshot#3174265203797514906", "remove-leg#15978690966690158445", "resync#1316698533977374314",
        "engine-writes#16765287897963905848", "rollback#13591542190571349826", "concurrent#11849980924242723414",
        "remove-leg#4174204855912082396", "replace#5060649853451633330", "return-leg#3923358856324970144",
        "resync#12953496197272656502"}},
      // FORMAT.md 2.6 rule 6 (removal is final): slot 1 rolled back to
      // seqno 1, written alone and replaced by a new leg in slot 2 of its
      // line; the other line, past an overflowed history, replaced slot 0
      // by its own slot 2. The new leg's table records slot 1 removed at 9,
      // which the other line passed still listing slot 1 missing.
      {"a rolled-back leg's line, written alone and replaced, was taken for a leftover beside the other line's "
       "replacement, hiding its acknowledged write",
       6379272807261685010ull,
       {"snapshot#14293380421863847434",
        "engine-writes#3968153108176374427",
        "crash-writes#1826352428843309509",
        "engine-writes#363339423258853493",
        "remove-leg#3077978613338959301",
        "engine-writes#1107670835196376822",
        "engine-writes#15125216012327854878",
        "replace#14018229413244348036",
        "engine-writes#3971034227561178822",
        "engine-writes#5248458914256278551",
        "engine-writes#5158982461529397411",
        "engine-writes#5970538070855661719",
        "resync#10970886314144929630",
        "resync#17256402567418369476",
        "return-leg#2822986445258862261",
        "remove-leg#4136235478803798309",
        "rollback#15763987071972855802",
        "engine-writes#9728036359978913801",
        "replace#13011039592782345412",
        "return-leg#2038565132279263169"}},
      // The model, not the library: a write in flight at a power cut (never
      // acknowledged) survived on one leg while a rollback destroyed the
      // acknowledged one after it; the survivor was taken for acknowledged,
      // and the other leg's copy from before the crash window, which the
      // unsettled window may keep, was called stale (World::forget_lost).
      {"an unacknowledged survivor of a crash window was taken for the newest acknowledged write",
       15777709461908511484ull,
       {"crash-writes#5862516459818378787",
        "remove-leg#18066509158433657841",
        "snapshot#13199945080702602513",
        "engine-writes#8088441815253628644",
        "rollback#13538409631521780830",
        "return-leg#13455307055483205318"}},
      // The model, not the library: the only legs holding an acknowledged
      // write were pulled, an older leg came back alone and was written
      // (the array says degraded), and a power cut left one of its legs
      // with an unacknowledged write of that line. That write was taken
      // for evidence that the leg's line held the acknowledged one, so the
      // other leg's correct older copy was "stale" (World::line_holders).
      {"an unacknowledged write of a line that never saw the newest acknowledged write was taken for holding it",
       18056742369703956070ull,
       {"remove-leg#525916992841647384",
        "engine-writes#17810199329848207468",
        "remove-leg#9202795507403383272",
        "replace#15057474977512871144",
        "return-leg#8244966289247425219",
        "remove-leg#17107469303831479752",
        "engine-writes#13384585942120941199",
        "replace#8158337921845667700",
        "engine-writes#18240111006935471227",
        "engine-writes#7056334851411311145",
        "crash-writes#11123660524024509825",
        "crash-writes#16829060227445467352"}},
  };
  return all;
}

TEST(OracleFound, SequencesOnceFoundKeepEveryInvariant) {
  RunConfig cfg = ci_config();
  cfg.invariants = all_invariants();
  for (const Found& f : found_sequences()) {
    auto steps = parse_steps(f.steps);
    ASSERT_TRUE(steps) << steps.error();
    auto violation = replay(f.seed, *steps, cfg);
    EXPECT_FALSE(violation) << f.what << "\n" << describe(*violation);
  }
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
  auto steps = parse_steps(args);
  if (!steps) {
    std::cerr << "oracle: not a step: " << steps.error() << "\n";
    return 2;
  }
  RunConfig cfg = ci_config();
  auto f = replay(seed, *steps, cfg);
  if (!f) {
    std::cout << "oracle: no violation\n";
    return 0;
  }
  std::cout << describe(*f);
  return 1;
}

int sequence_mode(uint64_t seed, size_t per_sequence) {
  RunConfig cfg = ci_config();
  auto f = run_sequence(seed, per_sequence, cfg);
  if (!f) {
    std::cout << "oracle: no violation\n";
    return 0;
  }
  std::cout << describe(shrink(*f, cfg));
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
    else if (a == "--sequence" && i + 1 < argc)
      return sequence_mode(std::strtoull(argv[i + 1], nullptr, 0), i + 2 < argc ? std::strtoull(argv[i + 2], nullptr, 0) : 60);
    else if (a == "--replay" && i + 1 < argc)
      return replay_mode(std::strtoull(argv[i + 1], nullptr, 0), std::vector<std::string>(argv + i + 2, argv + argc));
  }
  if (seconds > 0) return long_mode(seconds, seed, per_sequence);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
