// SPDX-License-Identifier: LGPL-2.1-or-later
// The completion scripts driven through the real shells (Debian's bash with
// bash-completion, zsh, fish), with the built dmirrorctl first on PATH:
// commands, options, option values, array names read from the superblocks
// of the legs (through `dmirrorctl __complete --arrays`, here fed image
// files via a stand-in that adds them), legs as files, the slots and legs
// of the array on the line (`--legs`), active volumes (`--active`) and the
// block devices create may use (`--free-devices`; the stand-in answers the
// last two as a machine with them would). A missing shell is a failure,
// not a skip.
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

bool has_line(const std::string& text, const std::string& line) { return ("\n" + text).find("\n" + line + "\n") != std::string::npos; }

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
    // --legs of the array by name reads the image files too; --active and
    // --free-devices stand for what a machine with an active volume and a
    // blank disk would answer.
    w << "#!/bin/sh\nif [ \"$1 $2\" = \"__complete --arrays\" ]; then\n"
      << "  " << DMIRRORCTL_PATH << " __complete --arrays\n"
      << "  " << DMIRRORCTL_PATH << " --json list " << a << " " << b
      << " | sed -n 's/^      \"name\": \"\\(.*\\)\",$/\\1/p'\n  exit 0\nfi\n"
      << "if [ \"$1 $2 $3\" = \"__complete --legs tank\" ]; then exec " << DMIRRORCTL_PATH << " __complete --legs " << a
      << " " << b << "; fi\n"
      << "if [ \"$1 $2\" = \"__complete --active\" ]; then printf 'online0\\tactive volume\\n'; exit 0; fi\n"
      << "if [ \"$1 $2\" = \"__complete --free-devices\" ]; then printf '/dev/blank0\\t64 MiB\\n'; exit 0; fi\n"
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
  // bash with the cursor on word `cword` of `line` (0: dmirrorctl).
  std::string bash_at(const std::string& line, int cword) {
    std::string script = "source /usr/share/bash-completion/bash_completion; source " +
                         quote(std::string(DMIRROR_SOURCE_DIR) + "/completions/dmirrorctl.bash") +
                         "; COMP_LINE=" + quote(line) + "; read -ra COMP_WORDS <<<\"$COMP_LINE\"; " +
                         "COMP_WORDS=(\"${COMP_WORDS[@]:0:" + std::to_string(cword) + "}\" '' \"${COMP_WORDS[@]:" +
                         std::to_string(cword) + "}\"); COMP_CWORD=" + std::to_string(cword) +
                         "; _dmirrorctl; printf '%s\\n' \"${COMPREPLY[@]}\"";
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
  // deactivate: the active volumes, not every array on disk.
  auto active = bash("dmirrorctl deactivate ");
  EXPECT_TRUE(contains(active, "online0\n")) << active;
  EXPECT_FALSE(contains(active, "tank\n")) << active;
  EXPECT_TRUE(contains(bash("dmirrorctl create vol1 leg-"), "leg-b.img\n"));
  // create's legs: the block devices without a signature, not every device.
  auto fresh = bash("dmirrorctl create vol1 /dev/");
  EXPECT_EQ(fresh, "/dev/blank0\n");
  EXPECT_EQ(bash("dmirrorctl replace tank --old 1 --new /dev/"), "/dev/blank0\n");
  EXPECT_EQ(bash("dmirrorctl create vo"), "\n");  // the new array's name: nothing to offer
  EXPECT_TRUE(contains(bash("dmirrorctl io "), "write\n"));
  EXPECT_TRUE(contains(bash("dmirrorctl io read --"), "--length\n"));
  // The value of --from is a slot or a leg of the array on the line: its
  // slots and leg paths, not 0-15, every file or an array name.
  for (const std::string line : {"dmirrorctl scrub tank --from ", "dmirrorctl scrub leg-a.img leg-b.img --from ",
                                 "dmirrorctl scrub --from  tank", "dmirrorctl replace tank --old ",
                                 "dmirrorctl clear tank --leg ", "dmirrorctl resync tank --from ",
                                 "dmirrorctl activate tank --from "}) {
    std::string l = line;
    auto from = l.ends_with(" tank") ? bash_at(l, 3) : bash(l);
    const bool by_path = contains(l, "leg-a.img");
    EXPECT_EQ(from, "0\n" + (by_path ? std::string("leg-a.img") : a) + "\n1\n" +
                        (by_path ? std::string("leg-b.img") : b) + "\n")
        << line;
  }
  EXPECT_EQ(bash("dmirrorctl scrub --from "), "\n");  // no array yet: nothing to offer
  EXPECT_EQ(bash("dmirrorctl io read tank --prefer "), "0\n1\n");  // --prefer takes a slot only
  EXPECT_TRUE(contains(bash("dmirrorctl io write tank --from leg-"), "leg-a.img\n"));  // a file there
  EXPECT_EQ(bash("dmirrorctl create vol1 leg-a.img leg-b.img --write-mostly "), "0\n1\n");
}

TEST_F(ShellCompletion, Fish) {
  EXPECT_TRUE(contains(fish("dmirrorctl cre"), "create\tCreate a mirror")) << fish("dmirrorctl cre");
  EXPECT_TRUE(contains(fish("dmirrorctl scrub --max-r"), "--max-runtime")) << fish("dmirrorctl scrub --max-r");
  EXPECT_TRUE(contains(fish("dmirrorctl scrub --max-runtime "), "6h"));
  auto arrays = fish("dmirrorctl status ");
  EXPECT_TRUE(contains(arrays, "tank\tArray")) << arrays;
  EXPECT_TRUE(contains(arrays, "leg-a.img")) << arrays;
  EXPECT_TRUE(contains(fish("dmirrorctl activate --inc"), "--incremental"));
  auto from = fish("dmirrorctl scrub tank --from ");
  EXPECT_TRUE(contains(from, "0\t" + a + " (in_sync)\n")) << from;
  EXPECT_TRUE(contains(from, b + "\tslot 1 (in_sync)\n")) << from;
  EXPECT_FALSE(contains(from, "15")) << from;
  EXPECT_FALSE(contains(from, "tank")) << from;
  EXPECT_EQ(fish("dmirrorctl io read tank --prefer "), "0\t" + a + " (in_sync)\n1\t" + b + " (in_sync)\n");
  auto old_leg = fish("dmirrorctl replace --json tank --old ");
  EXPECT_TRUE(contains(old_leg, "1\t" + b)) << old_leg;
  EXPECT_EQ(fish("dmirrorctl create vol1 leg-a.img leg-b.img --write-mostly "), "0\tleg-a.img\n1\tleg-b.img\n");
  auto active = fish("dmirrorctl deactivate ");
  EXPECT_TRUE(contains(active, "online0\tactive volume")) << active;
  EXPECT_FALSE(contains(active, "tank")) << active;
  auto fresh = fish("dmirrorctl create vol1 /dev/");
  EXPECT_TRUE(contains(fresh, "/dev/blank0\t64 MiB")) << fresh;
  EXPECT_FALSE(contains(fresh, "/dev/null")) << fresh;
}

TEST_F(ShellCompletion, Zsh) {
  auto cmds = zsh("dmirrorctl sc");
  EXPECT_TRUE(contains(cmds, "scrub")) << cmds;
  auto opts = zsh("dmirrorctl scrub --max-r");
  EXPECT_TRUE(contains(opts, "--max-runtime")) << opts;
  auto active = zsh("dmirrorctl deactivate ");
  EXPECT_TRUE(contains(active, "online0")) << active;
  EXPECT_FALSE(contains(active, "tank")) << active;
  auto from = zsh("dmirrorctl scrub tank --from ");
  EXPECT_TRUE(has_line(from, "0")) << from;
  EXPECT_TRUE(has_line(from, a)) << from;
  EXPECT_FALSE(has_line(from, "15")) << from;
  EXPECT_FALSE(has_line(from, "leg-a.img")) << from;  // the legs, not every file
  auto prefer = zsh("dmirrorctl io read tank --prefer ");
  EXPECT_TRUE(has_line(prefer, "1")) << prefer;
  EXPECT_FALSE(contains(prefer, a)) << prefer;
  auto slots = zsh("dmirrorctl create vol1 leg-a.img leg-b.img --write-mostly ");
  EXPECT_TRUE(has_line(slots, "1")) << slots;
  EXPECT_FALSE(has_line(slots, "2")) << slots;
  auto fresh = zsh("dmirrorctl create vol1 /dev/");
  EXPECT_TRUE(has_line(fresh, "/dev/blank0")) << fresh;
  EXPECT_FALSE(has_line(fresh, "/dev/null")) << fresh;
  auto values = zsh("dmirrorctl create --region-size ");
  EXPECT_TRUE(contains(values, "64M")) << values;
}

}  // namespace
}  // namespace dmirror::testing
