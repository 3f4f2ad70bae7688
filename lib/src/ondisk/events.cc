// SPDX-License-Identifier: LGPL-2.1-or-later
// The event history ring (see events.h and FORMAT.md, "Event history").
#include <dmirror/crc32c.h>
#include <dmirror/events.h>

#include <algorithm>
#include <cstring>

#include "base/endian.h"

namespace dmirror {
namespace {

constexpr char kEventMagic[4] = {'D', 'M', 'E', 'V'};

struct EventDisk {               // 512 bytes, little-endian
  char magic[4];                 // 0   "DMEV"
  uint32_t checksum;             // 4   CRC32C of the 512 bytes with this field zero
  uint64_t seq;                  // 8
  uint64_t time;                 // 16
  uint32_t type;                 // 24
  uint32_t slot;                 // 28
  uint64_t args[4];              // 32
  uint8_t array_uuid[16];        // 64
  char detail[kEventDetailSize]; // 80  NUL-padded text
};
static_assert(sizeof(EventDisk) == kEventRecordSize);
static_assert(offsetof(EventDisk, seq) == 8);
static_assert(offsetof(EventDisk, args) == 32);
static_assert(offsetof(EventDisk, array_uuid) == 64);
static_assert(offsetof(EventDisk, detail) == 80);

uint32_t record_checksum(const EventDisk& d) {
  EventDisk copy = d;
  copy.checksum = 0;
  return crc32c(std::as_bytes(std::span(&copy, 1)));
}

bool all_zero(const std::byte* p, size_t n) {
  return std::all_of(p, p + n, [](std::byte b) { return b == std::byte{0}; });
}

}  // namespace

std::string_view event_type_name(EventType t) {
  switch (t) {
    case EventType::Created: return "created";
    case EventType::Activated: return "activated";
    case EventType::DeactivatedClean: return "deactivated";
    case EventType::LegFailed: return "leg_failed";
    case EventType::ReplaceStarted: return "replace_started";
    case EventType::ReplaceFinished: return "replace_finished";
    case EventType::ResyncStarted: return "resync_started";
    case EventType::ResyncFinished: return "resync_finished";
    case EventType::ScrubStarted: return "scrub_started";
    case EventType::ScrubFinished: return "scrub_finished";
    case EventType::LegAdded: return "leg_added";
    case EventType::LegRemoved: return "leg_removed";
    case EventType::UncleanShutdown: return "unclean_shutdown";
    case EventType::MetadataRepaired: return "metadata_repaired";
    case EventType::VerifyFinished: return "verify_finished";
    case EventType::LegMissing: return "leg_missing";
    case EventType::LegReAdded: return "leg_readded";
    case EventType::SplitBrainResolved: return "split_brain_resolved";
    case EventType::ReadErrorCorrected: return "read_error_corrected";
    case EventType::CountersCleared: return "counters_cleared";
    case EventType::LegForced: return "leg_forced";
    case EventType::LegSplit: return "leg_split";
    case EventType::LegMerged: return "leg_merged";
  }
  return "unknown";
}

Event make_event(uint64_t seq, uint64_t time, EventType type, uint32_t slot, std::initializer_list<uint64_t> args,
                 std::string detail) {
  Event ev;
  ev.seq = seq;
  ev.time = time;
  ev.type = type;
  ev.slot = slot;
  size_t i = 0;
  for (uint64_t a : args)
    if (i < 4) ev.args[i++] = a;
  if (detail.size() >= kEventDetailSize) detail.resize(kEventDetailSize - 1);
  ev.detail = std::move(detail);
  return ev;
}

uint64_t event_capacity(const Superblock& sb) { return sb.layout.events_size / kEventRecordSize; }

Result<EventHistory> read_events(BlockDevice& dev, const Superblock& sb) {
  uint64_t cap = event_capacity(sb);
  std::vector<std::byte> area(cap * kEventRecordSize);
  DMIRROR_RETURN_IF_ERROR(dev.read(sb.layout.events_offset, area));
  EventHistory h;
  for (uint64_t i = 0; i < cap; ++i) {
    const std::byte* p = area.data() + i * kEventRecordSize;
    if (all_zero(p, kEventRecordSize)) continue;
    EventDisk d;
    std::memcpy(&d, p, sizeof d);
    if (std::memcmp(d.magic, kEventMagic, 4) != 0) { h.damage.push_back({i, "no event magic"}); continue; }
    if (from_le(d.checksum) != record_checksum(d)) { h.damage.push_back({i, "checksum mismatch (torn or damaged record)"}); continue; }
    if (std::memcmp(d.array_uuid, sb.array_uuid.bytes.data(), 16) != 0) continue;  // an older array's leftovers
    Event e;
    e.seq = from_le(d.seq);
    if (e.seq % cap != i) { h.damage.push_back({i, "record is in the wrong ring slot"}); continue; }
    e.time = from_le(d.time);
    e.type = static_cast<EventType>(from_le(d.type));
    e.slot = from_le(d.slot);
    for (int k = 0; k < 4; ++k) e.args[k] = from_le(d.args[k]);
    e.detail.assign(d.detail, strnlen(d.detail, sizeof d.detail));
    h.events.push_back(std::move(e));
  }
  std::sort(h.events.begin(), h.events.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
  h.next_seq = h.events.empty() ? 1 : h.events.back().seq + 1;
  return h;
}

Status write_event(BlockDevice& dev, const Superblock& sb, const Event& ev) {
  uint64_t cap = event_capacity(sb);
  if (ev.seq == 0 || cap == 0) return make_error(ErrorCode::InvalidArgument, "event sequence must be non-zero");
  EventDisk d{};
  std::memcpy(d.magic, kEventMagic, 4);
  d.seq = to_le(ev.seq);
  d.time = to_le(ev.time);
  d.type = to_le(static_cast<uint32_t>(ev.type));
  d.slot = to_le(ev.slot);
  for (int k = 0; k < 4; ++k) d.args[k] = to_le(ev.args[k]);
  std::memcpy(d.array_uuid, sb.array_uuid.bytes.data(), 16);
  std::memcpy(d.detail, ev.detail.data(), std::min(ev.detail.size(), kEventDetailSize - 1));
  d.checksum = to_le(record_checksum(d));

  uint64_t off = sb.layout.events_offset + (ev.seq % cap) * kEventRecordSize;
  uint32_t lbs = std::max<uint32_t>(dev.geometry().logical_block_size, kEventRecordSize);
  uint64_t block = off / lbs * lbs;
  std::vector<std::byte> buf(lbs);
  if (lbs != kEventRecordSize) DMIRROR_RETURN_IF_ERROR(dev.read(block, buf));
  std::memcpy(buf.data() + (off - block), &d, sizeof d);
  return dev.write(block, buf);
}

}  // namespace dmirror
