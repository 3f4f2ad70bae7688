// SPDX-License-Identifier: LGPL-2.1-or-later
// Every command's --json output against docs/json.md: each document carries
// output_version, every key printed is documented, every key documented as
// `always` is printed, and every documented key of the offline commands is
// seen in at least one of the scenarios below. The online-only sections
// (device-mapper is not available to this tier) are checked where they
// appear, i.e. on their error documents.
#include <dmirror/array.h>
#include <dmirror/array_lock.h>
#include <dmirror/block_device.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cli/json_schema.h"
#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

// Sections that only an active volume produces.
const std::set<std::string> kOnlineOnly = {"command:activate",    "command:deactivate", "command:monitor",
                                           "type:monitor_event",  "type:online_status", "type:online_leg",
                                           "type:kernel_status",  "type:loop",
                                           "command:activate --last-resort", "type:last_resort",
                                           // Several arrays by name: block devices only (checked in tests/loop).
                                           "command:status several", "type:status_array"};
bool online_condition(const std::string& when) {
  return when.find("online") != std::string::npos || when.find("activated") != std::string::npos;
}

class JsonSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema = JsonSchema::parse(read_file(std::string(DMIRROR_SOURCE_DIR) + "/docs/json.md"));
    ASSERT_GT(schema.sections().size(), 20u);
    a = dir.make_image("a.img", 24 << 20);
    b = dir.make_image("b.img", 24 << 20);
    c = dir.make_image("c.img", 24 << 20);
  }
  // Runs `dmirrorctl --json ARGS...` and checks the document against
  // section `command` (or the error document when it reports an error).
  nlohmann::json run(const std::string& command, std::vector<std::string> args, bool expect_error = false) {
    args.insert(args.begin(), "--json");
    auto r = run_tool(args);
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << command << ": not one JSON document: " << e.what() << "\n" << r.out << r.err;
      return doc;
    }
    EXPECT_EQ(nlohmann::ordered_json::parse(r.out).begin().key(), "output_version") << command;
    EXPECT_EQ(doc.contains("error"), expect_error) << command << ": " << r.out << r.err;
    std::vector<std::string> errors;
    schema.check(doc, doc.contains("error") ? "document:error" : "command:" + command, errors);
    for (const auto& e : errors) ADD_FAILURE() << command << ": " << e;
    return doc;
  }
  void poke(const std::string& img, uint64_t offset, char value) {
    std::fstream f(img, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(value);
  }

  JsonSchema schema;
  ScratchDir dir;
  std::string a, b, c;
};

TEST_F(JsonSchemaTest, EveryCommandMatchesTheDocumentedSchema) {
  const std::string lock = "--lock-dir=" + dir.path();
  run("create", {"create", "vol0", a, b, "--assume-clean", "--yes"});
  std::string payload = dir.path() + "/payload";
  {
    std::ofstream out(payload, std::ios::binary);
    for (int i = 0; i < 65536; ++i) out.put(static_cast<char>(i * 13 + 1));
  }
  run("io write", {"io", "write", a, b, "--from", payload});
  run("io read", {"io", "read", a, b, "--length", "4096", "--to", dir.path() + "/back"});
  run("status", {"status", a, b});
  {
    // A writer holding the array: `conditions.in_use` names it.
    std::vector<std::unique_ptr<BlockDevice>> devs;
    std::vector<BlockDevice*> raw;
    for (const auto& leg : {a, b}) {
      devs.push_back(std::move(*open_device(leg, OpenOptions{.writable = true, .exclusive = false})));
      raw.push_back(devs.back().get());
    }
    auto held = ArrayLock::acquire_legs(raw, ArrayLockOptions{.dir = dir.path(), .holder = "dmirrorctl io write vol0"});
    ASSERT_TRUE(held) << held.error().describe();
    auto doc = run("status", {"status", a, b});
    EXPECT_TRUE(doc["conditions"]["in_use"].is_object()) << doc.dump(2);
  }
  // Devices that are not members: unreadable, and a leg of another array.
  std::string d = dir.make_image("d.img", 24 << 20), e = dir.make_image("e.img", 24 << 20);
  run("create", {"create", "other", d, e, "--assume-clean", "--yes"});
  run("status", {"status", a, b, d, dir.path() + "/gone.img"});
  run("list", {"list", a, b});
  run("resync", {"resync", a, b});
  poke(b, kDataOffset + 100, 'X');
  run("verify", {"verify", a, b});
  run("scrub", {"scrub", a, b, "--check-only", lock});
  // A time-boxed scrub leaves a checkpoint for examine; --continue finishes
  // it, and a second --continue has nothing to do.
  run("scrub", {"scrub", a, b, lock, "--max-rate", "2M", "--max-runtime", "1s"});
  run("examine", {"examine", a, b, dir.path() + "/missing.img"});
  run("scrub", {"scrub", a, b, lock, "--continue"});
  run("scrub", {"scrub", a, b, lock, "--continue"});
  run("replace", {"replace", a, b, "--old", "1", "--new", c, "--force"});
  run("status", {"status", a});  // slot 1 (c.img) missing now
  run("verify", {"verify", a, c, "--repair"});
  run("clear", {"clear", a, c, "--leg", "0"});
  run("set", {"set", a, c, "--write-mostly", "0", "--max-recovery-rate", "20M"});
  run("status", {"status", a, c});  // its settings: slot 0 write-mostly
  // b left the table by the replace: wiped; a blank image with --force: nothing to wipe.
  run("wipe", {"wipe", b, dir.make_image("blank.img", 24 << 20), "--force"});
  // Written without slot 1: a new generation, the old one in the history.
  run("io write", {"io", "write", a, "--from", payload, "--degraded"});
  run("examine", {"examine", a});
  // c.img returns: re-added from the journal (`readded`).
  auto readd = run("resync", {"resync", a, c});
  EXPECT_EQ(readd["readded"].size(), 1u) << readd.dump(2);
  // One leg more, then one fewer.
  std::string f = dir.make_image("f.img", 24 << 20);
  run("add", {"add", a, c, "--new", f});
  run("remove", {"remove", a, c, f, "--leg", f});
  // A spare: listed by status, then retired.
  std::string g = dir.make_image("g.img", 24 << 20);
  run("add", {"add", a, c, "--new", g, "--spare"});
  run("status", {"status", a, c, g});
  run("remove", {"remove", a, c, g, "--leg", g});
  // A leg split off (status: splits, split_origin; examine: split_uuids),
  // written on both sides and merged back; split again, and its slot
  // removed (remove: split_uuid).
  std::string h = dir.make_image("h.img", 24 << 20);
  run("add", {"add", a, c, "--new", h});
  auto split = run("split", {"split", a, c, h, "--leg", h, "--name", "vol0-bak"});
  run("status", {"status", a, c});
  run("status", {"status", h});
  run("examine", {"examine", a, h});
  run("io write", {"io", "write", a, c, "--from", payload});
  run("io write", {"io", "write", h, "--from", payload});
  run("merge", {"merge", a, c, h});
  split = run("split", {"split", a, c, h, "--leg", h, "--name", "vol0-bak2"});
  run("remove", {"remove", a, c, "--leg", std::to_string(split["slot"].get<int>())});
  // Errors, and the online commands (no device-mapper here).
  run("status", {"status", dir.path() + "/nothing.img"}, true);
  run("activate", {"activate", a, c}, true);
  // No systemd timers from a test, whatever the machine runs.
  ::setenv("DMIRROR_SYSTEMD_DIR", (dir.path() + "/no-systemd").c_str(), 1);
  run("activate --incremental", {"activate", "--incremental", a, "--run-dir", dir.path()});
  run("deactivate", {"deactivate", "vol0"}, true);
  run("monitor", {"monitor", "--oneshot"}, true);

  // Every documented key of the offline sections was printed somewhere.
  for (const auto& [name, fields] : schema.sections()) {
    if (kOnlineOnly.count(name)) continue;
    EXPECT_TRUE(schema.used().count(name)) << "no scenario produced section " << name;
    for (const auto& [key, field] : fields) {
      if (online_condition(field.when)) continue;
      EXPECT_TRUE(schema.seen().count(name + "." + key)) << "no scenario printed " << name << "." << key;
    }
  }
}

TEST_F(JsonSchemaTest, EverySubcommandIsDocumented) {
  auto top = run_tool({"__complete"});
  ASSERT_EQ(top.exit_code, 0);
  std::istringstream in(top.out);
  int n = 0;
  for (std::string w; in >> w;) {
    if (w[0] == '-' || w == "help") continue;  // help prints --help text, never JSON
    bool found = false;
    for (const auto& [name, fields] : schema.sections()) found |= name.rfind("command:" + w, 0) == 0;
    EXPECT_TRUE(found) << "docs/json.md has no '### command: " << w << "' section";
    ++n;
  }
  EXPECT_GE(n, 10);
}

}  // namespace
}  // namespace dmirror::testing
