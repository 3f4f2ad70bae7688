// SPDX-License-Identifier: LGPL-2.1-or-later
// A partition and its whole disk are the same storage: an image with an MBR
// partition table is attached with partition scanning (losetup -P), and
// create refuses the disk together with its partition.
#include "loop/loop_fixture.h"
#include "support/sizes.h"

#include <dmirror/block_device.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>

namespace dmirror::testing {
namespace {

// One Linux partition from 1 MiB to the end, in a classic MBR.
void write_mbr(const std::string& path, uint64_t size) {
  unsigned char mbr[512] = {};
  unsigned char* e = mbr + 446;
  e[4] = 0x83;
  const uint32_t start = 2048, count = static_cast<uint32_t>(size / 512) - start;
  for (int i = 0; i < 4; ++i) {
    e[8 + i] = static_cast<unsigned char>(start >> (8 * i));
    e[12 + i] = static_cast<unsigned char>(count >> (8 * i));
  }
  mbr[510] = 0x55;
  mbr[511] = 0xAA;
  FILE* f = std::fopen(path.c_str(), "r+b");
  ASSERT_NE(f, nullptr);
  std::fwrite(mbr, 1, sizeof mbr, f);
  std::fclose(f);
}

TEST_F(LoopTest, PartitionAndItsWholeDiskAreTheSameStorage) {
  const uint64_t size = 64 * kMiB;
  std::string file = dir.make_image("disk.img", size);
  write_mbr(file, size);
  auto [rc, disk] = shell("losetup -P -f --show " + file);
  ASSERT_EQ(rc, 0) << disk;
  loops.push_back(disk);
  // The kernel registers the partition in sysfs; without udev there is no
  // /dev node, so make one from its device number.
  const std::string sys = "/sys/class/block/" + disk.substr(5) + "p1/dev";
  for (int i = 0; i < 20 && !std::filesystem::exists(sys); ++i) ::usleep(100000);
  // Kernels built without MBR parsing: add the partition explicitly (BLKPG).
  if (!std::filesystem::exists(sys)) shell("partx -a " + disk);
  ASSERT_TRUE(std::filesystem::exists(sys)) << sys << " did not appear";
  std::string part = disk + "p1";
  if (!std::filesystem::exists(part)) {
    unsigned maj = 0, min = 0;
    FILE* f = std::fopen(sys.c_str(), "r");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fscanf(f, "%u:%u", &maj, &min), 2);
    std::fclose(f);
    part = dir.path() + "/part1";
    ASSERT_EQ(::mknod(part.c_str(), S_IFBLK | 0600, makedev(maj, min)), 0);
  }

  auto id_disk = identify_path(disk), id_part = identify_path(part);
  ASSERT_TRUE(id_disk && id_part);
  EXPECT_TRUE(same_storage(*id_disk, *id_part));
  EXPECT_TRUE(same_storage(*id_part, *id_disk));

  auto r = run_tool({"create", "vol-part", disk, part, "--yes", "--force"});
  EXPECT_EQ(r.exit_code, 16) << r.err;
  EXPECT_TRUE(contains(r.err, "are the same storage")) << r.err;
}

}  // namespace
}  // namespace dmirror::testing
