// SPDX-License-Identifier: LGPL-2.1-or-later
// Regression tests for library bugs found by the bad-input catalogue
// (docs/bad-input.md) and the fuzzers: a truncated leg looked healthy, and
// legs of two different arrays given together were assembled as whichever
// array happened to sort first.
#include "support/scratch.h"
#include "support/sizes.h"
#include "support/test_array.h"

#include <dmirror/array.h>
#include <dmirror/assembly.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>

#include <filesystem>

namespace dmirror::testing {
namespace {

std::vector<std::string> make_array(const ScratchDir& dir, const std::string& name) {
  std::vector<std::string> legs{dir.make_image(name + "0.img", 32 * kMiB), dir.make_image(name + "1.img", 32 * kMiB)};
  CreateOptions o;
  o.name = name;
  o.legs = legs;
  o.assume_clean = true;
  auto plan = plan_create(o);
  EXPECT_TRUE(plan) << plan.error().describe();
  EXPECT_TRUE(create_array(*plan, o));
  return legs;
}

TEST(BadInputRegression, TruncatedLegIsAnErrorFinding) {
  std::vector<BlockDevice*> legs;
  TestArrayOptions opts;
  auto short_leg = make_mem_device(test_leg_size(opts), "mem:short");
  auto full_leg = make_mem_device(test_leg_size(opts), "mem:full");
  legs = {full_leg.get(), short_leg.get()};
  ASSERT_TRUE(format_test_array(legs, opts));
  // The same metadata on a device that ends inside the data area.
  auto cut = make_mem_device(test_leg_size(opts) - 64 * 1024, "mem:cut");
  std::vector<std::byte> head(kTestDataOffset);
  ASSERT_TRUE(short_leg->read(0, head));
  ASSERT_TRUE(cut->write(0, head));

  auto whole = read_leg(*full_leg);
  ASSERT_TRUE(whole);
  EXPECT_TRUE(whole->findings.empty());
  auto m = read_leg(*cut);
  ASSERT_TRUE(m) << m.error().describe();
  ASSERT_EQ(m->findings.size(), 1u);
  EXPECT_EQ(m->findings[0].code, "leg-truncated");
  EXPECT_EQ(m->findings[0].severity, Severity::Error);
  EXPECT_NE(m->findings[0].message.find("mem:cut is "), std::string::npos) << m->findings[0].message;
}

TEST(BadInputRegression, TruncatedImageMakesTheArrayInconsistent) {
  ScratchDir dir;
  auto legs = make_array(dir, "vol");
  std::filesystem::resize_file(legs[1], 20 * kMiB);
  auto v = assemble_paths(legs);
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_NE(v->health, Health::Healthy);
  EXPECT_NE(v->legs[1].disposition, Disposition::Member);
}

TEST(BadInputRegression, LegsOfTwoArraysWithoutAMajorityAreRefused) {
  ScratchDir dir;
  auto one = make_array(dir, "one");
  auto two = make_array(dir, "two");
  auto v = assemble_paths({one[0], two[0]});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::InvalidArgument);
  // Two legs of one array and one of another: the majority wins, as before.
  auto w = assemble_paths({one[0], one[1], two[0]});
  ASSERT_TRUE(w) << w.error().describe();
  EXPECT_EQ(w->sb.name, "one");
}

}  // namespace
}  // namespace dmirror::testing
