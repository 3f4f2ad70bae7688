// SPDX-License-Identifier: LGPL-2.1-or-later
// LegSet: the legs of one array, assembled from BlockDevices, with the
// newest superblock as the array's view. It is the one place that changes
// array metadata: superblock commits (seqno + 1 on every leg, copy 0, flush,
// copy 1, flush), leg failures (recorded on the survivors before anything
// is acknowledged; the last in-sync leg is never failed), the per-leg
// write-intent journals and the event history. The mirror engine and every
// offline operation (resync, verify, scrub, replace) work through it.
// Writer rules of FORMAT.md 2.6: a commit never writes a seqno at or below
// one already on a leg (15), journal bits are cleared only after a commit
// recording journal_kept_since (13), an array without MEMBERSHIP gets
// it at its first commit, and the first commit that goes on without a
// member starts a new generation (19).
#pragma once

#include <dmirror/assembly.h>
#include <dmirror/block_device.h>
#include <dmirror/events.h>
#include <dmirror/generation.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/superblock.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dmirror::engine {

struct LegError {
  uint32_t slot = 0;
  Error error;
};

class LegSet {
 public:
  // Probes every device and decides membership with the one assembly
  // (assemble_array, FORMAT.md 2.6). Stale legs present join as rebuilding
  // (journal-guided when the journal covers them), failed ones are left
  // out. Errors: no dmirror leg, legs of different arrays, the same leg
  // given twice, an unknown incompat feature, split brain without a choice
  // (SplitBrain).
  static Result<LegSet> assemble(std::span<BlockDevice* const> devices, const AssembleOptions& options = {});
  // The probes assemble() decides from (probe_leg of every device). Errors:
  // no devices, a leg with an unknown incompat feature (Unsupported).
  static Result<std::vector<LegProbe>> probe(std::span<BlockDevice* const> devices);
  static Result<LegSet> from_assembly(Assembly assembly, std::span<BlockDevice* const> devices);

  // The assembly this set was built from (roles, recovery, health).
  const Assembly& assembly() const { return assembly_; }
  // Stale legs that rejoined as rebuilding at assembly.
  const std::vector<uint32_t>& rejoining() const { return rejoining_; }
  // Split brain settled by AssembleOptions::choose_slot.
  std::optional<uint32_t> chosen_slot() const { return chosen_slot_; }
  bool forced() const { return forced_; }

  const Superblock& sb() const { return sb_; }
  Superblock& mutable_sb() { return sb_; }
  uint32_t nr_slots() const { return sb_.nr_legs; }
  BlockDevice* dev(uint32_t slot) const { return slot < devs_.size() ? devs_[slot] : nullptr; }
  const std::optional<LegMetadata>& meta(uint32_t slot) const { return metas_[slot]; }
  LegState state(uint32_t slot) const { return sb_.legs[slot].state; }
  std::string leg_name(uint32_t slot) const;

  bool present(uint32_t slot) const { return dev(slot) != nullptr; }
  // Receives writes: in sync, replacing or rebuilding, and present.
  bool writable(uint32_t slot) const;
  // Holds current data everywhere: in sync or replacing, and present.
  bool in_sync(uint32_t slot) const;
  // May serve [0, end): in sync, or rebuilding with recovery_offset >= end.
  bool current_below(uint32_t slot, uint64_t end) const;
  std::vector<uint32_t> in_sync_slots() const;
  std::vector<uint32_t> writable_slots() const;
  // Lowest in-sync slot, or nullopt.
  std::optional<uint32_t> primary() const;
  // FORMAT.md 2.6 rule 11: a commit records an absent member missing,
  // which needs the caller's consent. set_consent() records it: whether the
  // caller consents (`allow_degraded`), an absent member the command itself
  // acts on (`slot`: remove, replace of a missing leg; more with exempt()),
  // and the act, for the message ("writing"). check_consent() is Refused,
  // naming every member (in sync, replacing or rebuilding) absent since
  // assembly and not exempt, unless the caller consents; every commit
  // checks it before it writes anything, and commands check it up front.
  // A leg lost during the command (an I/O error, vanished) is recorded
  // whatever the consent (rule 5).
  void set_consent(bool allow_degraded, uint32_t slot = kNoSlot, std::string what = "") {
    allow_degraded_ = allow_degraded;
    consent_slots_ = 0;
    exempt(slot);
    if (!what.empty()) consent_what_ = std::move(what);
  }
  Status check_consent() const;
  // One more slot the command acts on (the target of a replace in progress).
  void exempt(uint32_t slot) {
    if (slot < kMaxLegs) consent_slots_ |= 1u << slot;
  }
  // Journal bits must be kept (FORMAT.md 2.6 rule 12): a slot of the table
  // that should hold data cannot receive writes (failed, missing, absent),
  // a leg was stale (behind the newest seqno) when assembled, or a leg is
  // rebuilt from the journal (RECOVER_FROM_JOURNAL).
  bool degraded() const;

  // Writes sb() to every writable leg (and `extra` slots, e.g. a leg being
  // retired) with a seqno above the newest one found on any of them,
  // re-read just before (rule 15). A leg whose superblock write fails is
  // failed and the update repeated, unless it is the last in-sync leg:
  // then Io, and unrecorded() stays true. A commit succeeds only when it
  // reached an in-sync leg; erred() legs are skipped.
  [[nodiscard]] Status commit(std::span<const uint32_t> extra = {});
  // A commit with journal_kept_since = its own seqno (rule 13): made after
  // the data of the regions to clear is durable on every leg, before the
  // cleared journal blocks are written.
  [[nodiscard]] Status commit_kept_since();
  // The last commit reached no surviving leg: the in-memory table (a leg
  // failed, a flag) is not on disk, and nothing may be acknowledged until
  // settle() has committed it.
  bool unrecorded() const { return unrecorded_; }
  [[nodiscard]] Status settle();
  // A leg that failed a read or write during this command and could not be
  // failed (the last in-sync leg): no further metadata goes to it (rule
  // 17), so commits and journal writes that need it fail.
  bool erred(uint32_t slot) const { return slot < erred_.size() && erred_[slot]; }
  // Sets a slot's state; its state_seq becomes the seqno of the next
  // successful commit.
  void set_state(uint32_t slot, LegState state);
  // FORMAT.md 2.6 rule 11: every member slot (in sync, replacing,
  // rebuilding) with no device is set Missing (with an event), durable
  // with the next commit. Every commit calls it.
  void record_absent_members();
  // Records failures: each leg is set Failed (with an event) and the
  // superblocks committed. Refuses (Io, naming the error) when that would
  // leave no in-sync leg; nothing is then failed. When the commit reaches no
  // survivor the failure stays in memory (the leg is not used again) and
  // unrecorded() is true.
  [[nodiscard]] Status fail_legs(std::span<const LegError> errors);

  // Loads the journal of every writable leg and merges their dirty bits.
  [[nodiscard]] Status load_journals();
  bool journals_loaded() const { return journals_loaded_; }
  bool journal_damaged() const { return journal_damaged_; }
  bool is_dirty(uint64_t region) const;
  // The region's dirty bit is on disk on every writable leg (written and
  // flushed), not only set in memory: a write to it needs no journal write.
  bool durably_dirty(uint64_t region) const;
  uint64_t dirty_count() const;
  std::vector<uint64_t> dirty_regions() const;
  void mark(uint64_t region);
  void clear(uint64_t region);
  // Writes pending journal blocks to every writable leg, then flushes each.
  // Legs that fail are returned (their journal is left pending); the bits
  // marked since become durable only when no leg failed.
  std::vector<LegError> write_journals();
  WriteIntentJournal* journal(uint32_t slot);
  // A fresh journal for a leg joining the array (all bits as merged).
  void adopt_journal(uint32_t slot, const WriteIntentJournal& j);

  // Appends an event to every writable leg (not flushed: the next commit or
  // flush makes it durable). Event I/O errors are ignored: history is
  // best-effort and never fails an operation.
  void record_event(EventType type, uint32_t slot, std::initializer_list<uint64_t> args, std::string detail);
  // Attaches a device to a slot (replace / add). REQUIRES: slot < kMaxLegs.
  void attach(uint32_t slot, BlockDevice* dev);
  const Findings& findings() const { return findings_; }
  // Read-only: nothing is ever written. Failures are kept in memory only
  // (the leg is no longer used) and commit() is refused.
  void set_read_only(bool ro) { read_only_ = ro; }
  bool read_only() const { return read_only_; }

 private:
  Status commit_impl(std::span<const uint32_t> extra, bool kept_since);

  bool read_only_ = false;
  bool unrecorded_ = false;
  bool allow_degraded_ = false;
  uint32_t consent_slots_ = 0;   // bit per slot: absent members the command acts on
  std::string consent_what_ = "changing its metadata";
  std::vector<uint8_t> absent_at_start_ = std::vector<uint8_t>(kMaxLegs, 0);   // members not present at assembly
  std::vector<uint8_t> erred_ = std::vector<uint8_t>(kMaxLegs, 0);
  std::vector<uint32_t> restamp_;        // slots whose state_seq is the next commit's seqno
  std::vector<uint8_t> durable_;         // per region: dirty bit on disk on every writable leg
  std::vector<uint64_t> marked_;         // regions marked since the last complete journal write
  Superblock sb_;
  std::vector<BlockDevice*> devs_;
  std::vector<std::optional<LegMetadata>> metas_;
  std::vector<std::optional<WriteIntentJournal>> journals_;
  bool journals_loaded_ = false;
  // The journals were merged at load and the merged bits are not yet on
  // every leg: the first commit writes them (marks only; cleared by clear()).
  bool merged_unwritten_ = false;
  bool journal_damaged_ = false;
  std::optional<uint64_t> next_event_seq_;
  Findings findings_;
  Assembly assembly_;
  std::vector<uint32_t> rejoining_;
  std::optional<uint32_t> chosen_slot_;
  bool forced_ = false;
  GenerationKeeper generation_;   // FORMAT.md 2.6 rule 19
};

// Unix time, seconds.
uint64_t now_seconds();

}  // namespace dmirror::engine
