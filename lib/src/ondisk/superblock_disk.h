// SPDX-License-Identifier: LGPL-2.1-or-later
// The on-disk superblock, byte for byte. See FORMAT.md, "Superblock".
// Every offset is pinned by a static_assert below; changing one is a format
// change (new version or feature flag, spec update, new golden file).
#pragma once

#include <cstddef>
#include <cstdint>

namespace dmirror::ondisk {

inline constexpr char kSuperblockMagic[8] = {'D', 'M', 'I', 'R', 'R', 'O', 'R', 'S'};

struct LegEntryDisk {            // 64 bytes, little-endian
  uint8_t uuid[16];              // 0
  uint32_t state;                // 16  LegState
  uint32_t flags;                // 20  bit 0 write-mostly
  uint64_t state_seq;            // 24
  uint64_t recovery_offset;      // 32  bytes into the data area; ~0 = in sync
  uint64_t device_size;          // 40
  uint32_t replacement_slot;     // 48  0xFFFFFFFF = none
  uint8_t merge_seqno[8];        // 52  incompat SPLIT: a split slot's merge begun at this seqno of the split-off array
  uint8_t reserved[4];           // 60
};

struct LegCountersDisk {         // 32 bytes, little-endian
  uint64_t read_errors;          // 0
  uint64_t write_errors;         // 8
  uint64_t mismatches;           // 16
  uint64_t corrected;            // 24
};

struct GenerationEntryDisk {     // 16 bytes, little-endian
  uint64_t generation;           // 0
  uint64_t branch_seqno;         // 8   0 = unused entry
};

struct SuperblockDisk {          // 4096 bytes, little-endian
  char magic[8];                 // 0    "DMIRRORS"
  uint32_t version;              // 8    1
  uint32_t header_size;          // 12   4096
  uint64_t compat;               // 16
  uint64_t ro_compat;            // 24
  uint64_t incompat;             // 32
  uint64_t seqno;                // 40
  uint64_t copy_offset;          // 48   where this copy lives on the leg
  uint32_t copy_index;           // 56   0, 1, or 2 (compat TAIL_COPY)
  uint32_t flags;                // 60   dirty / kernel-owns-sync / assume-clean
  uint8_t array_uuid[16];        // 64
  uint8_t leg_uuid[16];          // 80
  char name[64];                 // 96   NUL-padded, at most 63 characters
  uint64_t ctime;                // 160
  uint64_t utime;                // 168
  uint32_t slot;                 // 176
  uint32_t nr_legs;              // 180
  uint32_t logical_block_size;   // 184
  uint32_t max_legs;             // 188  16
  uint64_t region_size;          // 192  bytes
  uint64_t nr_regions;           // 200
  uint64_t resync_offset;        // 208  ~0 = array in sync
  uint64_t data_offset;          // 216
  uint64_t data_size;            // 224
  uint64_t sb_offset[2];         // 232
  uint64_t journal_offset;       // 248
  uint64_t journal_size;         // 256
  uint64_t events_offset;        // 264
  uint64_t events_size;          // 272
  uint64_t kmeta_offset;         // 280
  uint64_t kmeta_size;           // 288
  uint32_t max_write_behind;     // 296
  uint32_t reserved0;            // 300
  uint64_t min_recovery_rate;    // 304
  uint64_t max_recovery_rate;    // 312
  uint32_t ckpt_op;              // 320  OfflineOp
  uint32_t ckpt_flags;           // 324
  uint64_t ckpt_position;        // 328
  uint64_t ckpt_started;         // 336
  uint64_t ckpt_regions_done;    // 344
  uint64_t ckpt_mismatches;      // 352
  uint64_t ckpt_repaired;        // 360
  uint32_t ckpt_source_slot;     // 368
  uint32_t ckpt_target_slot;     // 372
  uint64_t journal_kept_since;   // 376  incompat MEMBERSHIP
  uint32_t scrub_result;         // 384  ScrubResult
  uint32_t reserved2;            // 388
  uint64_t scrub_started;        // 392
  uint64_t scrub_finished;       // 400
  uint64_t scrub_regions;        // 408
  uint64_t scrub_mismatches;     // 416
  uint64_t scrub_repaired;       // 424
  uint32_t error_limit;          // 432  compat LEG_COUNTERS; 0 = default (10)
  uint32_t error_window;         // 436  seconds; 0 = default (600)
  uint64_t generation;           // 440  incompat GENERATION
  GenerationEntryDisk generation_history[8];  // 448  incompat GENERATION, newest first
  uint64_t tail_offset;          // 576  compat TAIL_COPY: this leg's copy 2 (0 = none)
  uint32_t degraded_timeout;     // 584  compat BOOT_POLICY: seconds; 0 = default (30), 0xFFFFFFFF = never
  uint32_t spare_takeover;       // 588  compat SPARE_POLICY: 0 = auto, 1 = off (report only)
  uint8_t split_uuid[16][16];    // 592  incompat SPLIT: per slot in state split, the split-off array's uuid
  uint8_t origin_uuid[16];       // 848  incompat SPLIT: the array this one was split off (nil = none)
  uint64_t origin_split_seqno;   // 864  incompat SPLIT: that array's split commit
  uint32_t origin_slot;          // 872  incompat SPLIT: the slot the leg left there
  uint8_t reserved5[148];        // 876
  LegEntryDisk legs[16];         // 1024
  LegCountersDisk counters[16];  // 2048 compat LEG_COUNTERS
  uint8_t reserved4[1532];       // 2560
  uint32_t checksum;             // 4092 CRC32C of bytes 0..4091
};

static_assert(sizeof(LegEntryDisk) == 64);
static_assert(offsetof(LegEntryDisk, state) == 16);
static_assert(offsetof(LegEntryDisk, state_seq) == 24);
static_assert(offsetof(LegEntryDisk, recovery_offset) == 32);
static_assert(offsetof(LegEntryDisk, device_size) == 40);
static_assert(offsetof(LegEntryDisk, replacement_slot) == 48);
static_assert(offsetof(LegEntryDisk, merge_seqno) == 52);
static_assert(offsetof(LegEntryDisk, reserved) == 60);

static_assert(sizeof(LegCountersDisk) == 32);
static_assert(offsetof(LegCountersDisk, corrected) == 24);

static_assert(sizeof(SuperblockDisk) == 4096);
static_assert(offsetof(SuperblockDisk, journal_kept_since) == 376);
static_assert(offsetof(SuperblockDisk, error_limit) == 432);
static_assert(offsetof(SuperblockDisk, error_window) == 436);
static_assert(offsetof(SuperblockDisk, counters) == 2048);
static_assert(sizeof(GenerationEntryDisk) == 16);
static_assert(offsetof(GenerationEntryDisk, branch_seqno) == 8);
static_assert(offsetof(SuperblockDisk, generation) == 440);
static_assert(offsetof(SuperblockDisk, generation_history) == 448);
static_assert(offsetof(SuperblockDisk, tail_offset) == 576);
static_assert(offsetof(SuperblockDisk, degraded_timeout) == 584);
static_assert(offsetof(SuperblockDisk, spare_takeover) == 588);
static_assert(offsetof(SuperblockDisk, split_uuid) == 592);
static_assert(offsetof(SuperblockDisk, origin_uuid) == 848);
static_assert(offsetof(SuperblockDisk, origin_split_seqno) == 864);
static_assert(offsetof(SuperblockDisk, origin_slot) == 872);
static_assert(offsetof(SuperblockDisk, reserved5) == 876);
static_assert(offsetof(SuperblockDisk, version) == 8);
static_assert(offsetof(SuperblockDisk, compat) == 16);
static_assert(offsetof(SuperblockDisk, incompat) == 32);
static_assert(offsetof(SuperblockDisk, seqno) == 40);
static_assert(offsetof(SuperblockDisk, copy_offset) == 48);
static_assert(offsetof(SuperblockDisk, flags) == 60);
static_assert(offsetof(SuperblockDisk, array_uuid) == 64);
static_assert(offsetof(SuperblockDisk, leg_uuid) == 80);
static_assert(offsetof(SuperblockDisk, name) == 96);
static_assert(offsetof(SuperblockDisk, ctime) == 160);
static_assert(offsetof(SuperblockDisk, slot) == 176);
static_assert(offsetof(SuperblockDisk, region_size) == 192);
static_assert(offsetof(SuperblockDisk, resync_offset) == 208);
static_assert(offsetof(SuperblockDisk, data_offset) == 216);
static_assert(offsetof(SuperblockDisk, sb_offset) == 232);
static_assert(offsetof(SuperblockDisk, journal_offset) == 248);
static_assert(offsetof(SuperblockDisk, events_offset) == 264);
static_assert(offsetof(SuperblockDisk, kmeta_offset) == 280);
static_assert(offsetof(SuperblockDisk, max_write_behind) == 296);
static_assert(offsetof(SuperblockDisk, min_recovery_rate) == 304);
static_assert(offsetof(SuperblockDisk, ckpt_op) == 320);
static_assert(offsetof(SuperblockDisk, ckpt_position) == 328);
static_assert(offsetof(SuperblockDisk, ckpt_source_slot) == 368);
static_assert(offsetof(SuperblockDisk, scrub_result) == 384);
static_assert(offsetof(SuperblockDisk, scrub_repaired) == 424);
static_assert(offsetof(SuperblockDisk, legs) == 1024);
static_assert(offsetof(SuperblockDisk, checksum) == 4092);

}  // namespace dmirror::ondisk
