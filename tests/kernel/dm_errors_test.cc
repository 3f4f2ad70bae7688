// SPDX-License-Identifier: LGPL-2.1-or-later
// errno -> typed Error mapping of dm ioctls, and kernel-log reason capture.
#include <dmirror/dm/dm_errors.h>
#include <dmirror/dm/kmsg.h>

#include <gtest/gtest.h>

#include <cerrno>

namespace dmirror::dm {
namespace {

TEST(DmErrors, MapsErrnoToCodeAndAdvice) {
  auto ref = DeviceRef::by_name("vol");
  EXPECT_EQ(dm_ioctl_error(DmOp::Load, ref, EACCES).code, ErrorCode::PermissionDenied);
  EXPECT_EQ(dm_ioctl_error(DmOp::Create, ref, EBUSY).code, ErrorCode::Exists);
  EXPECT_EQ(dm_ioctl_error(DmOp::Remove, ref, EBUSY).code, ErrorCode::Busy);
  EXPECT_EQ(dm_ioctl_error(DmOp::Message, ref, EBUSY).code, ErrorCode::Busy);
  EXPECT_EQ(dm_ioctl_error(DmOp::Status, ref, ENXIO).code, ErrorCode::NotFound);
  EXPECT_EQ(dm_ioctl_error(DmOp::Wait, ref, EINTR).code, ErrorCode::Cancelled);
  EXPECT_EQ(dm_ioctl_error(DmOp::Resume, ref, EIO).code, ErrorCode::Io);
  EXPECT_EQ(dm_ioctl_error(DmOp::Version, ref, ENOTTY).code, ErrorCode::Unsupported);
  auto e = dm_ioctl_error(DmOp::Load, ref, EINVAL);
  EXPECT_EQ(e.code, ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("vol"), std::string::npos);
  EXPECT_NE(e.message.find("dmesg"), std::string::npos);
  EXPECT_EQ(e.sys_errno, EINVAL);
}

TEST(DmErrors, IncludesKernelReason) {
  auto e = dm_ioctl_error(DmOp::Load, DeviceRef::by_name("vol"), EINVAL,
                          "device-mapper: table: 254:4: raid: Supplied region size is too small (-EINVAL)");
  EXPECT_NE(e.message.find("region size is too small"), std::string::npos);
}

TEST(Kmsg, ExtractsRecordText) {
  EXPECT_EQ(kmsg_record_text("3,1234,5678,-;device-mapper: table: 254:4: raid: bad\n SUBSYSTEM=x\n"),
            "device-mapper: table: 254:4: raid: bad");
  EXPECT_FALSE(kmsg_record_text("garbage"));
}

TEST(Kmsg, KeepsDeviceMapperLinesForTheDevice) {
  std::vector<std::string> lines{
      "usb 1-1: new device",
      "device-mapper: table: 254:4: raid: Failed to run raid array (-EINVAL)",
      "device-mapper: ioctl: error adding target to table",
      "device-mapper: table: 254:9: linear: other device",
  };
  EXPECT_EQ(dm_reason_from_log(lines, "254:4"),
            "device-mapper: table: 254:4: raid: Failed to run raid array (-EINVAL)");
  EXPECT_EQ(dm_reason_from_log(lines, "254:77"),
            "device-mapper: table: 254:4: raid: Failed to run raid array (-EINVAL); "
            "device-mapper: ioctl: error adding target to table; "
            "device-mapper: table: 254:9: linear: other device");
  EXPECT_EQ(dm_reason_from_log({"nothing"}, ""), "");
}

}  // namespace
}  // namespace dmirror::dm
