// SPDX-License-Identifier: LGPL-2.1-or-later
// The one assembly: given what was found on the devices of an array, decide
// its state — which legs are members and in which role, which slots are
// missing, stale or failed, whether the histories diverged (split brain),
// and the array's health. status/list/examine/verify, the mirror engine,
// every offline operation and online activation use it; no other code
// decides these questions. The rules are FORMAT.md 2.6 ("Membership") and
// docs/array-states.md.
//
// probe_leg() does the I/O (superblocks, journal, geometry, libblkid);
// assemble_array() is a pure function of the probes, so it is tested
// exhaustively without devices.
#pragma once

#include <dmirror/array_lock.h>
#include <dmirror/block_device.h>
#include <dmirror/events.h>
#include <dmirror/export.h>
#include <dmirror/findings.h>
#include <dmirror/leg.h>
#include <dmirror/probe.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dmirror {

// A leg's journal as read against its own superblock.
struct JournalSummary {
  uint64_t dirty = 0;              // regions marked dirty (damaged blocks count as dirty)
  bool damaged = false;            // a block with no valid slot
  std::string detail;              // what was damaged
};

// What was found on one device given to assembly.
struct LegProbe {
  std::string name;                        // path, or the device's description
  std::optional<Error> error;              // could not open or read; NotDmirror: no superblock
  std::optional<LegMetadata> meta;         // set when a superblock copy is valid
  uint64_t device_size = 0;                // bytes now; 0 = unknown
  uint32_t logical_block_size = 0;         // now; 0 = unknown
  std::vector<Signature> foreign;          // other signatures libblkid sees on the leg
  std::optional<JournalSummary> journal;   // when meta is set and the journal could be read
};

// Reads one device: both superblock copies, the journal, the geometry and —
// when a superblock copy is blank or damaged and `path` names a file or a
// block device — the libblkid signatures. Never writes. Errors go into
// LegProbe::error.
DMIRROR_EXPORT LegProbe probe_leg(BlockDevice& dev, const std::string& path = {});
// Opens `path` read-only (not exclusively) and probes it.
DMIRROR_EXPORT LegProbe probe_path(const std::string& path);

// What happened to each device given.
enum class Disposition {
  Member,            // mapped onto a slot of the chosen table (see SlotView for its role)
  Unreadable,        // could not be opened or read (error set)
  NotDmirror,        // no dmirror superblock
  Foreign,           // a leg of another array
  NotInTable,        // its leg uuid is not in the newest table: removed or replaced
  Duplicate,         // a second device carrying the same slot (a copy of a leg)
  Geometry,          // its size or logical block size no longer fits the array
  ForeignSignature,  // a superblock copy is blank/damaged and another signature is there
  Spare,             // a spare the newest table lists (FORMAT.md 2.6 rule 23): holds no data
};
DMIRROR_EXPORT std::string_view disposition_name(Disposition d);

// The role of a slot of the chosen table.
enum class SlotState {
  InSync,       // present and fresh, in sync (or replacing): may be read, is a source
  Rebuilding,   // present and fresh, current only below recovery_offset (or outside the journal)
  Stale,        // present but behind the newest superblock (or on the losing side of a
                // split): never read, never a source; recovered by `recovery`
  Missing,      // a member with no device (absent now, or recorded missing)
  Failed,       // recorded failed by an I/O error; comes back by a full copy only
};
DMIRROR_EXPORT std::string_view slot_state_name(SlotState s);

// How a stale, missing or rebuilding leg comes back.
enum class Recovery {
  None,      // nothing to do
  Journal,   // only the regions dirty in the journal (the journal provably covers the gap)
  Full,      // everything from recovery_offset (or 0) to the end
};
DMIRROR_EXPORT std::string_view recovery_name(Recovery r);

struct SlotView {
  uint32_t slot = 0;
  LegEntry entry;              // from the chosen (newest) table
  SlotState state = SlotState::Missing;
  Recovery recovery = Recovery::None;
  int leg = -1;                // index into Assembly::legs, -1 when absent
  uint64_t seqno = 0;          // the leg's own seqno when present
  // Split brain not settled (rule 6): the leg is on one side of it, the
  // authority's or one that diverged from it. Neither side is in sync
  // before the administrator chooses one, whatever `state` says.
  bool split = false;
  // Split: the slots of the other side that this leg's own table marks
  // missing or failed (it was written while they were absent); empty when
  // the sides were written apart at one seqno.
  std::vector<uint32_t> written_while_absent;
  // Split only because rule 18 cannot relate its generation to the other
  // side's (an overflowed history) and no table holds evidence: it may be
  // only behind, or written apart.
  bool split_undecided = false;
};

// A slot of the chosen table that holds a spare (no data, not a member).
struct SpareView {
  uint32_t slot = 0;
  LegEntry entry;
  int leg = -1;  // index into Assembly::legs, -1 when the device was not given
};

// A slot of the chosen table split off as an array of its own (incompat
// SPLIT, FORMAT.md 2.6 rule 24). Not a member: it counts for no
// redundancy (the array is degraded while it is away) and is never read.
struct SplitView {
  uint32_t slot = 0;
  LegEntry entry;           // state split; state_seq = the split commit
  Uuid split_uuid;          // the split-off array
  bool tracking = false;    // every write since the split is still in the journal (split_slot_tracked)
  bool merging = false;     // a merge has begun (legflag::kMerging)
  int leg = -1;             // a device given that still carries this slot of the array (a split or
                            // merge cut short), index into Assembly::legs
};

// Rule 24: the journal still holds every write since slot `slot` was split
// off (journal_kept_since has not passed the split commit).
DMIRROR_EXPORT bool split_slot_tracked(const Superblock& sb, uint32_t slot);
// Rule 24, the split-off side: `sb` is an array split off another whose
// journal still holds every write since the split (one member slot, its
// journal_kept_since not past its first commit).
DMIRROR_EXPORT bool split_origin_tracked(const Superblock& sb);
// Rule 24: the journal bits must be kept for a split (a tracked split
// slot, or a tracked split-off array): no writer clears them.
DMIRROR_EXPORT bool journal_kept_for_split(const Superblock& sb);

struct AssembledLeg {
  std::string name;
  Disposition disposition = Disposition::Unreadable;
  int64_t slot = -1;                       // Member/Duplicate: its slot
  std::optional<Error> error;
  std::optional<LegMetadata> meta;
  std::optional<JournalSummary> journal;
};

enum class Health {
  Healthy = 0,        // every member present, fresh and in sync; nothing pending
  ResyncPending = 1,  // all legs present and fresh, but regions await a resync
                      // (unclean shutdown, initial sync, interrupted resync)
  Degraded = 2,       // a member missing, stale, failed or rebuilding; an in-sync leg remains
  Inconsistent = 3,   // split brain, legs disagreeing at one seqno, a damaged journal,
                      // or mismatches left by the last check
  Failed = 4,         // no in-sync leg is present: the data cannot be read
};
DMIRROR_EXPORT std::string_view health_name(Health h);

struct AssembleOptions {
  // The administrator's choice of side (resync --from, activate --force with
  // a named subset): the leg holding this slot on the chosen side is the
  // authority; legs that diverged from it become stale (full copy).
  std::optional<uint32_t> choose_slot;
  // With choose_slot: the chosen leg by its uuid (the administrator named a
  // device). Without it, a slot that legs of both sides claim (each side
  // replaced a leg into the same slot) is refused as ambiguous.
  std::optional<Uuid> choose_leg;
  // mdadm's --force: when no in-sync leg is present, raise the present
  // stale or failed leg with the highest seqno (a stale one on a tie; never
  // a rebuilding one, which holds a partial copy) to in sync.
  bool force = false;
  // A live writer holds the array lock (assemble_paths finds it): the Dirty
  // flag and the dirty journal bits are its writes in flight, not an
  // unclean shutdown.
  std::optional<LockHolder> in_use;
};

struct Assembly {
  Superblock sb;                     // the authority: newest superblock of the chosen side
  std::vector<AssembledLeg> legs;    // in the order given
  std::vector<SlotView> slots;       // one per member slot < sb.nr_legs (not unused, removed or spare)
  std::vector<SpareView> spares;     // one per spare slot (present or not); they degrade nothing
  std::vector<SplitView> splits;     // one per split slot (rule 24); each degrades the array
  Health health = Health::Healthy;
  // Conditions, each independent of the others (health is the worst):
  bool degraded = false;             // a member is not present-and-in-sync
  bool resync_pending = false;       // Dirty, dirty journal bits, or resync_offset set
  bool initial_sync = false;         // resync_offset set and the array never completed a sync
  bool unclean = false;              // Dirty flag or dirty journal bits
  bool inconsistent = false;         // see Health::Inconsistent
  bool split_brain = false;          // histories diverged; choose_slot settles it
  bool forced = false;               // a leg was raised by AssembleOptions::force
  std::optional<uint32_t> forced_slot;   // ... that leg's slot
  std::optional<LockHolder> in_use;  // a live writer holds the array (AssembleOptions::in_use)
  uint64_t dirty_regions = 0;        // merged over the fresh members' journals
  std::optional<uint32_t> chosen_slot;   // split brain settled by choose_slot
  Findings findings;
  EventHistory events;               // filled by assemble_paths (from the newest leg)

  DMIRROR_EXPORT const SlotView* slot(uint32_t s) const;
  DMIRROR_EXPORT std::vector<uint32_t> in_sync_slots() const;
  // Present legs whose slot is stale or rebuilding: what a recovery writes.
  DMIRROR_EXPORT std::vector<uint32_t> recovering_slots() const;
};

// Why the metadata of a device given to assembly must be kept (dmirrorctl
// wipe refuses it without --force); status's advice on a leg outside the
// newest table follows the same rule.
enum class WipeHold {
  None,       // nothing of the array depends on it: it may be wiped
  Member,     // a member of the chosen table (any role), a copy of one, or one that no longer fits
  OtherSide,  // outside the newest table, but the other side of a split brain
  OnlyCopy,   // outside the newest table, and no in-sync leg is present: it may hold the only copy
  Spare,      // a spare the newest table lists (no data, but the array counts on it): `remove` it first
};
DMIRROR_EXPORT std::string_view wipe_hold_name(WipeHold h);
// The hold on legs[i] of `a`.
DMIRROR_EXPORT WipeHold wipe_hold(const Assembly& a, size_t i);

// No in-sync leg is present (health failed): what to do, starting "find
// the missing legs", and whether `dmirrorctl resync --force` can raise a
// leg (a stale or failed one present) or cannot (say why).
DMIRROR_EXPORT std::string no_in_sync_advice(const Assembly& a);

// While the array's volume is active the kernel owns the sync state
// (FORMAT.md 6): a member slot the kernel's status holds failed ('D') or
// missing ('-') counts so here before our metadata
// records it (the monitor does, or the next deactivation imports it), with
// a `kernel-state` finding and the health at least degraded (failed when no
// in-sync leg remains). `kernel` maps our slot to the kernel's health
// character; other characters ('A', and 'a', which md shows for every leg
// during a resync) and slots it does not list leave the slot as assembled.
DMIRROR_EXPORT void apply_kernel_state(Assembly& a, const std::map<uint32_t, char>& kernel);

// The pure decision. Errors only when no probe holds a dmirror leg of any
// array (NotDmirror, or the probe's own error when there is one probe), or
// when the legs belong to several arrays and none has more legs given than
// the others (InvalidArgument, naming them).
DMIRROR_EXPORT Result<Assembly> assemble_array(const std::vector<LegProbe>& probes, const AssembleOptions& options = {});

// probe_path() on every path, assemble_array(), and the event history of
// the newest leg. For status, list, examine and verify. A live writer of the
// array (find_array_writer, before or after the probes) is `in_use`.
DMIRROR_EXPORT Result<Assembly> assemble_paths(const std::vector<std::string>& paths,
                                               const AssembleOptions& options = {});

}  // namespace dmirror
