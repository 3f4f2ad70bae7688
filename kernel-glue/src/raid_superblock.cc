// SPDX-License-Identifier: LGPL-2.1-or-later
// dm_raid_superblock encode/decode/validate (docs/kernel-facts.md §2.3).
#include <dmirror/dm/raid_superblock.h>

#include "le.h"

namespace dmirror::dm {

bool RaidSuperblock::slot_failed(uint32_t slot) const {
  if (slot < 64) return (failed_devices >> slot) & 1;
  if (slot < 256) return (extended_failed_devices[slot / 64 - 1] >> (slot % 64)) & 1;
  return false;
}

void RaidSuperblock::set_slot_failed(uint32_t slot, bool failed) {
  uint64_t* word = slot < 64 ? &failed_devices : slot < 256 ? &extended_failed_devices[slot / 64 - 1] : nullptr;
  if (!word) return;
  uint64_t bit = uint64_t{1} << (slot % 64);
  *word = failed ? (*word | bit) : (*word & ~bit);
}

std::vector<uint32_t> RaidSuperblock::failed_slots() const {
  std::vector<uint32_t> out;
  for (uint32_t s = 0; s < 256; ++s)
    if (slot_failed(s)) out.push_back(s);
  return out;
}

Result<RaidSuperblock> decode_raid_superblock(std::span<const std::byte> b) {
  if (b.size() < kRaidSuperblockSize)
    return make_error(ErrorCode::InvalidArgument, "dm-raid superblock buffer shorter than 148 bytes");
  RaidSuperblock s;
  s.magic = le::load<uint32_t>(b, 0);
  s.compat_features = le::load<uint32_t>(b, 4);
  s.num_devices = le::load<uint32_t>(b, 8);
  s.array_position = le::load<uint32_t>(b, 12);
  s.events = le::load<uint64_t>(b, 16);
  s.failed_devices = le::load<uint64_t>(b, 24);
  s.disk_recovery_offset = le::load<uint64_t>(b, 32);
  s.array_resync_offset = le::load<uint64_t>(b, 40);
  s.level = le::load<uint32_t>(b, 48);
  s.layout = le::load<uint32_t>(b, 52);
  s.stripe_sectors = le::load<uint32_t>(b, 56);
  s.flags = le::load<uint32_t>(b, 60);
  s.reshape_position = le::load<uint64_t>(b, 64);
  s.new_level = le::load<uint32_t>(b, 72);
  s.new_layout = le::load<uint32_t>(b, 76);
  s.new_stripe_sectors = le::load<uint32_t>(b, 80);
  s.delta_disks = static_cast<int32_t>(le::load<uint32_t>(b, 84));
  s.array_sectors = le::load<uint64_t>(b, 88);
  s.data_offset = le::load<uint64_t>(b, 96);
  s.new_data_offset = le::load<uint64_t>(b, 104);
  s.sectors = le::load<uint64_t>(b, 112);
  for (size_t i = 0; i < 3; ++i) s.extended_failed_devices[i] = le::load<uint64_t>(b, 120 + 8 * i);
  s.incompat_features = le::load<uint32_t>(b, 144);
  return s;
}

void encode_raid_superblock(const RaidSuperblock& s, std::span<std::byte> b) {
  le::store<uint32_t>(b, 0, s.magic);
  le::store<uint32_t>(b, 4, s.compat_features);
  le::store<uint32_t>(b, 8, s.num_devices);
  le::store<uint32_t>(b, 12, s.array_position);
  le::store<uint64_t>(b, 16, s.events);
  le::store<uint64_t>(b, 24, s.failed_devices);
  le::store<uint64_t>(b, 32, s.disk_recovery_offset);
  le::store<uint64_t>(b, 40, s.array_resync_offset);
  le::store<uint32_t>(b, 48, s.level);
  le::store<uint32_t>(b, 52, s.layout);
  le::store<uint32_t>(b, 56, s.stripe_sectors);
  le::store<uint32_t>(b, 60, s.flags);
  le::store<uint64_t>(b, 64, s.reshape_position);
  le::store<uint32_t>(b, 72, s.new_level);
  le::store<uint32_t>(b, 76, s.new_layout);
  le::store<uint32_t>(b, 80, s.new_stripe_sectors);
  le::store<uint32_t>(b, 84, static_cast<uint32_t>(s.delta_disks));
  le::store<uint64_t>(b, 88, s.array_sectors);
  le::store<uint64_t>(b, 96, s.data_offset);
  le::store<uint64_t>(b, 104, s.new_data_offset);
  le::store<uint64_t>(b, 112, s.sectors);
  for (size_t i = 0; i < 3; ++i) le::store<uint64_t>(b, 120 + 8 * i, s.extended_failed_devices[i]);
  le::store<uint32_t>(b, 144, s.incompat_features);
}

Status validate_raid_superblock(const RaidSuperblock& s) {
  if (s.magic != kDmRaidMagic)
    return make_error(ErrorCode::NotDmirror, "no dm-raid superblock (magic is not DmRd)");
  if (s.compat_features & ~kRaidFeatureSupportsV190)
    return make_error(ErrorCode::Unsupported, "dm-raid superblock has unknown compatible feature flags");
  if (s.incompat_features != 0)
    return make_error(ErrorCode::Unsupported, "dm-raid superblock has incompatible feature flags");
  return ok();
}

}  // namespace dmirror::dm
