// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs inside the qemu guest (Debian's kernel, two virtio disks, no udev):
// the kernel-glue library against the real device-mapper and dm-raid. The
// tests form one scenario and run in declaration order.
#include <dmirror/block_device.h>
#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/simple_targets.h>
#include <dmirror/dm/volume.h>

#include "vm_support.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

namespace dmirror::dm::vm {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kPatternOffset = 3 * kMiB + 4096;  // spans a region boundary
constexpr size_t kPatternSize = 1 * kMiB;

TEST(KernelGlueVm, Handshake) {
  auto v = dm().interface_version();
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(v->major, 4u);
  EXPECT_GE(v->minor, 41u);
  std::printf("dm interface %s\n", v->str().c_str());
  auto raid = dm().target_version("raid");
  ASSERT_TRUE(raid) << raid.error().describe();
  EXPECT_GE(*raid, (Version{1, 15, 0}));
  auto bogus = dm().target_version("no-such-target");
  ASSERT_FALSE(bogus);
}

TEST(KernelGlueVm, ActivateOnZeroedMetadataAndResync) {
  ASSERT_EQ(zero_all_kernel_metadata(), "");
  auto m = volume_mapping();
  ASSERT_GT(m.data_size, 0u);
  auto active = activate(dm(), m);
  ASSERT_TRUE(active) << active.error().describe();
  EXPECT_EQ(active->subdevices.size(), 4u);
  EXPECT_EQ(::access("/dev/mapper/kgvol", F_OK), 0) << "no udev: the glue creates /dev/mapper nodes";
  EXPECT_EQ(::access("/dev/mapper/kgvol-data1", F_OK), 0);

  auto first = query(dm(), kVolume);
  ASSERT_TRUE(first) << first.error().describe();
  std::printf("first status: %s %s\n", first->raid.health_chars.c_str(), first->raid.action_text.c_str());
  EXPECT_EQ(first->table.region_size, 1024u);
  EXPECT_EQ(first->table.legs.size(), 2u);

  auto start = std::chrono::steady_clock::now();
  auto st = wait_for_status(dm(), idle_in_sync, 180s);
  ASSERT_TRUE(st) << st.error().describe();
  std::printf("initial resync took %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(st->raid.health_chars, "AA");
  EXPECT_EQ(st->raid.action, SyncAction::Idle);
  EXPECT_EQ(st->raid.sync_total, m.data_size / 512);
}

TEST(KernelGlueVm, WriteReadAndCheck) {
  auto data = pattern(kPatternOffset, kPatternSize, 1);
  ASSERT_EQ(direct_write(top_node(), kPatternOffset, data), "");
  std::vector<std::byte> back(kPatternSize);
  ASSERT_EQ(direct_read(top_node(), kPatternOffset, back), "");
  EXPECT_TRUE(back == data);
  // Both legs carry the data at data_offset + offset.
  for (const auto& leg : kLegPaths) {
    std::vector<std::byte> raw(kPatternSize);
    ASSERT_EQ(direct_read(leg, kDataOffset + kPatternOffset, raw), "");
    EXPECT_TRUE(raw == data) << leg;
  }

  // The check's own result: its end is the event the kernel raises when
  // it reaps the sync thread, and the whole volume was compared.
  auto st = run_sync_action(dm(), "check", 180s);
  ASSERT_TRUE(st) << st.error().describe();
  EXPECT_TRUE(st->raid.fully_in_sync());
  EXPECT_EQ(st->raid.health_chars, "AA");
  ASSERT_TRUE(st->raid.mismatch_count);
  EXPECT_EQ(*st->raid.mismatch_count, 0u);
}

// A check must count what it finds (else the zero above proves nothing):
// a difference planted behind the kernel's back on leg 1 is counted, and
// a repair after it leaves a check that counts zero again.
TEST(KernelGlueVm, CheckCountsAPlantedMismatchAndRepairClearsIt) {
  constexpr uint64_t kAt = 20 * kMiB;
  auto mine = pattern(kAt, 64 * 1024, 6);
  ASSERT_EQ(direct_write(top_node(), kAt, mine), "");
  ASSERT_EQ(direct_write(kLegPaths[1], kDataOffset + kAt + 4096, pattern(kAt, 4096, 7)), "");
  auto found = run_sync_action(dm(), "check", 180s);
  ASSERT_TRUE(found) << found.error().describe();
  ASSERT_TRUE(found->raid.mismatch_count);
  EXPECT_GT(*found->raid.mismatch_count, 0u) << "the planted difference was not counted";
  auto repaired = run_sync_action(dm(), "repair", 180s);
  ASSERT_TRUE(repaired) << repaired.error().describe();
  auto clean = run_sync_action(dm(), "check", 180s);
  ASSERT_TRUE(clean) << clean.error().describe();
  ASSERT_TRUE(clean->raid.mismatch_count);
  EXPECT_EQ(*clean->raid.mismatch_count, 0u);
  std::vector<std::byte> leg0(64 * 1024), leg1(64 * 1024);
  ASSERT_EQ(direct_read(kLegPaths[0], kDataOffset + kAt, leg0), "");
  ASSERT_EQ(direct_read(kLegPaths[1], kDataOffset + kAt, leg1), "");
  EXPECT_TRUE(leg0 == leg1);
  EXPECT_TRUE(leg0 == mine) << "raid1 repairs from the first in-sync leg";
}

TEST(KernelGlueVm, ListDevicesByPrefix) {
  auto all = dm().list_devices(kDmUuidPrefix);
  ASSERT_TRUE(all) << all.error().describe();
  EXPECT_EQ(all->size(), 5u);
  for (const auto& d : *all) {
    ASSERT_TRUE(d.uuid);
    EXPECT_TRUE(d.uuid->starts_with("DMIRROR-")) << *d.uuid;
  }
  auto subs = dm().list_devices(subdevice_uuid_prefix(kArrayUuid));
  ASSERT_TRUE(subs);
  EXPECT_EQ(subs->size(), 4u);
  auto none = dm().list_devices("NOBODY-");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(KernelGlueVm, MetadataCodecReadsTheKernelsSuperblock) {
  for (uint32_t slot = 0; slot < kLegPaths.size(); ++slot) {
    auto dev = open_device(kLegPaths[slot], OpenOptions{.writable = false, .direct = true, .exclusive = false});
    ASSERT_TRUE(dev) << dev.error().describe();
    auto st = read_kernel_metadata(**dev, kKmetaOffset);
    ASSERT_TRUE(st) << st.error().describe();
    EXPECT_FALSE(st->is_new);
    ASSERT_TRUE(st->superblock);
    EXPECT_EQ(st->superblock->magic, kDmRaidMagic);
    EXPECT_GT(st->events, 0u);
    EXPECT_EQ(st->superblock->num_devices, 2u);
    EXPECT_EQ(st->superblock->array_position, slot);
    EXPECT_EQ(st->superblock->level, 1u);
    EXPECT_TRUE(st->failed_slots.empty());
    EXPECT_EQ(st->disk_recovery_offset, kMaxSector);
    ASSERT_TRUE(st->bitmap);
    EXPECT_EQ(st->bitmap->chunksize, kRegionSize);
    EXPECT_EQ(st->bitmap->version, 4u);
    EXPECT_GE(st->bitmap->events, st->events);
    std::printf("leg %u: events %llu resync_offset %llx bitmap events %llu cleared %llu dirty %zu\n", slot,
                (unsigned long long)st->events, (unsigned long long)st->array_resync_offset,
                (unsigned long long)st->bitmap->events, (unsigned long long)st->bitmap->events_cleared,
                st->dirty_regions.size());
    if (slot == 0) {
      std::vector<std::byte> raw(8192);
      ASSERT_EQ(direct_read(kLegPaths[0], kKmetaOffset, raw), "");
      dump_hex("kernel dm-raid superblock (leg 0, 148 bytes)", std::span(raw).first(kRaidSuperblockSize));
      dump_hex("kernel md bitmap superblock (leg 0, 256 bytes)", std::span(raw).subspan(4096, kBitmapSuperSize));
    }
  }
}

TEST(KernelGlueVm, TableLoadErrorCarriesKernelReason) {
  ASSERT_TRUE(dm().create_device("kgbad", "DMIRROR-bad"));
  auto dev = dev_number(kLegPaths[0]);
  std::vector<TargetLine> bad{{0, 1024, "raid", "raid1 1 0 1 " + dev.str() + " -"}};
  auto r = dm().load_table(DeviceRef::by_name("kgbad"), bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("device-mapper:"), std::string::npos) << r.error().message;
  std::printf("load error: %s\n", r.error().describe().c_str());
  EXPECT_TRUE(dm().remove_device(DeviceRef::by_name("kgbad")));
}

TEST(KernelGlueVm, GlobalEventPollSeesCreateAndRemove) {
  ASSERT_TRUE(dm().arm_poll());
  ASSERT_TRUE(dm().create_device("kgpoll", ""));
  pollfd p{dm().poll_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 5000), 1);
  EXPECT_TRUE(dm().remove_device(DeviceRef::by_name("kgpoll")));
}

TEST(KernelGlueVm, OpenDeviceRemoveIsBusyUnlessDeferred) {
  auto created = dm().create_device("kgopen", "");
  ASSERT_TRUE(created);
  std::vector<TargetLine> t{error_target(0, 8)};
  ASSERT_TRUE(dm().load_table(DeviceRef::by_name("kgopen"), t));
  auto live = dm().resume(DeviceRef::by_name("kgopen"));
  ASSERT_TRUE(live) << live.error().describe();
  int fd = ::open(live->dm_node().c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  auto busy = dm().remove_device(DeviceRef::by_name("kgopen"), {.retry_busy = false});
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, ErrorCode::Busy);
  ASSERT_TRUE(dm().remove_device(DeviceRef::by_name("kgopen"), {.deferred = true}));
  auto info = dm().device_info(DeviceRef::by_name("kgopen"));
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->deferred_remove());
  ::close(fd);
  std::this_thread::sleep_for(200ms);
  auto gone = dm().device_info(DeviceRef::by_name("kgopen"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
}

TEST(KernelGlueVm, DeactivateAndReactivateKeepsData) {
  ASSERT_TRUE(deactivate(dm(), kVolume)) << "deactivate";
  auto left = dm().list_devices(kDmUuidPrefix);
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty());
  EXPECT_NE(::access("/dev/mapper/kgvol", F_OK), 0);
  EXPECT_NE(::access("/dev/mapper/kgvol-kmeta0", F_OK), 0);

  auto active = activate(dm(), volume_mapping());
  ASSERT_TRUE(active) << active.error().describe();
  auto st = wait_for_status(dm(), idle_in_sync, 60s);
  ASSERT_TRUE(st) << st.error().describe();
  EXPECT_EQ(st->raid.health_chars, "AA");
  std::vector<std::byte> back(kPatternSize);
  ASSERT_EQ(direct_read(top_node(), kPatternOffset, back), "");
  EXPECT_TRUE(back == pattern(kPatternOffset, kPatternSize, 1));
}

TEST(KernelGlueVm, OfflineMarkedRegionsAreResynced) {
  constexpr uint64_t kRegion = 10;
  const uint64_t leg_offset = kDataOffset + kRegion * kRegionSize;
  auto in_region = [&](uint32_t seed) { return pattern(kRegion * kRegionSize, 64 * 1024, seed); };
  ASSERT_EQ(direct_write(top_node(), kRegion * kRegionSize, in_region(4)), "");
  ASSERT_TRUE(deactivate(dm(), kVolume));
  // A torn write: leg 1 differs from leg 0 in region 10.
  ASSERT_EQ(direct_write(kLegPaths[1], leg_offset, in_region(5)), "");

  // Bits alone are ignored while array_resync_offset is MaxSector (the gap
  // docs/kernel-facts.md §2.7 describes); with the offset lowered to 0 the kernel
  // resyncs the marked region.
  for (const auto& leg : kLegPaths) {
    auto dev = open_device(leg, OpenOptions{.writable = true, .direct = true, .exclusive = true});
    ASSERT_TRUE(dev) << dev.error().describe();
    auto before = read_kernel_metadata(**dev, kKmetaOffset);
    ASSERT_TRUE(before) << before.error().describe();
    std::printf("%s before marking: %zu dirty regions, resync_offset %llx\n", leg.c_str(),
                before->dirty_regions.size(), (unsigned long long)before->array_resync_offset);
    std::vector<uint64_t> regions{kRegion};
    ASSERT_TRUE(mark_regions_dirty(**dev, kKmetaOffset, regions));
    ASSERT_TRUE(force_resync_of_dirty_regions(**dev, kKmetaOffset));
    auto after = read_kernel_metadata(**dev, kKmetaOffset);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->array_resync_offset, 0u);
    EXPECT_EQ(after->events, before->events);
    EXPECT_TRUE(std::find(after->dirty_regions.begin(), after->dirty_regions.end(), kRegion) !=
                after->dirty_regions.end());
  }

  auto active = activate(dm(), volume_mapping());
  ASSERT_TRUE(active) << active.error().describe();
  auto st = wait_for_status(dm(), idle_in_sync, 120s);
  ASSERT_TRUE(st) << st.error().describe();
  EXPECT_TRUE(st->raid.fully_in_sync());
  st = run_sync_action(dm(), "check", 120s);
  ASSERT_TRUE(st) << st.error().describe();
  ASSERT_TRUE(st->raid.mismatch_count);
  EXPECT_EQ(*st->raid.mismatch_count, 0u);
  std::vector<std::byte> leg0(64 * 1024), leg1(64 * 1024);
  ASSERT_EQ(direct_read(kLegPaths[0], leg_offset, leg0), "");
  ASSERT_EQ(direct_read(kLegPaths[1], leg_offset, leg1), "");
  EXPECT_TRUE(leg0 == leg1) << "the marked region was resynced";
  EXPECT_TRUE(leg0 == in_region(4));
}

TEST(KernelGlueVm, FailLegLiveWithErrorTarget) {
  auto before = dm().device_info(DeviceRef::by_name(kVolume));
  ASSERT_TRUE(before);
  std::string data1 = subdevice_name(kVolume, SubdeviceRole::Data, 1);
  auto sub = dm().device_info(DeviceRef::by_name(data1));
  ASSERT_TRUE(sub);
  std::vector<TargetLine> err{error_target(0, volume_mapping().data_size / 512)};
  ASSERT_TRUE(dm().load_table(DeviceRef::by_name(data1), err));
  ASSERT_TRUE(dm().resume(DeviceRef::by_name(data1), udev_flag::kHiddenSubdevice));

  auto data = pattern(kPatternOffset, kPatternSize, 2);
  ASSERT_EQ(direct_write(top_node(), kPatternOffset, data), "") << "writes continue on the surviving leg";
  auto st = wait_for_status(dm(), [](const RaidStatus& s) { return s.health_chars == "AD"; }, 60s);
  ASSERT_TRUE(st) << st.error().describe();
  EXPECT_EQ(st->raid.health_chars, "AD");
  EXPECT_TRUE(st->raid.degraded());

  // The failure bumped the event counter: DEV_WAIT returns at once.
  auto waited = dm().wait_event(DeviceRef::by_name(kVolume), before->event_nr, StatusType::Info);
  ASSERT_TRUE(waited) << waited.error().describe();
  EXPECT_NE(waited->info.event_nr, before->event_nr);
  ASSERT_EQ(waited->targets.size(), 1u);
  EXPECT_NE(waited->targets[0].params.find(" AD "), std::string::npos) << waited->targets[0].params;

  std::vector<std::byte> back(kPatternSize);
  ASSERT_EQ(direct_read(top_node(), kPatternOffset, back), "");
  EXPECT_TRUE(back == data);
  auto more = pattern(0, 64 * 1024, 3);
  EXPECT_EQ(direct_write(top_node(), 0, more), "");

  ASSERT_TRUE(deactivate(dm(), kVolume));
  auto left = dm().list_devices(kDmUuidPrefix);
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty());
}

}  // namespace
}  // namespace dmirror::dm::vm
