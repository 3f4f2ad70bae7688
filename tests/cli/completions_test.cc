// SPDX-License-Identifier: LGPL-2.1-or-later
// Every subcommand and option the parser knows (as reported by the hidden
// `dmirrorctl __complete`) must appear in the bash, zsh and fish completion
// files, so an option added without completion fails here.
#include "cli/run_tool.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace dmirror::testing {
namespace {

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string escape(const std::string& s) { return std::regex_replace(s, std::regex(R"([.^$|()\[\]{}*+?\\-])"), R"(\$&)"); }

bool mentions_word(const std::string& file, const std::string& word) {
  return std::regex_search(file, std::regex("(^|[^A-Za-z0-9_-])" + escape(word) + "($|[^A-Za-z0-9_-])"));
}

// fish spells options as `-l name` / `-s x`.
bool fish_mentions(const std::string& file, const std::string& word) {
  if (word.rfind("--", 0) == 0) return mentions_word(file, "-l " + word.substr(2));
  if (word.rfind("-", 0) == 0) return mentions_word(file, "-s " + word.substr(1));
  return mentions_word(file, word);
}

struct Files {
  std::string bash = read_file(std::string(DMIRROR_SOURCE_DIR) + "/completions/dmirrorctl.bash");
  std::string zsh = read_file(std::string(DMIRROR_SOURCE_DIR) + "/completions/_dmirrorctl");
  std::string fish = read_file(std::string(DMIRROR_SOURCE_DIR) + "/completions/dmirrorctl.fish");
};

void expect_covered(const Files& f, const std::string& context, const std::vector<std::string>& ws) {
  for (const auto& w : ws) {
    EXPECT_TRUE(mentions_word(f.bash, w)) << "bash completion lacks " << w << " (" << context << ")";
    EXPECT_TRUE(mentions_word(f.zsh, w)) << "zsh completion lacks " << w << " (" << context << ")";
    EXPECT_TRUE(fish_mentions(f.fish, w)) << "fish completion lacks " << w << " (" << context << ")";
  }
}

TEST(Completions, CoverEverySubcommandAndOption) {
  Files f;
  ASSERT_FALSE(f.bash.empty());
  ASSERT_FALSE(f.zsh.empty());
  ASSERT_FALSE(f.fish.empty());
  auto top = run_tool({"__complete"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  auto top_words = words(top.out);
  ASSERT_FALSE(top_words.empty());
  expect_covered(f, "global", top_words);
  int subcommands = 0;
  for (const auto& w : top_words) {
    if (w[0] == '-') continue;
    ++subcommands;
    auto sub = run_tool({"__complete", w});
    ASSERT_EQ(sub.exit_code, 0) << w << ": " << sub.err;
    expect_covered(f, w, words(sub.out));
    for (const auto& s : words(sub.out)) {  // nested commands (io read, io write)
      if (s[0] == '-') continue;
      auto nested = run_tool({"__complete", w, s});
      ASSERT_EQ(nested.exit_code, 0) << w << " " << s << ": " << nested.err;
      expect_covered(f, w + " " + s, words(nested.out));
    }
  }
  EXPECT_GE(subcommands, 12);
  EXPECT_TRUE(mentions_word(top.out, "create"));
  EXPECT_FALSE(contains(top.out, "__complete"));
}

TEST(Completions, CreateOptionsAreReported) {
  auto sub = run_tool({"__complete", "create"});
  for (const char* o : {"--region-size", "--assume-clean", "--force", "--yes", "--write-mostly", "--max-write-behind",
                        "--min-recovery-rate", "--max-recovery-rate", "--no-activate", "--json"}) {
    EXPECT_TRUE(mentions_word(sub.out, o)) << o;
  }
}

}  // namespace
}  // namespace dmirror::testing
