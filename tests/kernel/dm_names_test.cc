// SPDX-License-Identifier: LGPL-2.1-or-later
// Volume and sub-device dm names/uuids.
#include <dmirror/dm/dm_names.h>

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

constexpr const char* kU = "0123456789abcdef0123456789abcdef";

TEST(DmNames, BuildsNamesAndUuids) {
  EXPECT_EQ(volume_dm_uuid(kU), std::string("DMIRROR-") + kU);
  EXPECT_EQ(subdevice_name("vol", SubdeviceRole::Kmeta, 0), "vol-kmeta0");
  EXPECT_EQ(subdevice_name("vol", SubdeviceRole::Data, 12), "vol-data12");
  EXPECT_EQ(subdevice_dm_uuid(kU, SubdeviceRole::Kmeta, 1), std::string("DMIRROR-") + kU + "-kmeta1");
  EXPECT_EQ(subdevice_dm_uuid(kU, SubdeviceRole::Data, 0), std::string("DMIRROR-") + kU + "-data0");
  EXPECT_EQ(subdevice_uuid_prefix(kU), std::string("DMIRROR-") + kU + "-");
  EXPECT_TRUE(subdevice_dm_uuid(kU, SubdeviceRole::Data, 3).starts_with(kDmUuidPrefix));
}

TEST(DmNames, ParsesOurUuidsOnly) {
  auto top = parse_dm_uuid(std::string("DMIRROR-") + kU);
  ASSERT_TRUE(top);
  EXPECT_EQ(top->array_uuid, kU);
  EXPECT_FALSE(top->role);
  auto sub = parse_dm_uuid("DMIRROR-12345678-aaaa-bbbb-cccc-0123456789ab-kmeta7");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->array_uuid, "12345678-aaaa-bbbb-cccc-0123456789ab");
  EXPECT_EQ(sub->role, SubdeviceRole::Kmeta);
  EXPECT_EQ(sub->slot, 7u);
  auto data = parse_dm_uuid(std::string("DMIRROR-") + kU + "-data0");
  ASSERT_TRUE(data);
  EXPECT_EQ(data->role, SubdeviceRole::Data);
  EXPECT_FALSE(parse_dm_uuid("LVM-abc"));
  EXPECT_FALSE(parse_dm_uuid("DMIRROR-"));
}

TEST(DmNames, ValidatesNames) {
  EXPECT_TRUE(validate_volume_name("vol_1.a+b"));
  EXPECT_FALSE(validate_volume_name(""));
  EXPECT_FALSE(validate_volume_name("a/b"));
  EXPECT_FALSE(validate_volume_name("a b"));
  EXPECT_FALSE(validate_volume_name("-x"));
  EXPECT_FALSE(validate_volume_name(".x"));
  EXPECT_FALSE(validate_volume_name("control"));
  EXPECT_FALSE(validate_volume_name(std::string(101, 'a')));
  auto e = validate_volume_name("bad$name");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find('$'), std::string::npos);
  EXPECT_TRUE(validate_array_uuid("12345678-aaaa-bbbb-cccc-0123456789ab"));
  EXPECT_FALSE(validate_array_uuid(""));
}

}  // namespace
}  // namespace dmirror::dm
