// SPDX-License-Identifier: LGPL-2.1-or-later
// The harness's checks (see crash_checks.h and crash_harness.h).
#include "support/crash_checks.h"

#include <dmirror/journal.h>
#include <dmirror/leg.h>

#include <algorithm>

namespace dmirror::testing {
namespace {

bool current_for(const Superblock& sb, uint32_t slot, uint64_t end) {
  LegState st = sb.legs[slot].state;
  if (st == LegState::InSync || st == LegState::Replacing) return true;
  return st == LegState::Rebuilding && sb.legs[slot].recovery_offset >= end;
}

bool writable(LegState st) {
  return st == LegState::InSync || st == LegState::Replacing || st == LegState::Rebuilding;
}

// nullopt when the leg cannot read the range (an unreadable sector: a
// medium error the engine serves from another leg, not data that differs).
std::optional<std::vector<std::byte>> read_data(BlockDevice* dev, const Superblock& sb, uint64_t pos, uint64_t len) {
  std::vector<std::byte> buf(len);
  if (!dev->read(sb.layout.data_offset + pos, buf)) return std::nullopt;
  return buf;
}

// The dirty bits of every writable leg's journal, merged; nullopt when no
// writable leg is mapped.
Result<std::optional<WriteIntentJournal>> merged_journal(const Assembled& a) {
  std::optional<WriteIntentJournal> merged;
  for (auto& [slot, dev] : a.slot_dev) {
    if (!writable(a.sb.legs[slot].state)) continue;
    auto j = WriteIntentJournal::load(*dev, a.sb);
    if (!j) return make_error(j.error().code, "journal of slot " + std::to_string(slot) + " unreadable: " + j.error().describe());
    if (!merged) merged = std::move(*j);
    else merged->merge_from(*j);
  }
  return merged;
}

std::string region_at(uint64_t r) { return "region " + std::to_string(r); }

// Check 2 sector by sector, for a clean region where a current leg cannot
// read every sector: each sector a leg reads holds what every other current
// leg that reads it holds (a torn rewrite of unreadable sectors leaves each
// of them the good data or still unreadable).
std::optional<std::string> sectors_agree(const Assembled& a, uint64_t r, uint64_t pos, uint64_t len) {
  const Superblock& sb = a.sb;
  for (uint64_t s = pos; s < pos + len; s += kSectorSize) {
    const uint64_t n = std::min<uint64_t>(kSectorSize, pos + len - s);
    std::optional<std::vector<std::byte>> ref;
    uint32_t ref_slot = 0;
    for (auto& [slot, dev] : a.slot_dev) {
      if (!current_for(sb, slot, pos + len)) continue;
      auto data = read_data(dev, sb, s, n);
      if (!data) continue;
      if (!ref) {
        ref = std::move(*data);
        ref_slot = slot;
      } else if (*data != *ref) {
        return "check 2: the sector at " + std::to_string(s) + " (" + region_at(r) + ", which a leg cannot read whole) "
               "differs between slots " + std::to_string(ref_slot) + " and " + std::to_string(slot) +
               " but is clean in the journal: a rewrite of unreadable sectors left other data than the good copy";
      }
    }
  }
  return std::nullopt;
}

// Why no leg that may serve [pos, pos + len) can read it (each has an
// unreadable sector there: a medium error, which the engine must report);
// nullopt when one of them reads it.
std::optional<std::string> unreadable_everywhere(const Superblock& sb, const std::map<uint32_t, BlockDevice*>& slot_dev,
                                                 uint64_t pos, uint64_t len) {
  std::string why;
  for (auto& [slot, dev] : slot_dev) {
    if (!current_for(sb, slot, pos + len)) continue;
    if (read_data(dev, sb, pos, len)) return std::nullopt;
    why += (why.empty() ? "" : ", ") + std::string("slot ") + std::to_string(slot);
  }
  return why;
}

// Reads the whole volume through the engine, each region once per leg that
// may serve it (the round-robin policy rotates over them), and checks that
// every read agrees and is allowed by the model. A read may fail only when
// no leg that may serve it can read it (`slot_dev`: the engine's legs).
// `every_leg`: also check that every leg served a read (not read-only: it
// reads regions that may differ from the primary only).
std::optional<std::string> read_through(Mirror& m, const std::map<uint32_t, BlockDevice*>& slot_dev,
                                        const CrashWorkload& w, const WriteModel& model, uint64_t k,
                                        bool every_leg = true) {
  const Superblock sb = m.superblock();
  const uint64_t rs = sb.region_size, size = m.size();
  for (uint64_t r = 0; r * rs < size; ++r) {
    if (w.planted.contains(r)) continue;
    const uint64_t pos = r * rs, len = std::min(rs, size - pos);
    uint32_t serving = 0;
    for (uint32_t s = 0; s < sb.nr_legs; ++s) serving += current_for(sb, s, pos + len) ? 1 : 0;
    std::vector<std::byte> first(len), again(len);
    if (auto st = m.read(pos, first); !st) {
      auto nowhere = unreadable_everywhere(sb, slot_dev, pos, len);
      if (!nowhere || nowhere->empty())
        return "check 4: read of " + region_at(r) + " failed though a leg that may serve it reads it: " +
               st.error().describe();
      continue;   // unreadable on every leg that may serve it (`*nowhere`): an I/O error is right
    }
    for (uint32_t i = 1; i < serving; ++i) {
      if (auto st = m.read(pos, again); !st) return "check 4: read of " + region_at(r) + " failed: " + st.error().describe();
      if (again != first) return "check 4: two reads of " + region_at(r) + " through the engine returned different data";
    }
    uint64_t bad = 0;
    if (!model.allowed(k, pos, first, &bad))
      return "check 4: the engine reads sector " + std::to_string(bad) + " (" + region_at(r) +
             ") with data that was neither durable nor written since";
  }
  if (every_leg && sb.resync_offset >= size) {
    for (const LegStatus& l : m.legs())
      if (current_for(sb, l.slot, size) && !l.device.empty() && l.reads == 0)
        return "harness: slot " + std::to_string(l.slot) + " served no read; the reads did not cover every leg";
  }
  return std::nullopt;
}

// The image of each slot the engine uses.
std::map<uint32_t, BlockDevice*> engine_slots(const Mirror& m, const std::vector<BlockDevice*>& legs) {
  std::map<uint32_t, BlockDevice*> slot_dev;
  for (const LegStatus& l : m.legs())
    for (BlockDevice* d : legs)
      if (!l.device.empty() && d->describe() == l.device) slot_dev[l.slot] = d;
  return slot_dev;
}

}  // namespace

std::optional<std::string> assemble_images(const std::vector<BlockDevice*>& legs, size_t required, Assembled& out) {
  std::vector<LegMetadata> metas(legs.size());
  std::vector<bool> valid(legs.size());
  out.seqnos.assign(legs.size(), 0);
  uint64_t newest = 0;
  for (size_t i = 0; i < legs.size(); ++i) {
    auto m = read_leg(*legs[i]);
    if (!m) {
      if (i < required) return "leg " + std::to_string(i) + " has no valid superblock: " + m.error().describe();
      continue;
    }
    valid[i] = true;
    out.seqnos[i] = m->sb.seqno;
    if (m->sb.seqno > newest) {
      newest = m->sb.seqno;
      out.sb = m->sb;
    }
    metas[i] = std::move(*m);
  }
  out.slot_dev.clear();
  for (size_t i = 0; i < legs.size(); ++i) {
    if (!valid[i]) continue;
    for (uint32_t s = 0; s < out.sb.nr_legs; ++s)
      if (out.sb.legs[s].uuid == metas[i].sb.leg_uuid) out.slot_dev[s] = legs[i];
  }
  return std::nullopt;
}

std::optional<std::string> check_intent(const Assembled& a, const CrashWorkload& w) {
  const Superblock& sb = a.sb;
  auto dirty = merged_journal(a);
  if (!dirty) return "check 2: " + dirty.error().describe();
  if (!*dirty) return std::nullopt;
  for (uint64_t r = 0; r < sb.nr_regions; ++r) {
    uint64_t pos = r * sb.region_size, len = std::min(sb.region_size, sb.layout.data_size - pos);
    if ((*dirty)->is_dirty(r) || w.planted.contains(r) || pos + len > sb.resync_offset) continue;
    std::optional<std::vector<std::byte>> ref;
    uint32_t ref_slot = 0;
    bool partial = false;   // a current leg has an unreadable sector here
    for (auto& [slot, dev] : a.slot_dev) {
      if (!current_for(sb, slot, pos + len)) continue;
      auto data = read_data(dev, sb, pos, len);
      if (!data) {
        partial = true;
        continue;
      }
      if (!ref) {
        ref = std::move(*data);
        ref_slot = slot;
      } else if (*data != *ref) {
        return "check 2: " + region_at(r) + " differs between slots " + std::to_string(ref_slot) + " and " +
               std::to_string(slot) + " but is clean in the journal and both legs claim to be current";
      }
    }
    if (partial)
      if (auto e = sectors_agree(a, r, pos, len)) return e;
  }
  return std::nullopt;
}

std::optional<std::string> DegradedJournalWatch::step(const std::vector<BlockDevice*>& durable, size_t array_legs) {
  Assembled a;
  if (assemble_images(durable, array_legs, a)) return std::nullopt;   // check 1 reports it
  std::optional<uint32_t> down;
  for (uint32_t s = 0; s < a.sb.nr_legs && !down; ++s) {
    LegState st = a.sb.legs[s].state;
    if (st == LegState::Unused || st == LegState::Removed) continue;
    if (!writable(st) || !a.slot_dev.contains(s)) down = s;
  }
  if (!down) {
    active_ = false;
    kept_.clear();
    return std::nullopt;
  }
  auto j = merged_journal(a);
  if (!j || !*j) return std::nullopt;   // check 2 reports an unreadable journal
  std::vector<uint64_t> now = (*j)->dirty_regions();
  if (active_) {
    for (uint64_t r : kept_)
      if (!std::binary_search(now.begin(), now.end(), r))
        return "check 2: " + region_at(r) + " went clean in the journal while slot " + std::to_string(*down) +
               " is " + std::string(leg_state_name(a.sb.legs[*down].state)) +
               " (no bit may be cleared while the array is degraded)";
  }
  active_ = true;
  std::vector<uint64_t> merged;
  std::set_union(kept_.begin(), kept_.end(), now.begin(), now.end(), std::back_inserter(merged));
  kept_ = std::move(merged);
  return std::nullopt;
}

std::optional<std::string> check_missing_recorded(const std::vector<BlockDevice*>& durable, size_t array_legs,
                                                  const std::vector<WriteModel::DegradedSession>& sessions,
                                                  const std::vector<uint64_t>& first_data, uint64_t k) {
  for (size_t i = 0; i < sessions.size(); ++i) {
    const auto& s = sessions[i];
    if (first_data[i] == 0 || k < first_data[i] || k > s.closed) continue;
    for (size_t leg = 0; leg < array_legs; ++leg) {
      if (leg == s.absent) continue;
      auto m = read_leg(*durable[leg]);
      if (!m) return "check 7: leg " + std::to_string(leg) + " has no valid durable superblock";
      LegState st = m->sb.legs[s.absent].state;
      if (st != LegState::Missing && st != LegState::Failed)
        return "check 7: the session without slot " + std::to_string(s.absent) + " issued its first data write (I/O " +
               std::to_string(first_data[i]) + ") but leg " + std::to_string(leg) + "'s durable superblock (seqno " +
               std::to_string(m->sb.seqno) + ") still has that slot " + std::string(leg_state_name(st)) +
               " (FORMAT.md 2.6 rule 11: the absent leg is recorded missing before any data write)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_engine(const std::vector<BlockDevice*>& legs, const CrashWorkload& w,
                                        const WriteModel& model, uint64_t k, bool refusal_ok) {
  auto opened = Mirror::open(legs, w.engine);
  if (!opened) {
    if (refusal_ok) return std::nullopt;
    return "check 3: the engine's recovery at open failed: " + opened.error().describe();
  }
  Mirror& m = **opened;
  const Superblock sb = m.superblock();
  const std::map<uint32_t, BlockDevice*> slot_dev = engine_slots(m, legs);
  for (uint64_t r = 0; r < sb.nr_regions; ++r) {
    uint64_t pos = r * sb.region_size, len = std::min(sb.region_size, sb.layout.data_size - pos);
    if (w.planted.contains(r) || pos + len > sb.resync_offset) continue;
    std::optional<std::vector<std::byte>> ref;
    uint32_t ref_slot = 0;
    for (auto& [slot, dev] : slot_dev) {
      if (!current_for(sb, slot, pos + len)) continue;
      auto data = read_data(dev, sb, pos, len);
      if (!data) continue;
      if (!ref) {
        ref = std::move(*data);
        ref_slot = slot;
      } else if (*data != *ref) {
        return "check 3: after the engine's recovery at open, " + region_at(r) + " differs between slots " +
               std::to_string(ref_slot) + " and " + std::to_string(slot);
      }
    }
  }
  if (auto e = read_through(m, slot_dev, w, model, k)) return e;
  if (auto st = m.close(); !st) return "check 3: close after recovery failed: " + st.error().describe();
  return std::nullopt;
}

std::optional<std::string> check_read_only(const std::vector<BlockDevice*>& legs, const CrashWorkload& w,
                                           const WriteModel& model, uint64_t k) {
  MirrorOptions o = w.engine;
  o.read_only = true;
  auto opened = Mirror::open(legs, o);
  if (!opened) return "check 3 (read-only open before any recovery): " + opened.error().describe();
  if (auto e = read_through(**opened, engine_slots(**opened, legs), w, model, k, /*every_leg=*/false))
    return "check 3 (read-only open before any recovery): " + *e;
  return std::nullopt;
}

std::optional<std::string> check_after_recover(std::vector<BlockDevice*>& legs, const CrashWorkload& w,
                                               const WriteModel& model, uint64_t k) {
  if (auto st = w.recover(legs); !st) return "check 6: recovery failed: " + st.error().describe();
  Assembled after;
  if (auto e = assemble_images(legs, w.array.legs, after)) return "check 6: after recovery: " + *e;
  const Superblock& sb = after.sb;
  bool any = false;
  std::vector<std::byte> ref;
  for (auto& [slot, dev] : after.slot_dev) {
    LegState st = sb.legs[slot].state;
    if (st != LegState::InSync && st != LegState::Replacing) continue;
    auto data = read_data(dev, sb, 0, sb.layout.data_size);
    if (!data) return "check 6: in-sync slot " + std::to_string(slot) + " cannot read its data area after recovery";
    if (!any) {
      any = true;
      ref = std::move(*data);
    } else if (*data != ref) {
      return "check 6: in-sync slot " + std::to_string(slot) + " differs from the first in-sync leg after recovery";
    }
  }
  if (!any) return "check 6: no in-sync leg after recovery";
  auto m = Mirror::open(legs, MirrorOptions{.read_only = true});
  if (!m) return "check 6: reopen read-only: " + m.error().describe();
  std::vector<std::byte> vol((*m)->size());
  if (auto st = (*m)->read(0, vol); !st) return "check 6: read back: " + st.error().describe();
  if (vol != ref) return "check 6: the mirror read differs from the in-sync legs";
  uint64_t bad = 0;
  if (!model.allowed(k, 0, vol, &bad))
    return "check 6: sector at " + std::to_string(bad) + " holds data that was neither durable nor written since";
  return std::nullopt;
}

std::optional<std::string> check_rot(const std::vector<BlockDevice*>& legs, const CrashWorkload& w) {
  for (const CrashWorkload::Rot& rot : w.rot) {
    for (uint32_t i = 0; i < w.array.legs && i < legs.size(); ++i) {
      if (i == rot.leg) continue;
      auto m = read_leg(*legs[i]);
      if (!m) continue;   // check 1 reports it
      auto data = read_data(legs[i], m->sb, rot.pos, rot.good.size());
      if (data && *data != rot.good)
        return "check 8: after the engine's recovery, leg " + std::to_string(i) + " holds other data than its good "
               "copy at offset " + std::to_string(rot.pos) + " where leg " + std::to_string(rot.leg) +
               " has rot: a recovery copied the rot over the good copy";
    }
  }
  return std::nullopt;
}

}  // namespace dmirror::testing
