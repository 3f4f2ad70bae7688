// SPDX-License-Identifier: LGPL-2.1-or-later
// The completion scripts driven through the real shells (Debian's bash with
// bash-completion, zsh, fish), with the built dmirrorctl first on PATH:
// commands, options, option values, array names read from the superblocks
// of the legs (through `dmirrorctl __complete --arrays`, here fed image
// files via a stand-in that adds them) and legs as files. A missing shell
// is a failure, not a skip.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

std::string run_shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class ShellCompletion : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir.make_image("leg-a.img", 24 << 20);
    b = dir.make_image("leg-b.img", 24 << 20);
    ASSERT_EQ(run_tool({"create", "tank", a, b, "--assume-clean", "--yes"}).exit_code, 0);
    // A `dmirrorctl` on PATH that is the real one, except that --arrays also
    // reads the scratch image files (the real one only scans block devices).
    bin = dir.path() + "/bin";
    std::filesystem::create_directories(bin);
    std::ofstream w(bin + "/dmirrorctl");
    w << "#!/bin/sh\nif [ \"$1 $2\" = \"__complete --arrays\" ]; then\n"
      << "  " << DMIRRORCTL_PATH << " __complete --arrays\n"
      << "  " << DMIRRORCTL_PATH << " --json list " << a << " " << b
      << " | sed -n 's/^      \"name\": \"\\(.*\\)\",$/\\1/p'\n  exit 0\nfi\n"
      << "exec " << DMIRRORCTL_PATH << " \"$@\"\n";
    w.close();
    std::filesystem::permissions(bin + "/dmirrorctl", std::filesystem::perms::owner_all);
    env = "cd " + quote(dir.path()) + " && PATH=" + quote(bin) + ":$PATH ";
  }
  // bash: the words offered for the command line `line` (cursor at the end).
  std::string bash(const std::string& line) {
    std::string script = "source /usr/share/bash-completion/bash_completion; source " +
                         quote(std::string(DMIRROR_SOURCE_DIR) + "/completions/dmirrorctl.bash") +
                         "; COMP_LINE=" + quote(line) + "; read -ra COMP_WORDS <<<\"$COMP_LINE\"; " +
                         "[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); " +
                         "_dmirrorctl; printf '%s\\n' \"${COMPREPLY[@]}\"";
    return run_shell(env + "bash --norc -c " + quote(script));
  }
  std::string fish(const std::string& line) {
    std::string script = "source " + quote(std::string(DMIRROR_SOURCE_DIR) + "/completions/dmirrorctl.fish") +
                         "; complete -C " + quote(line);
    return run_shell(env + "fish --no-config -c " + quote(script));
  }
  // zsh: the matches the completion system offers, captured through zpty.
  std::string zsh(const std::string& line) {
    const std::string capture = std::string(DMIRROR_SOURCE_DIR) + "/tests/cli/zsh_complete.zsh";
    return run_shell(env + "zsh -f " + quote(capture) + " " + quote(std::string(DMIRROR_SOURCE_DIR) + "/completions") +
                     " " + quote(line));
  }
  ScratchDir dir;
  std::string a, b, bin, env;
};

TEST_F(ShellCompletion, Bash) {
  EXPECT_TRUE(contains(bash("dmirrorctl cre"), "create\n")) << bash("dmirrorctl cre");
  EXPECT_TRUE(contains(bash("dmirrorctl sc"), "scrub\n"));
  auto opts = bash("dmirrorctl scrub --max-");
  EXPECT_TRUE(contains(opts, "--max-runtime\n")) << opts;
  EXPECT_TRUE(contains(opts, "--max-rate\n")) << opts;
  EXPECT_TRUE(contains(bash("dmirrorctl scrub --max-runtime "), "6h\n"));
  EXPECT_TRUE(contains(bash("dmirrorctl create --region-size "), "64M\n"));
  auto arrays = bash("dmirrorctl status ");
  EXPECT_TRUE(contains(arrays, "tank\n")) << arrays;
  EXPECT_TRUE(contains(arrays, "leg-a.img\n")) << arrays;
  EXPECT_TRUE(contains(bash("dmirrorctl deactivate t"), "tank\n"));
  EXPECT_TRUE(contains(bash("dmirrorctl create vol1 leg-"), "leg-b.img\n"));
  EXPECT_EQ(bash("dmirrorctl create vo"), "\n");  // the new array's name: nothing to offer
  EXPECT_TRUE(contains(bash("dmirrorctl io "), "write\n"));
  EXPECT_TRUE(contains(bash("dmirrorctl io read --"), "--length\n"));
  // The value of --from is a slot or a leg, not an array name.
  auto from = bash("dmirrorctl scrub tank --from ");
  EXPECT_TRUE(contains(from, "0\n")) << from;
  EXPECT_FALSE(contains(from, "tank\n")) << from;
}

TEST_F(ShellCompletion, Fish) {
  EXPECT_TRUE(contains(fish("dmirrorctl cre"), "create\tCreate a mirror")) << fish("dmirrorctl cre");
  EXPECT_TRUE(contains(fish("dmirrorctl scrub --max-r"), "--max-runtime")) << fish("dmirrorctl scrub --max-r");
  EXPECT_TRUE(contains(fish("dmirrorctl scrub --max-runtime "), "6h"));
  auto arrays = fish("dmirrorctl status ");
  EXPECT_TRUE(contains(arrays, "tank\tArray")) << arrays;
  EXPECT_TRUE(contains(arrays, "leg-a.img")) << arrays;
  EXPECT_TRUE(contains(fish("dmirrorctl activate --inc"), "--incremental"));
}

TEST_F(ShellCompletion, Zsh) {
  auto cmds = zsh("dmirrorctl sc");
  EXPECT_TRUE(contains(cmds, "scrub")) << cmds;
  auto opts = zsh("dmirrorctl scrub --max-r");
  EXPECT_TRUE(contains(opts, "--max-runtime")) << opts;
  auto arrays = zsh("dmirrorctl deactivate ");
  EXPECT_TRUE(contains(arrays, "tank")) << arrays;
  auto values = zsh("dmirrorctl create --region-size ");
  EXPECT_TRUE(contains(values, "64M")) << values;
}

}  // namespace
}  // namespace dmirror::testing
