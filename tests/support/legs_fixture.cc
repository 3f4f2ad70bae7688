// SPDX-License-Identifier: LGPL-2.1-or-later
// TestLegs (see legs_fixture.h).
#include "support/legs_fixture.h"

#include <dmirror/leg.h>

#include <gtest/gtest.h>

#include <functional>

namespace dmirror::testing {

TestLegs::TestLegs(const TestArrayOptions& opts) : opts_(opts) {
  for (uint32_t i = 0; i < opts.legs; ++i) {
    raw_.push_back(make_sparse_device(test_leg_size(opts), "mem:leg" + std::to_string(i)));
    faulty_.push_back(std::make_unique<FaultyDevice>(raw_.back().get()));
  }
  std::vector<BlockDevice*> r;
  for (auto& d : raw_) r.push_back(d.get());
  auto sb = format_test_array(r, opts);
  if (!sb) ADD_FAILURE() << sb.error().describe();
  else sb_ = *sb;
}

std::vector<BlockDevice*> TestLegs::devices() {
  std::vector<BlockDevice*> out;
  for (auto& f : faulty_) out.push_back(f.get());
  return out;
}

std::vector<BlockDevice*> TestLegs::devices_except(uint32_t slot) {
  std::vector<BlockDevice*> out;
  for (uint32_t i = 0; i < faulty_.size(); ++i) if (i != slot) out.push_back(faulty_[i].get());
  return out;
}

std::vector<std::byte> TestLegs::data(uint32_t slot, uint64_t offset, uint64_t len) {
  std::vector<std::byte> out(len);
  raw_[slot]->image().read(data_offset() + offset, out);
  return out;
}

void TestLegs::poke(uint32_t slot, uint64_t offset, std::span<const std::byte> bytes) {
  raw_[slot]->image().write(data_offset() + offset, bytes);
}

bool TestLegs::data_equal(uint32_t a, uint32_t b) {
  return raw_[a]->image().equal_range(raw_[b]->image(), data_offset(), opts_.data_size);
}

Superblock TestLegs::superblock(uint32_t slot) {
  auto m = read_leg(*raw_[slot]);
  if (!m) {
    ADD_FAILURE() << m.error().describe();
    return {};
  }
  return m->sb;
}

void TestLegs::edit_superblocks(const std::function<void(Superblock&)>& edit) {
  uint64_t newest = 0;
  Superblock base;
  for (uint32_t i = 0; i < raw_.size(); ++i) {
    Superblock s = superblock(i);
    if (s.seqno >= newest) { newest = s.seqno; base = s; }
  }
  edit(base);
  base.seqno = newest + 1;
  for (uint32_t i = 0; i < raw_.size(); ++i) {
    Superblock s = base;
    s.slot = i;
    s.leg_uuid = s.legs[i].uuid;
    auto st = write_superblocks(*raw_[i], s);
    if (!st) ADD_FAILURE() << st.error().describe();
  }
}

std::vector<std::byte> pattern(size_t len, uint32_t seed) {
  std::vector<std::byte> out(len);
  uint32_t x = seed * 2654435761u + 12345;
  for (auto& b : out) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    b = std::byte(x & 0xff);
  }
  return out;
}

}  // namespace dmirror::testing
