// SPDX-License-Identifier: LGPL-2.1-or-later
// disk_extents() on a made-up sysfs: a dm device over a leg's disk, a loop
// device over a leg's backing file and an overlapping partition share its
// disk space (a replace or add onto them would write over the leg);
// partitions side by side on one disk do not.
#include <dmirror/dm/online/disk_overlap.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace dmirror::dm {
namespace {

namespace fs = std::filesystem;

class FakeSysfs : public ::testing::Test {
 protected:
  fs::path root = fs::temp_directory_path() / ("dmirror-sysfs-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(root / "dev" / "block"); }
  void TearDown() override { fs::remove_all(root); }
  static void put(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text << "\n";
  }
  // A device directory under devices/ and its dev/block/MAJ:MIN link.
  fs::path device(const std::string& rel, const std::string& num) {
    fs::path d = root / "devices" / rel;
    put(d / "dev", num);
    fs::create_directory_symlink(d, root / "dev" / "block" / num);
    return d;
  }
  std::vector<DiskExtent> of(uint32_t maj, uint32_t min) { return disk_extents(DevNumber{maj, min}, root.string()); }
};

TEST_F(FakeSysfs, ADmDeviceOverALegsDiskSharesIt) {
  device("vdb", "254:16");
  fs::path dm = device("dm-0", "253:0");
  put(dm / "slaves" / "vdb" / "dev", "254:16");
  EXPECT_TRUE(extents_overlap(of(253, 0), of(254, 16)));
  device("vdc", "254:32");
  EXPECT_FALSE(extents_overlap(of(253, 0), of(254, 32)));
}

TEST_F(FakeSysfs, PartitionsOverlapTheirDiskAndEachOtherOnlyWhereTheyMeet) {
  device("vdb", "254:16");
  for (auto [name, num, start] : {std::tuple{"vdb1", "254:17", "2048"}, {"vdb2", "254:18", "4096"},
                                  {"vdb3", "254:19", "3000"}}) {
    fs::path p = device(std::string("vdb/") + name, num);
    put(p / "partition", "1");
    put(p / "start", start);
    put(p / "size", "2048");
  }
  EXPECT_TRUE(extents_overlap(of(254, 17), of(254, 16))) << "a partition and its whole disk";
  EXPECT_FALSE(extents_overlap(of(254, 17), of(254, 18))) << "side by side";
  EXPECT_TRUE(extents_overlap(of(254, 17), of(254, 19))) << "overlapping";
}

TEST_F(FakeSysfs, LoopDevicesOverOneFileShareIt) {
  const fs::path file = root / "leg.img";
  put(file, "x");
  const fs::path other = root / "other.img";
  put(other, "y");
  put(device("loop0", "7:0") / "loop" / "backing_file", file.string());
  put(device("loop1", "7:1") / "loop" / "backing_file", file.string());
  put(device("loop2", "7:2") / "loop" / "backing_file", other.string());
  EXPECT_TRUE(extents_overlap(of(7, 0), of(7, 1)));
  EXPECT_FALSE(extents_overlap(of(7, 0), of(7, 2)));
}

TEST_F(FakeSysfs, AnUnknownDeviceIsItsOwnExtent) {
  EXPECT_TRUE(extents_overlap(of(9, 9), of(9, 9)));
  EXPECT_FALSE(extents_overlap(of(9, 9), of(9, 10)));
}

}  // namespace
}  // namespace dmirror::dm
