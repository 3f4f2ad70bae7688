// SPDX-License-Identifier: LGPL-2.1-or-later
// The legs of one array as the online layer sees them: each member's
// device on its slot and the authority's superblock as the array's view.
// Which legs are members, and in which role, is decided by the one
// assembly (assemble_array(), FORMAT.md 2.6); nothing here second-guesses
// it. It is how activation, deactivation, the
// monitor and online replace change our metadata: a commit writes the
// superblock with seqno + 1 to every present leg (copy 0, flush, copy 1,
// flush); events and the write-intent journal go to every present leg too.
// Only our own areas are touched, never the kernel metadata or data areas,
// so this is safe while the volume is active.
#pragma once

#include <dmirror/assembly.h>
#include <dmirror/block_device.h>
#include <dmirror/events.h>
#include <dmirror/export.h>
#include <dmirror/generation.h>
#include <dmirror/leg.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dmirror::dm {

struct NamedDevice {
  std::string path;
  std::unique_ptr<BlockDevice> dev;
};

enum class SplitBrainPolicy {
  Refuse,           // SplitBrain error naming the diverged legs (activation)
  NewestSideOnly,   // attach only the legs that did not diverge from the newest
                    // one; the other side is left untouched (deactivation, import)
};

struct ArrayLegsOptions {
  // The administrator's choice of side in a split brain (activate --from,
  // as resync --from): AssembleOptions::choose_slot.
  std::optional<uint32_t> choose_slot;
  // mdadm's --force: AssembleOptions::force (raise the freshest stale leg
  // when no in-sync leg is present).
  bool force = false;
  // Stale legs (behind the newest superblock, or on the losing side of a
  // chosen split brain): when true they are attached and rejoin as
  // `rebuilding` for a full copy (recovery offset 0, REBUILD_PASSED clear,
  // in memory until the next commit), so no commit can promote them; when
  // false they are left out and nothing is written to them.
  bool rejoin_stale = false;
  SplitBrainPolicy split_brain = SplitBrainPolicy::Refuse;
  // A device the newest table no longer lists (a slot a replace or remove
  // retired, whose sub-devices a stopped command left behind in the live
  // volume) is left out instead of refused.
  bool leave_out_retired = false;
};

class DMIRROR_EXPORT ArrayLegs {
 public:
  /// Probes every device (probe_leg) and assembles them (assemble_array).
  /// Members are attached on their slots: in-sync, rebuilding and failed
  /// ones always, stale ones only with rejoin_stale. Legs the assembly
  /// leaves out for their geometry or a foreign signature are not attached
  /// (left_out() says why). Errors: the device's own (unreadable, not a
  /// leg), InvalidArgument (a leg of another array, a duplicate, a leg the
  /// newest table no longer lists; --from naming a leg that is not given),
  /// SplitBrain (histories diverged, no choice made, policy Refuse: the
  /// message names both legs and the way to choose).
  static Result<ArrayLegs> assemble(std::vector<NamedDevice> devices, const ArrayLegsOptions& options = {});

  ArrayLegs(ArrayLegs&&) noexcept;
  ArrayLegs& operator=(ArrayLegs&&) noexcept;
  ~ArrayLegs();

  const Superblock& sb() const { return sb_; }
  Superblock& edit() { return sb_; }
  bool present(uint32_t slot) const { return slot < legs_.size() && legs_[slot].dev != nullptr; }
  BlockDevice* dev(uint32_t slot) const { return present(slot) ? legs_[slot].dev.get() : nullptr; }
  std::string path(uint32_t slot) const { return present(slot) ? legs_[slot].path : std::string(); }
  std::vector<uint32_t> present_slots() const;
  /// Slots the assembly graded stale and that rejoin (rejoin_stale).
  const std::vector<uint32_t>& stale_slots() const { return stale_; }
  /// The assembly this view was built from (roles, findings, health).
  const Assembly& assembly() const { return assembly_; }
  /// The slot raised to in sync by force, if any.
  std::optional<uint32_t> forced_slot() const { return forced_; }
  /// Why each leg given was left out (geometry, foreign signature): the
  /// assembly's finding messages.
  const std::vector<std::string>& left_out() const { return left_out_; }
  /// Adds a device for `slot` (a new leg joining: replace). The caller has
  /// set sb().legs[slot].
  void attach(uint32_t slot, NamedDevice device);
  /// Forgets a leg's device (it no longer receives our metadata).
  void detach(uint32_t slot);

  enum class CommitKind { Plain, KeptSince };
  /// Writes sb() with a seqno above every present leg's (FORMAT.md 2.6
  /// rule 15) and utime now to every present leg, in-sync legs first. A
  /// leg the superblock records as failed may fail the write (it is
  /// skipped). KeptSince also sets journal_kept_since to the new seqno
  /// (rule 13): the journal then covers only writes made after it. The
  /// first commit that does not reach a member of the assembled table
  /// starts a new generation (rule 19).
  [[nodiscard]] Status commit(CommitKind kind = CommitKind::Plain);
  /// Appends an event to every present leg and flushes. Best effort: an
  /// event that cannot be written never fails an operation.
  void record_event(EventType type, uint32_t slot, std::initializer_list<uint64_t> args, std::string detail);

  /// Regions dirty in the journal of any present leg (a block no slot of
  /// which is valid counts as dirty).
  Result<std::vector<uint64_t>> journal_dirty() const;
  /// Makes every present leg's journal hold exactly `dirty`, and flushes.
  [[nodiscard]] Status set_journal(const std::vector<uint64_t>& dirty);

 private:
  ArrayLegs() = default;
  struct Leg {
    std::string path;
    std::unique_ptr<BlockDevice> dev;
  };
  Superblock sb_;
  std::vector<Leg> legs_;  // by slot
  std::vector<uint32_t> stale_;
  std::optional<uint32_t> forced_;
  std::vector<std::string> left_out_;
  Assembly assembly_;
  std::optional<uint64_t> next_event_;
  GenerationKeeper generation_;   // FORMAT.md 2.6 rule 19
};

struct OpenLegsForArray {
  bool exclusive = false;  // O_EXCL: refuse legs mounted or held by another device
  ArrayLegsOptions assemble;
};

/// Opens `paths` (block devices O_DIRECT through an aligned wrapper, image
/// files buffered) and assembles them.
DMIRROR_EXPORT Result<ArrayLegs> open_array_legs(const std::vector<std::string>& paths,
                                                 const OpenLegsForArray& options = {});

/// Unix time in seconds.
DMIRROR_EXPORT uint64_t unix_now();

}  // namespace dmirror::dm
