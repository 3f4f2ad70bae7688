// SPDX-License-Identifier: LGPL-2.1-or-later
// The per-leg write-intent journals of a LegSet. Each writable leg keeps its
// own WriteIntentJournal (slot bookkeeping differs per leg after a crash);
// their dirty bits are merged at load and kept identical afterwards, so a
// region is dirty if any leg said so (FORMAT.md, "Journal").
#include "engine/leg_set.h"

namespace dmirror::engine {

Status LegSet::load_journals() {
  std::vector<LegError> errors;
  journal_damaged_ = false;
  for (uint32_t s : writable_slots()) {
    auto j = WriteIntentJournal::load(*devs_[s], sb_);
    if (!j) {
      errors.push_back({s, j.error()});
      continue;
    }
    if (!j->damage().empty()) {
      journal_damaged_ = true;
      for (const auto& d : j->damage())
        findings_.push_back({Severity::Warning, "journal-block-damaged",
                             leg_name(s) + ": journal block " + std::to_string(d.block) + " is unreadable (" + d.what +
                                 "); its regions are treated as dirty",
                             devs_[s]->describe(), s});
    }
    journals_[s] = std::move(*j);
  }
  DMIRROR_RETURN_IF_ERROR(fail_legs(errors));
  // Durable: dirty on every leg's disk. A bit only some legs carry becomes
  // durable once the merged block was written to all of them.
  durable_.assign(sb_.nr_regions, 1);
  marked_.clear();
  for (const auto& j : journals_) {
    if (!j) continue;
    for (uint64_t r = 0; r < sb_.nr_regions; ++r)
      if (durable_[r] && !j->is_dirty(r)) durable_[r] = 0;
  }
  WriteIntentJournal* first = nullptr;
  for (auto& j : journals_) {
    if (!j) continue;
    if (!first) first = &*j;
    else first->merge_from(*j);
  }
  if (!first) return make_error(ErrorCode::Io, "no leg's journal could be read");
  for (auto& j : journals_) if (j && &*j != first) j->merge_from(*first);
  journals_loaded_ = true;
  merged_unwritten_ = true;   // written by the first commit (commit_impl)
  return ok();
}

WriteIntentJournal* LegSet::journal(uint32_t slot) {
  return slot < journals_.size() && journals_[slot] ? &*journals_[slot] : nullptr;
}

bool LegSet::is_dirty(uint64_t region) const {
  for (const auto& j : journals_) if (j) return j->is_dirty(region);
  return true;
}

bool LegSet::durably_dirty(uint64_t region) const {
  return region < durable_.size() && durable_[region] && is_dirty(region);
}

uint64_t LegSet::dirty_count() const {
  for (const auto& j : journals_) if (j) return j->dirty_count();
  return sb_.nr_regions;
}

std::vector<uint64_t> LegSet::dirty_regions() const {
  for (const auto& j : journals_) if (j) return j->dirty_regions();
  return {};
}

void LegSet::mark(uint64_t region) {
  for (auto& j : journals_) if (j) j->mark(region);
  if (region < durable_.size() && !durable_[region]) marked_.push_back(region);
}

void LegSet::clear(uint64_t region) {
  merged_unwritten_ = false;   // the blocks now carry a clear: rule 13 orders them
  for (auto& j : journals_) if (j) j->clear(region);
  if (region < durable_.size()) durable_[region] = 0;
}

std::vector<LegError> LegSet::write_journals() {
  std::vector<LegError> errors;
  std::vector<uint32_t> written;
  for (uint32_t s : writable_slots()) {
    WriteIntentJournal* j = journal(s);
    if (!j || !j->has_pending()) continue;
    if (erred(s)) {   // rule 17: no further metadata onto a leg that erred
      errors.push_back({s, Error{ErrorCode::Io, 0,
                                 leg_name(s) + " failed an I/O earlier in this command; its journal is not written"}});
      continue;
    }
    if (auto st = j->write_pending(*devs_[s]); !st) errors.push_back({s, st.error()});
    else written.push_back(s);
  }
  for (uint32_t s : written) {
    if (auto st = devs_[s]->flush(); !st) errors.push_back({s, st.error()});
    else journals_[s]->commit_written();
  }
  if (errors.empty()) {
    for (uint64_t r : marked_) durable_[r] = is_dirty(r) ? 1 : 0;
    marked_.clear();
  }
  return errors;
}

void LegSet::adopt_journal(uint32_t slot, const WriteIntentJournal& j) { journals_[slot] = j; }

}  // namespace dmirror::engine
