// SPDX-License-Identifier: LGPL-2.1-or-later
// The oracle's world: the leg image files of one array (plus a spare for
// `replace`), which of them are given to the commands, the snapshots taken
// for rollbacks, and the model of the volume: per 512-byte sector of the
// data area, the newest acknowledged write, the writes that may or may not
// have landed (in flight at a power cut, or failed), every write ever
// issued there, and whether the oracle rotted it.
#pragma once

#include <dmirror/array.h>
#include <dmirror/findings.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "oracle/image_file.h"
#include "oracle/invariants.h"
#include "oracle/status_view.h"
#include "oracle/step.h"

namespace dmirror::oracle {

struct PausePoint;

inline constexpr uint64_t kDataSize = 1024 * 1024;
inline constexpr uint64_t kSectors = kDataSize / 512;
inline constexpr uint64_t kRegionSize = 64 * 1024;
// The data area, then the last 64 KiB for superblock copy 2 (FORMAT.md 1).
inline constexpr uint64_t kLegSize = kDataOffset + kDataSize + kTailCopyAlign;

struct LegFile {
  std::string path;
  bool member = true;            // false: the spare
  uint32_t slot = 0;             // members: their slot
  bool present = true;           // given to the commands
  uint64_t generation = 0;       // raised when the file is recycled as the spare
  bool truncated = false;
  std::optional<std::vector<std::byte>> foreign;   // page 0 as the oracle wrote it
  std::optional<uint64_t> seqno; // last seen
};

struct SectorModel {
  uint64_t cur = 0;                  // newest acknowledged write
  std::vector<uint64_t> maybe;       // issued after it, not acknowledged
  std::vector<uint64_t> apart;       // ... of them, issued while no present member held `cur`
  std::vector<uint64_t> history;     // every write issued here
  std::vector<uint64_t> acked;       // ... of them, the ones acknowledged
  bool rot = false;                  // the oracle rotted it on some leg since the last ack
  bool zeroed = false;               // a leg cut short and grown back reads zeros here (sticky)
};

// What one step did, for the invariants.
struct StepResult {
  bool library = false;          // a library command ran (not the oracle's own damage)
  bool power_cut = false;        // ... and the oracle cut its power
  bool ok = false;               // ... and returned success
  bool reported = false;         // ... and reported a problem (finding >= warning, failed slots, ...)
  std::string note;              // what happened, for the failure report
  uint64_t writes = 0, data_writes = 0, unlocked_writes = 0;
  bool writes_nothing = false;   // a check-only command: no write at all
  bool writes_no_data = false;   // a check: no data write
  std::vector<std::pair<uint64_t, uint64_t>> reported_ranges;   // mismatches it reported
  bool full_check = false;       // it compared every region of the in-sync legs
  bool repaired = false;         // it repaired what it found
  std::vector<uint64_t> acked;   // sectors acknowledged by this step
  std::optional<size_t> rolled_back;   // file restored by the oracle
  std::optional<size_t> recycled;      // file wiped into the spare
  std::optional<size_t> damaged_sb;    // file whose superblock copy the oracle overwrote
  bool refused = false;          // returned an error that is a refusal (not I/O)
  bool internal_error = false;   // returned ErrorCode::Internal
  std::string concurrency_problem;   // two commands at once were not serialised
};

// What the oracle sees between steps.
struct Observation {
  std::vector<size_t> present;              // the present members (files), in the order given
  std::vector<std::vector<uint64_t>> ids;   // per file: decoded id per sector (kGarbage, kAbsent)
  std::vector<std::vector<std::byte>> data; // per member file: its data area
  StatusView status;                        // assembly of the present files
  std::vector<std::optional<uint64_t>> seqno;
  std::vector<std::vector<std::byte>> page0;
  std::vector<uint32_t> holders;            // per sector: bit f set when file f holds a current write
  struct Read { uint32_t slot; std::vector<uint64_t> ids; };   // ids empty: refused
  std::vector<Read> reads;                  // per present member: the engine read preferring it
  std::vector<std::string> read_notes;
  uint64_t ro_writes = 0;                   // writes by the read-only engine opens
};
inline constexpr uint64_t kAbsent = UINT64_MAX - 1;   // beyond the end of a truncated file

struct WorldOptions {
  uint32_t legs = 2;
  bool assume_clean = true;
  bool check_lock = false;          // the array lock exists
  bool allow_degraded = true;       // the engine may be opened with a member absent (when supported)
};

// The first page of a swap area as mkswap writes it (version 1, last page,
// no bad pages, a uuid and a label; the magic at the end of the page), which
// libblkid recognises as "swap". Written over superblock copy 0.
std::vector<std::byte> swap_page(uint64_t device_size, uint64_t seed);

class World {
 public:
  World(std::string dir, uint64_t seed, const WorldOptions& opts);
  ~World();
  // Applies one step and checks every invariant; returns the violations.
  std::vector<Violation> step(const Step& s, const InvariantSet& enabled);
  const std::string& last_note() const { return last_note_; }
  // Every file's newest superblock and its write at `sector` (world_trace.cc).
  std::string trace_state(uint64_t sector) const;

  // Used by the step implementations.
  std::vector<std::string> present_paths() const;
  std::vector<size_t> present_members() const;
  std::vector<size_t> members() const;
  std::optional<size_t> spare() const;
  StepResult apply(const Step& s);
  StepResult engine_writes(std::mt19937_64& rng, bool crash);
  StepResult offline(StepKind k, std::mt19937_64& rng);
  StepResult concurrent(std::mt19937_64& rng);
  StepResult damage(StepKind k, std::mt19937_64& rng);
  // `prev`: the observation before, whose decoded sectors are reused where the bytes did not change.
  Observation observe(const Observation* prev = nullptr);
  void engine_reads(Observation& o);
  uint64_t decode_read(const Observation& o, const std::vector<std::byte>& buf, uint64_t s) const;
  std::vector<uint32_t> holders_of(const Observation& o) const;
  // Members holding the expected write, or a write issued on top of it
  // (one not `apart`): the evidence that a member's line holds it.
  uint32_t line_holders(const Observation& o, uint64_t sector) const;
  // Per sector: no present member held the expected write (before this step).
  std::vector<bool> apart_from_cur() const;
  void forget_rot(const Observation& o);
  void forget_lost(Observation& o);

  std::string dir_;
  WorldOptions opts_;
  std::vector<LegFile> files_;
  struct Snap {
    size_t file;
    uint64_t generation;
    FileImage image;
    std::optional<std::vector<std::byte>> foreign;
  };
  std::vector<Snap> snaps_;
  std::vector<SectorModel> model_;
  uint64_t next_id_ = 1;
  std::string last_note_;
  const Observation* step_pre_ = nullptr;   // the observation before the step being applied
  std::optional<Observation> last_;   // the observation after the last step (nothing changes in between)
  // Armed on the devices of the next command once it holds the array lock
  // (the concurrent step: a second command is started from there).
  std::shared_ptr<PausePoint> pause_;
};

}  // namespace dmirror::oracle
