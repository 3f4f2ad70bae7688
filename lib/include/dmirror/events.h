// SPDX-License-Identifier: LGPL-2.1-or-later
// The event history: an append-only ring of checksummed 512-byte records on
// every leg (created, activated, leg failed, scrub finished...). A reader
// tolerates a torn or damaged record and reports it instead of failing.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace dmirror {

inline constexpr uint32_t kEventRecordSize = 512;
inline constexpr size_t kEventDetailSize = 432;

enum class EventType : uint32_t {
  Created = 1,
  Activated = 2,
  DeactivatedClean = 3,
  LegFailed = 4,
  ReplaceStarted = 5,
  ReplaceFinished = 6,
  ResyncStarted = 7,
  ResyncFinished = 8,
  ScrubStarted = 9,
  ScrubFinished = 10,
  LegAdded = 11,
  LegRemoved = 12,
  UncleanShutdown = 13,
  MetadataRepaired = 14,
  VerifyFinished = 15,
  LegMissing = 16,            // slot: recorded missing when written degraded
  LegReAdded = 17,            // slot: came back; args[0] = 1 journal-guided, 0 full copy
  SplitBrainResolved = 18,    // slot: the leg chosen as source; args[0] = losing slots (bit mask)
  ReadErrorCorrected = 19,    // slot; args[0] = data offset, args[1] = length
  CountersCleared = 20,       // slot, or kNoSlot for every leg
  LegForced = 21,             // slot: a stale leg raised by --force
  LegSplit = 22,              // slot: split off as an array of its own; on the split-off
                              // array: slot 0, args[0] = the origin's split seqno
  LegMerged = 23,             // slot: a split leg back as rebuilding from the journal; args[0] = regions marked
};
DMIRROR_EXPORT std::string_view event_type_name(EventType t);

struct Event {
  uint64_t seq = 0;         // monotonic per array
  uint64_t time = 0;        // unix seconds
  EventType type = EventType::Created;
  uint32_t slot = kNoSlot;  // leg concerned, or kNoSlot
  uint64_t args[4] = {0, 0, 0, 0};   // meaning per type: see FORMAT.md
  std::string detail;       // human text, at most kEventDetailSize-1 bytes
};

struct EventDamage {
  uint64_t record_index = 0;
  std::string what;
};

struct EventHistory {
  std::vector<Event> events;           // oldest first
  std::vector<EventDamage> damage;     // records that failed validation
  uint64_t next_seq = 1;
};

// An event with up to four arguments; the detail is cut to what fits.
DMIRROR_EXPORT Event make_event(uint64_t seq, uint64_t time, EventType type, uint32_t slot,
                                std::initializer_list<uint64_t> args, std::string detail);

DMIRROR_EXPORT uint64_t event_capacity(const Superblock& sb);
DMIRROR_EXPORT Result<EventHistory> read_events(BlockDevice& dev, const Superblock& sb);
// Writes event `ev` (ev.seq must be set) into its ring slot. Does not flush.
[[nodiscard]] DMIRROR_EXPORT Status write_event(BlockDevice& dev, const Superblock& sb, const Event& ev);

}  // namespace dmirror
