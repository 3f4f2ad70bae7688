// SPDX-License-Identifier: LGPL-2.1-or-later
// The first words a new administrator types: an unknown command is named
// with the nearest one, `help [COMMAND]` and -V work, option placeholders
// say what the value is, and sizes in messages are human with the exact
// bytes, SI units taken as powers of 1000.
#include <gtest/gtest.h>

#include "cli/run_tool.h"

#include <regex>
#include <sstream>

namespace dmirror::testing {
namespace {

TEST(Messages, UnknownCommandSuggestsTheNearest) {
  struct Case {
    const char* typed;
    const char* meant;
  } cases[] = {{"statsu", "status"}, {"crate", "create"}, {"srcub", "scrub"}, {"veriyf", "verify"}};
  for (const auto& c : cases) {
    auto r = run_tool({c.typed, "vol0"});
    EXPECT_EQ(r.exit_code, 16) << c.typed;
    EXPECT_TRUE(contains(r.err, std::string("unknown command '") + c.typed + "'; did you mean '" + c.meant + "'?"))
        << r.err;
    EXPECT_FALSE(contains(r.err, "A subcommand is required")) << r.err;
  }
  auto far = run_tool({"xyzzy"});
  EXPECT_EQ(far.exit_code, 16);
  EXPECT_TRUE(contains(far.err, "unknown command 'xyzzy'")) << far.err;
  EXPECT_FALSE(contains(far.err, "did you mean")) << far.err;
  EXPECT_TRUE(contains(far.err, "dmirrorctl help")) << far.err;
  // After the global options too, and in JSON.
  auto json = run_tool({"--json", "-v", "statsu"});
  EXPECT_EQ(json.exit_code, 16);
  EXPECT_TRUE(contains(json.out, "\"InvalidArgument\"") || contains(json.out, "\"invalid")) << json.out;
}

TEST(Messages, HelpAndVersion) {
  auto help = run_tool({"help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_TRUE(contains(help.out, "Usage: dmirrorctl")) << help.out;
  EXPECT_TRUE(contains(help.out, "scrub")) << help.out;
  auto scrub = run_tool({"help", "scrub"});
  EXPECT_EQ(scrub.exit_code, 0) << scrub.err;
  EXPECT_EQ(scrub.out, run_tool({"scrub", "--help"}).out);
  EXPECT_TRUE(contains(scrub.out, "--max-runtime")) << scrub.out;
  auto typo = run_tool({"help", "statsu"});
  EXPECT_EQ(typo.exit_code, 16);
  EXPECT_TRUE(contains(typo.err, "did you mean 'status'?")) << typo.err;
  for (const char* v : {"-V", "--version"}) {
    auto r = run_tool({v});
    EXPECT_EQ(r.exit_code, 0) << v << r.err;
    EXPECT_TRUE(r.out.starts_with("dmirrorctl ")) << r.out;
  }
}

TEST(Messages, PlaceholdersSayWhatTheValueIs) {
  auto list = run_tool({"__complete"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::istringstream words(list.out);
  std::vector<std::vector<std::string>> commands{{"io", "write"}, {"io", "read"}};
  for (std::string w; words >> w;)
    if (w != "io" && w[0] != '-') commands.push_back({w});
  ASSERT_GT(commands.size(), 10u);
  const std::regex cxx_type(R"(\b(TEXT|UINT|INT|FLOAT|NUMBER|VALUE)\b)");
  for (auto args : commands) {
    args.push_back("--help");
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_FALSE(std::regex_search(r.out, cxx_type)) << args[0] << ":\n" << r.out;
  }
  auto scrub = run_tool({"scrub", "--help"});
  for (const char* m : {"--max-rate RATE", "--max-runtime DURATION", "--from LEG", "--rate-file FILE"})
    EXPECT_TRUE(contains(scrub.out, m)) << m << "\n" << scrub.out;
  auto create = run_tool({"create", "--help"});
  EXPECT_TRUE(contains(create.out, "--region-size SIZE")) << create.out;
}

TEST(Messages, SizesAreHumanWithExactBytesAndSiMeansPowersOf1000) {
  ScratchDir dir;
  const std::string a = dir.make_image("a.img", 24 << 20), b = dir.make_image("b.img", 24 << 20);
  // 1MB is 10^6 bytes: not a power of two, so not a region size (it was
  // taken as 1 MiB).
  auto mb = run_tool({"create", "vol0", a, b, "--region-size", "1MB", "--yes"});
  EXPECT_EQ(mb.exit_code, 16) << mb.err;
  EXPECT_TRUE(contains(mb.err, "region size 976.56 KiB (1000000 bytes) is not a power of two")) << mb.err;
  auto mib = run_tool({"create", "vol0", a, b, "--region-size", "1MiB", "--yes", "--assume-clean"});
  ASSERT_EQ(mib.exit_code, 0) << mib.err;
  // A new leg 1 MiB short: both sizes human, with the bytes.
  const std::string small = dir.make_image("small.img", 23 << 20);
  auto r = run_tool({"replace", a, b, "--old", "1", "--new", small, "--force"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(has 23 MiB \(24117248 bytes\); the array needs [0-9.]+ [KMG]iB \([0-9]+ bytes\))")))
      << r.err;
}

}  // namespace
}  // namespace dmirror::testing
