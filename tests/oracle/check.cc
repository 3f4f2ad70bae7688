// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oracle/check.h"

#include <algorithm>

#include "oracle/sector_data.h"

namespace dmirror::oracle {
namespace {

std::string id_str(uint64_t id) {
  if (id == kGarbage) return "garbage";
  if (id == kAbsent) return "beyond-eof";
  return "w" + std::to_string(id);
}

std::string holders_str(const World& w, uint32_t mask) {
  std::string s = "{";
  for (size_t f = 0; f < w.files_.size(); ++f)
    if (mask & (1u << f)) s += (s.size() > 1 ? "," : "") + w.files_[f].path.substr(w.files_[f].path.rfind('/') + 1);
  return s + "}";
}

bool contains(const std::vector<uint64_t>& v, uint64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

class Checker {
 public:
  Checker(const World& w, const Observation& pre, const StepResult& r, const Observation& post,
          const InvariantSet& en)
      : w_(w), pre_(pre), r_(r), post_(post), en_(en) {}

  std::vector<Violation> run() {
    reads();
    healthy();
    degrade();
    seqno();
    foreign();
    if (w_.opts_.check_lock && r_.unlocked_writes > 0)
      add(Invariant::LockHeld, std::to_string(r_.unlocked_writes) + " writes while no lock was held on the leg file");
    if (!r_.concurrency_problem.empty()) add(Invariant::LockHeld, r_.concurrency_problem);
    acked_kept();
    check_only();
    found_mismatches();
    return std::move(out_);
  }

 private:
  void add(Invariant i, std::string d) {
    if (!en_.count(i)) return;
    for (auto& v : out_) if (v.inv == i) return;   // one per invariant and step
    out_.push_back({i, std::move(d)});
  }

  uint32_t usable_present() const {
    uint32_t m = 0;
    for (size_t f : w_.present_members())
      if (!w_.files_[f].truncated && !w_.files_[f].foreign) m |= 1u << f;
    return m;
  }

  void reads() {
    const uint32_t usable = usable_present();
    const Health h = post_.status.health;
    const bool says_so = !post_.status.ok || (h != Health::Healthy && h != Health::ResyncPending);
    for (const auto& rd : post_.reads) {
      if (rd.ids.empty()) continue;
      for (uint64_t s = 0; s < kSectors; ++s) {
        const SectorModel& m = w_.model_[s];
        uint64_t v = rd.ids[s];
        if (v == m.cur || contains(m.maybe, v)) continue;
        std::string where = "sector " + std::to_string(s) + " (data offset " + std::to_string(s * kSector) +
                            ") read preferring slot " + std::to_string(rd.slot) + " gave " + id_str(v) +
                            ", newest acknowledged " + id_str(m.cur) + ", held by " +
                            holders_str(w_, post_.holders[s]) + "; status: " + describe(post_.status);
        if (v == kGarbage) {
          if (!m.rot) add(Invariant::ReadNeverWritten, where);
        } else if (v == 0 || contains(m.history, v)) {
          // Excused: no usable present leg holds the expected write and
          // either no leg holds it at all (lost in this step: forget_lost
          // lowers the expectation after it) or the array says it is not
          // whole; or the zeros of a leg cut short and grown back.
          // A present leg counts as holding it when it holds the write or
          // one issued on top of it; not when it holds only a write issued
          // while no present leg held the expected one (a line that never
          // saw it: another side's write, written while this one was away).
          uint32_t held = post_.holders[s];
          uint32_t line = w_.line_holders(post_, s);
          bool excused = ((line & usable) == 0 && (held == 0 || says_so)) || (v == 0 && m.zeroed);
          if (!excused) add(Invariant::ReadCurrent, where);
        } else {
          add(Invariant::ReadNeverWritten, where);
        }
      }
    }
  }

  // The present files the status maps onto in-sync slots.
  std::vector<size_t> in_sync_files(const Observation& o) const {
    std::vector<size_t> out;
    const auto& pm = o.present;
    if (!o.status.ok) return out;
    for (size_t slot = 0; slot < o.status.slot_to_path.size(); ++slot) {
      int i = o.status.slot_to_path[slot];
      if (i >= 0 && o.status.in_sync[slot] && static_cast<size_t>(i) < pm.size()) out.push_back(pm[i]);
    }
    return out;
  }

  std::optional<uint64_t> first_difference(const Observation& o, const std::vector<size_t>& files) const {
    for (uint64_t s = 0; s < kSectors; ++s) {
      if (w_.model_[s].rot || w_.model_[s].zeroed) continue;
      for (size_t f : files)
        if (o.ids[f][s] != o.ids[files[0]][s]) return s;
    }
    return std::nullopt;
  }

  void healthy() {
    if (!post_.status.ok || post_.status.health != Health::Healthy) return;
    std::vector<size_t> mapped;
    const auto& pm = post_.present;
    for (int i : post_.status.slot_to_path)
      if (i >= 0) mapped.push_back(pm[static_cast<size_t>(i)]);
    if (auto s = first_difference(post_, mapped))
      add(Invariant::HealthyIdentical, "status healthy but the legs differ at sector " + std::to_string(*s) + ": " +
                                           describe(post_.status));
    const Superblock& sb = post_.status.sb;
    if (sb.has_flag(sbflag::kDirty) || sb.resync_offset != kOffsetInSync || post_.status.resync_pending)
      add(Invariant::HealthyNothingPending, "status healthy but dirty=" + std::to_string(sb.has_flag(sbflag::kDirty)) +
                                                " resync_offset=" + std::to_string(sb.resync_offset) +
                                                " resync_pending=" + std::to_string(post_.status.resync_pending));
  }

  static bool bad(const StatusView& v) {
    return v.ok && (v.degraded || v.health == Health::Degraded || v.health == Health::Failed);
  }

  void degrade() {
    if (!r_.library || !r_.ok || r_.reported) return;
    if (pre_.status.ok && !bad(pre_.status) && bad(post_.status))
      add(Invariant::NoSilentDegrade, "succeeded without a warning, but the array went from " +
                                          describe(pre_.status) + " to " + describe(post_.status));
  }

  void seqno() {
    for (size_t f = 0; f < w_.files_.size(); ++f) {
      if (r_.rolled_back == f || r_.recycled == f || r_.damaged_sb == f) continue;
      auto before = w_.files_[f].seqno;
      auto after = post_.seqno[f];
      if (before && after && *after < *before)
        add(r_.power_cut ? Invariant::SeqnoMonotonicCrash : Invariant::SeqnoMonotonic, w_.files_[f].path + " went from seqno " + std::to_string(*before) + " to " +
                                           std::to_string(*after));
    }
  }

  void foreign() {
    for (size_t f = 0; f < w_.files_.size(); ++f) {
      const auto& fs = w_.files_[f].foreign;
      if (!fs || r_.rolled_back == f) continue;
      if (post_.page0[f] != *fs) add(Invariant::ForeignUntouched, "the swap signature page of " + w_.files_[f].path + " was overwritten");
    }
  }

  // A command never destroys the last copy of an acknowledged write held by
  // a leg that the assembly before it called in sync (a source), and an
  // acknowledged write is on some leg. (A stale leg's data may be recovered
  // over: it can be the oracle's own rollback.) Silent damage still on a
  // member is excused like rot: the zeros of a leg cut short and grown
  // back, when a member still read zeros there before the command — with
  // no data checksums, a crash window's region is settled from the first
  // in-sync leg (as md does), whatever that leg silently holds.
  bool zero_damage_present(uint64_t s) const {
    if (!w_.model_[s].zeroed) return false;
    for (size_t f : pre_.present)
      if (f < pre_.ids.size() && s < pre_.ids[f].size() && pre_.ids[f][s] == 0) return true;
    return false;
  }

  void acked_kept() {
    if (!r_.library) return;
    std::vector<bool> acked(kSectors, false);
    for (uint64_t s : r_.acked) acked[s] = true;
    uint32_t sources = 0;
    for (size_t f : in_sync_files(pre_)) sources |= 1u << f;
    for (uint64_t s = 0; s < kSectors; ++s) {
      if (w_.model_[s].rot || post_.holders[s] != 0 || zero_damage_present(s)) continue;
      if ((pre_.holders[s] & sources) != 0 || acked[s]) {
        add(Invariant::AckedDataKept, "sector " + std::to_string(s) + ": no member holds the newest acknowledged write " +
                                          id_str(w_.model_[s].cur) + " any more (held before by " +
                                          holders_str(w_, pre_.holders[s]) + "); status before: " + describe(pre_.status) +
                                          "; after: " + describe(post_.status));
        return;
      }
    }
  }

  void check_only() {
    if (r_.writes_nothing && r_.writes > 0)
      add(Invariant::CheckWritesNothing, "a check-only command wrote " + std::to_string(r_.writes) + " times");
    if (r_.writes_no_data && r_.data_writes > 0)
      add(Invariant::CheckWritesNothing, "a check-only command wrote the data area " + std::to_string(r_.data_writes) + " times");
    if (post_.ro_writes > 0)
      add(Invariant::CheckWritesNothing, "the read-only engine wrote " + std::to_string(post_.ro_writes) + " times");
  }

  void found_mismatches() {
    if (!r_.library || !r_.ok || !r_.full_check || !pre_.status.ok) return;
    if (pre_.status.health != Health::Healthy && pre_.status.health != Health::ResyncPending) return;
    auto files = in_sync_files(pre_);
    for (uint64_t s = 0; s < kSectors; ++s) {
      bool differ = false;
      for (size_t f : files) differ |= pre_.ids[f][s] != pre_.ids[files[0]][s];
      if (!differ) continue;
      bool covered = false;
      for (auto [off, len] : r_.reported_ranges) covered |= s * kSector >= off && s * kSector < off + len;
      if (!covered) {
        add(Invariant::CheckFindsMismatches, "sector " + std::to_string(s) + " differs between the in-sync legs (" +
                                                 describe(pre_.status) + ") but was not reported");
        break;
      }
    }
    if (r_.repaired && post_.status.ok) {
      auto after = in_sync_files(post_);
      for (uint64_t s = 0; s < kSectors; ++s) {
        bool differ = false;
        for (size_t f : after) differ |= post_.ids[f][s] != post_.ids[after[0]][s];
        if (differ) {
          add(Invariant::RepairConverges, "sector " + std::to_string(s) + " still differs after the repair; " +
                                              describe(post_.status));
          break;
        }
      }
    }
  }

  const World& w_;
  const Observation& pre_;
  const StepResult& r_;
  const Observation& post_;
  const InvariantSet& en_;
  std::vector<Violation> out_;
};

}  // namespace

std::vector<Violation> check_step(const World& w, const Observation& pre, const StepResult& r,
                                  const Observation& post, const InvariantSet& enabled) {
  auto v = Checker(w, pre, r, post, enabled).run();
  if (r.internal_error && enabled.count(Invariant::NoLibraryCrash))
    v.push_back({Invariant::NoLibraryCrash, "a command returned an internal error: " + r.note});
  return v;
}

}  // namespace dmirror::oracle
