// SPDX-License-Identifier: LGPL-2.1-or-later
// Two commands at once. The first writer (scrub, verify --repair, resync,
// replace or io write, drawn) runs as its own step does, under the array
// lock; at its first I/O after taking the lock it is stopped (a pause point
// on its devices), and a second writer, drawn from the same list, is started
// on another thread with its own opened devices, taking the array lock as a
// command does. Exactly one may win: the second must be refused as busy, at
// once (FORMAT.md 2.6 rule 16), and leave every leg image byte-for-byte as
// it found it; the first then continues and is judged like its own step.
// Without the lock the step is not drawn.
#include <dmirror/engine.h>
#include <dmirror/replace.h>
#include <dmirror/resync.h>
#include <dmirror/scrub.h>
#include <dmirror/verify.h>

#include <array>
#include <future>

#include "oracle/command_lock.h"
#include "oracle/engine_options.h"
#include "oracle/image_file.h"
#include "oracle/watch_device.h"
#include "oracle/world.h"

namespace dmirror::oracle {
namespace {

constexpr std::array kWriters = {StepKind::ScrubCheck, StepKind::ScrubRepair, StepKind::VerifyRepair,
                                 StepKind::Resync, StepKind::Replace, StepKind::EngineWrites};

std::string_view writer_name(StepKind k) { return k == StepKind::EngineWrites ? "io write" : step_name(k); }

// The second command as dmirrorctl runs it: the array lock, then the
// operation. `locked` says whether it got the lock (it must not).
Status second_command(StepKind k, std::span<BlockDevice* const> legs, BlockDevice* spare, uint32_t slot,
                      const std::string& dir, bool& locked) {
  std::vector<BlockDevice*> all(legs.begin(), legs.end());
  if (k == StepKind::Replace && spare) all.push_back(spare);
  DMIRROR_ASSIGN_OR_RETURN(auto held, CommandLock::acquire(all, dir));
  locked = true;
  switch (k) {
    case StepKind::ScrubCheck:
    case StepKind::ScrubRepair: {
      ScrubOptions so;
      so.repair = k == StepKind::ScrubRepair;
      DMIRROR_ASSIGN_OR_RETURN(auto rep, scrub(legs, so));
      (void)rep;
      break;
    }
    case StepKind::VerifyRepair: {
      VerifyOptions vo;
      vo.repair = true;
      DMIRROR_ASSIGN_OR_RETURN(auto rep, verify(legs, vo));
      (void)rep;
      break;
    }
    case StepKind::Replace: {
      if (!spare) break;
      DMIRROR_ASSIGN_OR_RETURN(auto rep, replace(legs, slot, *spare, ReplaceOptions{}));
      (void)rep;
      break;
    }
    case StepKind::EngineWrites: {
      MirrorOptions mo;
      set_allow_degraded(mo, true);
      DMIRROR_ASSIGN_OR_RETURN(auto m, Mirror::open(legs, mo));
      std::vector<std::byte> zero(4096);
      DMIRROR_RETURN_IF_ERROR(m->write(0, zero));
      DMIRROR_RETURN_IF_ERROR(m->close());
      break;
    }
    default: {
      DMIRROR_ASSIGN_OR_RETURN(auto rep, resync(legs, ResyncOptions{}));
      (void)rep;
      break;
    }
  }
  (void)held;
  return ok();
}

}  // namespace

StepResult World::concurrent(std::mt19937_64& rng) {
  StepResult r;
  auto paths = present_paths();
  if (paths.empty() || !opts_.check_lock) {
    r.note = "concurrent: nothing to do";
    return r;
  }
  const StepKind first = kWriters[rng() % kWriters.size()];
  const StepKind second = kWriters[rng() % kWriters.size()];
  const uint64_t first_seed = rng();
  std::vector<uint32_t> slots;
  for (size_t f : members()) slots.push_back(files_[f].slot);
  const uint32_t slot = slots[rng() % slots.size()];

  CommandLegs b = open_command_legs(paths, true, true);
  CommandLegs b_spare;
  if (second == StepKind::Replace && spare()) b_spare = open_command_legs({files_[*spare()].path}, true, true);
  std::vector<std::string> all_files;
  for (const auto& f : files_) all_files.push_back(f.path);

  bool second_timed_out = false, second_locked = false, legs_changed = false;
  std::optional<Error> second_error;
  const std::string dir = dir_;
  pause_ = std::make_shared<PausePoint>();
  pause_->fn = [&] {
    std::vector<FileImage> before;
    for (const auto& p : all_files) before.push_back(load_image(p));
    auto devs = b.ptrs();
    BlockDevice* sp = b_spare.devs.empty() ? nullptr : b_spare.devs[0].get();
    auto fut = std::async(std::launch::async, [&, devs, sp]() -> Status {
      return second_command(second, devs, sp, slot, dir, second_locked);
    });
    if (fut.wait_for(std::chrono::seconds(30)) != std::future_status::ready) second_timed_out = true;
    auto st = fut.get();
    if (!st) second_error = st.error();
    for (size_t i = 0; i < all_files.size(); ++i) {
      FileImage after = load_image(all_files[i]);
      legs_changed |= after.size != before[i].size || after.pages != before[i].pages;
    }
  };
  std::mt19937_64 first_rng(first_seed);
  r = first == StepKind::EngineWrites ? engine_writes(first_rng, false) : offline(first, first_rng);
  const bool overlapped = pause_->fired;
  pause_.reset();

  r.note = "concurrent " + std::string(writer_name(first)) + " + " + std::string(writer_name(second)) + ": " + r.note;
  if (!r.concurrency_problem.empty()) return r;   // the first was refused the lock: reported already
  if (!overlapped) {
    r.note += "; the first did no I/O under the lock (nothing to overlap)";
  } else if (second_timed_out) {
    r.concurrency_problem = "the second command (" + std::string(writer_name(second)) +
                            ") waited for the first instead of being refused";
  } else if (second_locked) {
    r.concurrency_problem = "a " + std::string(writer_name(second)) + " took the array lock while a " +
                            std::string(writer_name(first)) + " held it";
  } else if (!second_error || second_error->code != ErrorCode::Busy) {
    r.concurrency_problem = "the " + std::string(writer_name(second)) + "'s lock was refused, but not as busy: " +
                            (second_error ? second_error->describe() : std::string("no error"));
  } else if (b.writes() + b_spare.writes() > 0 || legs_changed) {
    r.concurrency_problem = "the refused " + std::string(writer_name(second)) + " changed the legs (" +
                            std::to_string(b.writes() + b_spare.writes()) + " writes)";
  }
  if (overlapped) {
    ++step_counts()[static_cast<int>(StepKind::Concurrent)].overlapped;
    r.note += "; " + std::string(writer_name(second)) + ": " +
              (second_error ? second_error->describe() : std::string(second_locked ? "ran" : "?"));
  }
  r.writes += b.writes() + b_spare.writes();
  r.data_writes += b.data_writes() + b_spare.data_writes();
  r.unlocked_writes += b.unlocked_writes() + b_spare.unlocked_writes();
  return r;
}

}  // namespace dmirror::oracle
