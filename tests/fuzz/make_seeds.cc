// SPDX-License-Identifier: LGPL-2.1-or-later
// Writes the seed corpora of the fuzz targets: real encodings produced by
// the library's own encoders (superblock copies, a journal, an event ring,
// dm-raid superblock + md bitmap, formatted tables, kernel-style ioctl
// payloads) plus hand-picked edge cases. Usage:
//   fuzz_make_seeds tests/fuzz/corpus
// The output is committed; rerun it after a format change.
#include "fuzz_support.h"
#include "seed_payloads.h"

#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/raid_table.h>
#include <dmirror/dm/simple_targets.h>
#include <dmirror/events.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace dmirror;
using namespace dmirror::fuzz;
namespace fs = std::filesystem;

namespace {

fs::path g_root;

void put(const std::string& target, const std::string& name, const void* data, size_t size) {
  fs::create_directories(g_root / target);
  std::ofstream(g_root / target / name, std::ios::binary).write(static_cast<const char*>(data), size);
}
void put(const std::string& target, const std::string& name, const std::vector<std::byte>& b) {
  put(target, name, b.data(), b.size());
}
void put(const std::string& target, const std::string& name, const std::string& s) {
  put(target, name, s.data(), s.size());
}

// A two-leg v1 superblock with the standard layout.
Superblock leg_superblock() {
  Superblock sb = area_superblock(14, kEventsAreaSize);
  sb.seqno = 3;
  sb.slot = 1;
  sb.region_size = 4 * 1024 * 1024;
  sb.layout.sb_offset[0] = kSuperblockOffset[0];
  sb.layout.sb_offset[1] = kSuperblockOffset[1];
  sb.layout.journal_offset = kJournalOffset;
  sb.layout.journal_size = kJournalAreaSize;
  sb.layout.events_offset = kEventsOffset;
  sb.layout.kmeta_offset = kKmetaOffset;
  sb.layout.kmeta_size = kKmetaAreaSize;
  sb.layout.data_size = 56 * 1024 * 1024;
  for (uint32_t i = 0; i < 2; ++i) {
    sb.legs[i].uuid.bytes[0] = static_cast<uint8_t>(0x40 + i);
    sb.legs[i].state = LegState::InSync;
    sb.legs[i].device_size = 64 * 1024 * 1024;
  }
  sb.leg_uuid = sb.legs[1].uuid;
  return sb;
}

void superblock_seeds() {
  Superblock sb = leg_superblock();
  std::vector<std::byte> b(kSuperblockSize);
  for (int copy : {0, 1}) {
    encode_superblock(sb, copy, std::span<std::byte, kSuperblockSize>(b.data(), kSuperblockSize));
    put("superblock", "copy" + std::to_string(copy), b);
  }
  sb.incompat = 1u << 7;  // unknown incompat feature
  encode_superblock(sb, 0, std::span<std::byte, kSuperblockSize>(b.data(), kSuperblockSize));
  put("superblock", "unknown-incompat", b);
  put("superblock", "truncated", b.data(), 300);
  put("superblock", "zero", std::vector<std::byte>(kSuperblockSize));
}

// Journal seeds carry a 3-byte region count before the area.
void journal_seeds() {
  for (uint64_t regions : {uint64_t{14}, kRegionsPerJournalBlock + 5}) {
    Superblock sb = area_superblock(regions, 4096);
    auto j = WriteIntentJournal::create(sb);
    j.mark(0);
    j.mark(regions - 1);
    auto dev = make_mem_device(sb.layout.journal_size, "mem");
    if (!j.write_pending(*dev, true)) throw std::runtime_error("journal write");
    j.commit_written(true);
    j.clear(0);
    if (!j.write_pending(*dev)) throw std::runtime_error("journal write");
    std::vector<std::byte> area(sb.layout.journal_size);
    if (!dev->read(0, area)) throw std::runtime_error("journal read");
    const uint64_t n = regions - 1;  // the fuzzer adds 1
    std::vector<std::byte> seed{std::byte(n), std::byte(n >> 8), std::byte(n >> 16)};
    seed.insert(seed.end(), area.begin(), area.end());
    put("journal", "regions-" + std::to_string(regions), seed);
  }
}

// Event seeds carry a 1-byte ring size (blocks - 1) before the area.
void events_seeds() {
  Superblock sb = area_superblock(1, 4096);
  auto dev = make_mem_device(4096, "mem");
  for (uint64_t seq = 1; seq <= 10; ++seq) {  // wraps the 8-record ring
    Event ev{seq, 1764000000 + seq, EventType::ScrubFinished, 1, {seq, 2, 3, 4}, "scrub " + std::to_string(seq)};
    if (!write_event(*dev, sb, ev)) throw std::runtime_error("event write");
  }
  std::vector<std::byte> seed(1 + 4096);
  if (!dev->read(0, std::span(seed).subspan(1))) throw std::runtime_error("event read");
  put("events", "ring-wrapped", seed);
}

void kernel_metadata_seeds() {
  std::vector<std::byte> area(3 * 4096);
  dm::RaidSuperblock rs;
  rs.magic = dm::kDmRaidMagic;
  rs.compat_features = dm::kRaidFeatureSupportsV190;
  rs.num_devices = 2;
  rs.events = 42;
  rs.disk_recovery_offset = dm::kMaxSector;
  rs.array_resync_offset = 2048;
  rs.level = 1;
  rs.array_sectors = rs.sectors = 114688;
  rs.set_slot_failed(1, true);
  dm::encode_raid_superblock(rs, area);
  dm::BitmapSuper bm;
  bm.magic = dm::kBitmapMagic;
  bm.version = 4;
  bm.events = 42;
  bm.sync_size = 114688;
  bm.chunksize = 4 * 1024 * 1024;
  bm.daemon_sleep = 5;
  dm::encode_bitmap_super(bm, std::span(area).subspan(dm::kBitmapSuperOffset));
  dm::set_region_bit(std::span(area).subspan(dm::kBitmapBitsOffset), 3, true);
  put("kernel_metadata", "raid-sb-and-bitmap", area);
  put("kernel_metadata", "raid-sb-only", std::vector<std::byte>(area.begin(), area.begin() + 148));
}

void text_seeds() {
  for (auto [name, line] : std::initializer_list<std::pair<const char*, const char*>>{
           {"idle", "raid1 2 AA 114688/114688 idle 0 0 -"},
           {"resync", "raid1 2 aa 2048/114688 resync 0 0 -"},
           {"degraded", "raid1 3 AD- 114688/114688 idle 0 8192 -"},
           {"old-kernel", "raid1 2 AA 0/114688"},
           {"check-mismatch", "raid1 2 AA 114688/114688 check 128 0 -"}})
    put("raid_status", name, std::string(line));

  dm::Raid1Params p;
  p.region_size = 8192;
  p.max_recovery_rate = 100000;
  p.write_mostly = {1};
  p.max_write_behind = 256;
  p.legs = {{dm::DevNumber{7, 0}, dm::DevNumber{7, 1}}, {dm::DevNumber{7, 2}, dm::DevNumber{7, 3}}, {}};
  put("raid_table", "formatted", *dm::format_raid1_params(p));
  p.nosync = true;
  p.write_mostly.clear();
  p.max_write_behind.reset();
  p.legs.pop_back();
  put("raid_table", "nosync", *dm::format_raid1_params(p));
  put("raid_table", "kernel-echo", std::string("raid1 5 0 region_size 8192 rebuild 1 2 - 7:1 7:2 7:3"));

  put("linear_params", "linear", dm::linear_target(0, 8, {dm::DevNumber{254, 16}, 4096}).params);
  put("linear_params", "dev", std::string("259:1048575"));

  int n = 0;
  for (const char* s : {"vol0", "a-b.c:d=e@f_g#h+i", "-bad", "control", "has/slash", "4M", "64KiB", "1 g",
                        "512", "16P", "18446744073709551615", "18446744073709551616", "17P", ""})
    put("names", "seed" + std::to_string(n++), std::string(s));
}

void payload_seeds() {
  put("dm_payload", "name-list-tail", seed_name_list(true));
  put("dm_payload", "name-list-old", seed_name_list(false));
  put("dm_payload", "target-versions", seed_target_versions());
  put("dm_payload", "status", seed_status());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 16;
  }
  g_root = argv[1];
  superblock_seeds();
  journal_seeds();
  events_seeds();
  kernel_metadata_seeds();
  text_seeds();
  payload_seeds();
  return 0;
}
