// SPDX-License-Identifier: LGPL-2.1-or-later
// The offline commands, run on the present legs: status, verify (check and
// repair), resync, scrub (check, repair, --from) and replace.
#include <algorithm>
#include <dmirror/replace.h>
#include <dmirror/resync.h>
#include <dmirror/scrub.h>
#include <dmirror/verify.h>

#include "oracle/command_lock.h"
#include "oracle/watch_device.h"
#include "oracle/world.h"

namespace dmirror::oracle {
namespace {

bool warns(const Findings& f) { return worst(f) >= Severity::Warning; }

void ranges(StepResult& r, const std::vector<Mismatch>& ms) {
  for (const auto& m : ms) r.reported_ranges.emplace_back(m.offset, m.length);
}

void failed(StepResult& r, const Error& e) {
  r.ok = false;
  r.reported = true;
  r.refused = e.code != ErrorCode::Io && e.code != ErrorCode::Corruption;
  r.internal_error = e.code == ErrorCode::Internal;
  r.note += ": " + e.describe();
}

}  // namespace

StepResult World::offline(StepKind k, std::mt19937_64& rng) {
  StepResult r;
  r.note = std::string(step_name(k));
  auto paths = present_paths();
  if (paths.empty()) return r;
  r.library = true;
  if (k == StepKind::Status) {
    StatusView v = status_of(paths);
    r.ok = v.ok;
    r.writes_nothing = true;
    r.note += ": " + describe(v);
    return r;
  }
  std::vector<uint32_t> slots;
  for (size_t f : present_members()) slots.push_back(files_[f].slot);
  const uint32_t some_slot = slots[rng() % slots.size()];
  // Consent to go on with a member absent (FORMAT.md 2.6 rule 11), drawn
  // from a copy of the step's generator so that the sequences once found
  // (OracleFound) replay as they were.
  std::mt19937_64 side = rng;
  side.discard(97);
  const bool degraded = side() % 4 != 0;
  if (k != StepKind::Verify && degraded) r.note += " --degraded";
  CommandLegs legs = open_command_legs(paths, k != StepKind::Verify, opts_.check_lock);
  auto devs = legs.ptrs();
  CommandLegs spare_legs;
  if (k == StepKind::Replace && spare()) spare_legs = open_command_legs({files_[*spare()].path}, true, opts_.check_lock);
  // A command that writes holds the array lock, the new device of replace included.
  std::optional<CommandLock> lock;
  if (k != StepKind::Verify) {
    auto all = devs;
    for (auto* d : spare_legs.ptrs()) all.push_back(d);
    auto l = CommandLock::acquire(all, dir_);
    if (!l) {
      r.concurrency_problem = "the array lock was refused with no other command running: " + l.error().describe();
      return r;
    }
    lock.emplace(std::move(*l));
    if (pause_) {
      legs.arm(pause_);
      spare_legs.arm(pause_);
    }
  }
  switch (k) {
    case StepKind::Verify:
    case StepKind::VerifyRepair: {
      VerifyOptions vo;
      vo.quick = rng() % 4 == 0;
      vo.repair = k == StepKind::VerifyRepair;
      vo.chunk_bytes = 64 * 1024;
      vo.degraded = degraded;
      if (vo.repair && rng() % 3 == 0) vo.choice.from_slot = some_slot;
      r.note += vo.quick ? " quick" : "";
      if (vo.choice.from_slot != kNoSlot) r.note += " --from " + std::to_string(some_slot);
      auto rep = verify(devs, vo);
      r.writes_nothing = !vo.repair;
      r.full_check = !vo.quick;
      if (!rep) { failed(r, rep.error()); break; }
      r.ok = true;
      // A repair without evidence leaves a mismatch and says so (FORMAT.md
      // 2.6; scrub policy): only a repair that claims every mismatch fixed
      // must converge.
      r.repaired = vo.repair && std::all_of(rep->mismatches.begin(), rep->mismatches.end(),
                                            [](const Mismatch& m) { return m.repaired; });
      r.reported = warns(rep->findings);
      ranges(r, rep->mismatches);
      r.note += ": " + std::to_string(rep->mismatches.size()) + " mismatches, worst " +
                std::string(severity_name(rep->worst()));
      break;
    }
    case StepKind::Resync: {
      ResyncOptions ro;
      ro.full = rng() % 4 == 0;
      ro.chunk_bytes = 64 * 1024;
      ro.degraded = degraded;
      ro.checkpoint_bytes = 256 * 1024;
      r.note += ro.full ? " full" : "";
      auto rep = resync(devs, ro);
      if (!rep) { failed(r, rep.error()); break; }
      r.ok = true;
      r.reported = warns(rep->findings) || !rep->failed_slots.empty();
      r.note += std::string(": ") + std::string(resync_mode_name(rep->mode)) + ", " +
                std::to_string(rep->regions_copied) + " regions copied";
      break;
    }
    case StepKind::ScrubCheck:
    case StepKind::ScrubRepair:
    case StepKind::ScrubFrom: {
      ScrubOptions so;
      so.repair = k != StepKind::ScrubCheck;
      so.restart = rng() % 2 == 0;
      so.chunk_bytes = 64 * 1024;
      so.degraded = degraded;
      so.checkpoint_bytes = 256 * 1024;
      if (k == StepKind::ScrubFrom) {
        so.choice.from_slot = some_slot;
        r.note += " --from " + std::to_string(some_slot);
      }
      auto rep = scrub(devs, so);
      r.writes_no_data = !so.repair;
      if (!rep) { failed(r, rep.error()); break; }
      r.ok = true;
      r.repaired = so.repair && rep->result != ScrubResult::Mismatches;
      r.full_check = !rep->resumed && rep->result != ScrubResult::Interrupted;
      r.reported = warns(rep->findings) || rep->mismatches > 0;
      ranges(r, rep->found);
      r.note += ": " + std::string(scrub_result_name(rep->result)) + ", " + std::to_string(rep->found.size()) +
                " mismatches" + (rep->resumed ? " (resumed)" : "");
      break;
    }
    case StepKind::Replace: {
      auto sp = spare();
      if (!sp) break;
      std::vector<uint32_t> all;
      for (size_t f : members()) all.push_back(files_[f].slot);
      uint32_t old_slot = all[rng() % all.size()];
      r.note += " slot " + std::to_string(old_slot);
      if (spare_legs.devs.empty()) break;
      ReplaceOptions ro;
      ro.chunk_bytes = 64 * 1024;
      ro.degraded = degraded;
      ro.checkpoint_bytes = 256 * 1024;
      auto rep = replace(devs, old_slot, *spare_legs.devs[0], ro);
      if (!rep) { failed(r, rep.error()); break; }
      r.ok = true;
      r.note += " -> new slot " + std::to_string(rep->new_slot);
      for (size_t f : members())
        if (files_[f].slot == old_slot) {
          LegFile wiped;
          wiped.path = files_[f].path;
          wiped.member = false;
          wiped.generation = files_[f].generation + 1;
          files_[f] = wiped;
          resize_file(files_[f].path, 0);
          resize_file(files_[f].path, kLegSize);
          r.recycled = f;
        }
      files_[*sp].member = true;
      files_[*sp].present = true;
      files_[*sp].slot = rep->new_slot;
      break;
    }
    default: break;
  }
  r.writes = legs.writes() + spare_legs.writes();
  r.data_writes = legs.data_writes() + spare_legs.data_writes();
  r.unlocked_writes = legs.unlocked_writes() + spare_legs.unlocked_writes();
  return r;
}

}  // namespace dmirror::oracle
