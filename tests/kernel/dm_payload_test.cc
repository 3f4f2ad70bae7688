// SPDX-License-Identifier: LGPL-2.1-or-later
// Payload packing/unpacking against the uapi structs, including the two
// different `next` bases of TABLE_LOAD input and TABLE_STATUS output.
#include <dmirror/dm/dm_payload.h>

#include <gtest/gtest.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>

#include <cstring>

namespace dmirror::dm {
namespace {

static_assert(sizeof(dm_ioctl) == 312);
static_assert(offsetof(dm_ioctl, data_start) == 16);
static_assert(offsetof(dm_ioctl, target_count) == 20);
static_assert(offsetof(dm_ioctl, flags) == 28);
static_assert(offsetof(dm_ioctl, name) == 48);
static_assert(offsetof(dm_ioctl, uuid) == 176);
static_assert(sizeof(dm_target_spec) == 40);
static_assert(offsetof(dm_target_spec, status) == 16);
static_assert(offsetof(dm_target_spec, next) == 20);
static_assert(offsetof(dm_target_spec, target_type) == 24);
static_assert(offsetof(dm_name_list, next) == 8);
static_assert(DM_VERSION == 0xc138fd00 && DM_TABLE_LOAD == 0xc138fd09 && DM_GET_TARGET_VERSION == 0xc138fd11);

dm_target_spec spec_at(const std::vector<std::byte>& b, size_t off) {
  dm_target_spec s;
  std::memcpy(&s, b.data() + off, sizeof s);
  return s;
}

TEST(DmPayload, PackTableUsesNextRelativeToCurrentSpecAndAligns) {
  std::vector<TargetLine> t{{0, 100, "linear", "254:0 2048"}, {100, 50, "error", ""},
                            {150, 8, "linear", "254:16 0"}};
  auto packed = pack_table(t);
  ASSERT_TRUE(packed);
  // 40 + "254:0 2048\0" (11) = 51 -> 56; 40 + 1 -> 48; 40 + 9 -> 56.
  ASSERT_EQ(packed->size(), 56u + 48u + 56u);
  auto s0 = spec_at(*packed, 0), s1 = spec_at(*packed, 56), s2 = spec_at(*packed, 104);
  EXPECT_EQ(s0.next, 56u);
  EXPECT_EQ(s1.next, 48u);  // relative to s1, not to the start
  EXPECT_EQ(s2.sector_start, 150u);
  EXPECT_EQ(s1.length, 50u);
  EXPECT_STREQ(s0.target_type, "linear");
  EXPECT_STREQ(reinterpret_cast<const char*>(packed->data() + 40), "254:0 2048");
  EXPECT_STREQ(reinterpret_cast<const char*>(packed->data() + 104 + 40), "254:16 0");
  for (size_t off : {0u, 56u, 104u}) EXPECT_EQ(off % 8, 0u);
}

TEST(DmPayload, PackTableRejectsWhatTheKernelWould) {
  EXPECT_FALSE(pack_table({}));
  std::vector<TargetLine> gap{{0, 10, "linear", "1:1 0"}, {11, 10, "linear", "1:1 0"}};
  EXPECT_FALSE(pack_table(gap));
  std::vector<TargetLine> zero{{0, 0, "error", ""}};
  EXPECT_FALSE(pack_table(zero));
  std::vector<TargetLine> longtype{{0, 1, "sixteen-chars-xx", ""}};
  EXPECT_FALSE(pack_table(longtype));
  std::vector<TargetLine> starts_late{{8, 1, "error", ""}};
  EXPECT_FALSE(pack_table(starts_late));
}

// Builds STATUS output as the kernel does: next counts from data_start.
std::vector<std::byte> status_payload(const std::vector<TargetLine>& lines) {
  std::vector<std::byte> out;
  for (const auto& l : lines) {
    size_t at = out.size();
    out.resize(align8(at + sizeof(dm_target_spec) + l.params.size() + 1));
    dm_target_spec s{};
    s.sector_start = l.start;
    s.length = l.length;
    s.next = static_cast<uint32_t>(out.size());  // absolute from the first spec
    std::memcpy(s.target_type, l.type.data(), l.type.size());
    std::memcpy(out.data() + at, &s, sizeof s);
    std::memcpy(out.data() + at + sizeof s, l.params.data(), l.params.size());
  }
  return out;
}

TEST(DmPayload, UnpackStatusUsesNextRelativeToDataStart) {
  std::vector<TargetLine> lines{{0, 64, "linear", "254:0 0"},
                                {64, 64, "raid", "raid1 2 AA 64/64 idle 0 0 -"},
                                {128, 8, "error", ""}};
  auto payload = status_payload(lines);
  auto got = unpack_status(payload, 3);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, lines);
}

TEST(DmPayload, UnpackStatusRefusesOutOfRangeRecords) {
  auto payload = status_payload({{0, 8, "error", ""}});
  EXPECT_FALSE(unpack_status(payload, 2));
  EXPECT_FALSE(unpack_status(std::span(payload).first(40), 1));  // no room for the string
  auto text = status_payload({{0, 8, "error", "abc"}});
  EXPECT_FALSE(unpack_status(std::span(text).first(43), 1));  // unterminated
}

std::vector<std::byte> name_record(uint64_t dev, const std::string& name, uint32_t event_nr,
                                   const std::string* uuid, bool last) {
  size_t tail = align8(12 + name.size() + 1);
  size_t size = uuid ? align8(tail + 8) + align8(uuid->size() + 1) : tail + 8;
  std::vector<std::byte> r(align8(size));
  uint32_t next = last ? 0 : static_cast<uint32_t>(r.size());
  uint32_t flags = uuid ? DM_NAME_LIST_FLAG_HAS_UUID : DM_NAME_LIST_FLAG_DOESNT_HAVE_UUID;
  std::memcpy(r.data(), &dev, 8);
  std::memcpy(r.data() + 8, &next, 4);
  std::memcpy(r.data() + 12, name.data(), name.size());
  std::memcpy(r.data() + tail, &event_nr, 4);
  std::memcpy(r.data() + tail + 4, &flags, 4);
  if (uuid) std::memcpy(r.data() + align8(tail + 8), uuid->data(), uuid->size());
  return r;
}

TEST(DmPayload, UnpackNameListWithEventAndUuidTail) {
  std::string u = "DMIRROR-abc";
  auto a = name_record((254u << 8) | 3, "vol", 7, &u, false);
  auto b = name_record((254u << 8) | 4, "plain", 1, nullptr, true);
  a.insert(a.end(), b.begin(), b.end());
  auto got = unpack_name_list(a, true);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].name, "vol");
  EXPECT_EQ((*got)[0].dev, (DevNumber{254, 3}));
  EXPECT_EQ((*got)[0].event_nr, 7u);
  EXPECT_EQ((*got)[0].uuid, u);
  EXPECT_EQ((*got)[1].name, "plain");
  EXPECT_FALSE((*got)[1].uuid);
}

TEST(DmPayload, EmptyNameListIsDevZeroOrNoPayload) {
  std::vector<std::byte> empty(16);
  auto got = unpack_name_list(empty, true);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());
  // 6.1 with nothing matching: data_size == data_start, no record at all.
  auto none = unpack_name_list({}, true);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(DmPayload, LargeMinorDecodesLikeMakedev) {
  uint64_t dev = (uint64_t{0x12345} & 0xff) | (uint64_t{253} << 8) | ((uint64_t{0x12345} & ~0xffULL) << 12);
  auto r = name_record(dev, "x", 0, nullptr, true);
  auto got = unpack_name_list(r, true);
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)[0].dev, (DevNumber{253, 0x12345}));
}

TEST(DmPayload, UnpackTargetVersions) {
  std::vector<std::byte> p(48);
  dm_target_versions v{};
  v.next = 24;
  v.version[0] = 1; v.version[1] = 15; v.version[2] = 1;
  std::memcpy(p.data(), &v, 16);
  std::memcpy(p.data() + 16, "raid", 5);
  v.next = 0;
  v.version[1] = 4; v.version[2] = 0;
  std::memcpy(p.data() + 24, &v, 16);
  std::memcpy(p.data() + 40, "linear", 7);
  auto got = unpack_target_versions(p);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].name, "raid");
  EXPECT_EQ((*got)[0].version, (Version{1, 15, 1}));
  EXPECT_EQ((*got)[1].name, "linear");
}

TEST(DmPayload, TargetMessageLayout) {
  auto m = pack_target_message(1024, "check");
  ASSERT_EQ(m.size(), 16u);
  uint64_t sector;
  std::memcpy(&sector, m.data(), 8);
  EXPECT_EQ(sector, 1024u);
  EXPECT_STREQ(reinterpret_cast<const char*>(m.data() + 8), "check");
}

}  // namespace
}  // namespace dmirror::dm
