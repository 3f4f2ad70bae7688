// SPDX-License-Identifier: LGPL-2.1-or-later
// The holder of a busy block device, as the EBUSY refusal names it
// (io/busy_holder.h): mountinfo lines and the wording. The lookups on a
// real mounted or held loop device are in the loop tier
// (bad_input_devices_test.cc).
#include "io/busy_holder.h"

#include <gtest/gtest.h>
#include <sys/sysmacros.h>

namespace dmirror::io {
namespace {

TEST(BusyHolder, MountinfoLinesAreMatchedByDeviceNumber) {
  const std::string line = "36 35 7:3 / /srv/with\\040space rw,noatime shared:1 - ext4 /dev/loop3 rw";
  EXPECT_EQ(mountinfo_point(line, makedev(7, 3)), "/srv/with space");
  EXPECT_EQ(mountinfo_point(line, makedev(7, 4)), "");
  EXPECT_EQ(mountinfo_point(line, makedev(3, 7)), "");
  EXPECT_EQ(mountinfo_point("garbage", makedev(7, 3)), "");
  EXPECT_EQ(mountinfo_point("1 2 7-3 / /x rw - ext4 x rw", makedev(7, 3)), "");
}

TEST(BusyHolder, EveryHolderIsNamedWithWhatToDo) {
  BusyHolders h;
  EXPECT_EQ(describe_holders(h), "");
  h.mounts = {"/mnt"};
  h.stacked = {"dm-3 (/dev/mapper/vol0)"};
  h.processes = {"mkfs.ext4 (pid 12)"};
  h.swap = true;
  EXPECT_EQ(describe_holders(h),
            "mounted on /mnt; unmount it; used as swap; swapoff it; held by dm-3 (/dev/mapper/vol0); remove or "
            "deactivate that device first; open in mkfs.ext4 (pid 12); wait for it to finish or stop it");
}

}  // namespace
}  // namespace dmirror::io
