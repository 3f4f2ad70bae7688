// SPDX-License-Identifier: LGPL-2.1-or-later
// Two commands at once: a scrub runs under the array lock, and from inside
// its progress callback (so the scrub is certainly mid-run) a resync is
// started on another thread with its own opened devices, taking the array
// lock as a command does. The resync must be refused as busy, at once
// (FORMAT.md 2.6 rule 16). Without the lock the step is not drawn.
#include <dmirror/resync.h>
#include <dmirror/scrub.h>

#include <future>
#include <thread>

#include "oracle/command_lock.h"
#include "oracle/watch_device.h"
#include "oracle/world.h"

namespace dmirror::oracle {

StepResult World::concurrent(std::mt19937_64& rng) {
  StepResult r;
  r.note = "concurrent scrub + resync";
  auto paths = present_paths();
  if (paths.empty() || !opts_.check_lock) return r;
  r.library = true;
  CommandLegs a = open_command_legs(paths, true, true);
  CommandLegs b = open_command_legs(paths, true, true);
  auto ra = a.ptrs();
  auto lock = CommandLock::acquire(ra, dir_);
  if (!lock) {
    r.concurrency_problem = "the array lock was refused with no other command running: " + lock.error().describe();
    return r;
  }
  ScrubOptions so;
  so.repair = rng() % 2 == 0;
  so.restart = true;
  set_scrub_lock_dir(so, dir_);
  so.chunk_bytes = 64 * 1024;
  bool second_ran = false, second_timed_out = false, second_locked = false;
  std::optional<Error> second_error;
  const std::string dir = dir_;
  so.control.progress = [&](const Progress&) {
    if (second_ran) return;
    second_ran = true;
    auto devs = b.ptrs();
    auto fut = std::async(std::launch::async, [devs, dir, &second_locked]() -> Status {
      DMIRROR_ASSIGN_OR_RETURN(auto held, CommandLock::acquire(devs, dir));
      second_locked = true;
      DMIRROR_ASSIGN_OR_RETURN(auto rep, resync(devs, ResyncOptions{}));
      (void)held;
      (void)rep;
      return ok();
    });
    if (fut.wait_for(std::chrono::seconds(30)) != std::future_status::ready) second_timed_out = true;
    auto st = fut.get();
    if (!st) second_error = st.error();
  };
  auto rep = scrub(ra, so);
  r.ok = rep.has_value();
  r.reported = !rep || rep->mismatches > 0;
  r.repaired = so.repair;
  if (rep) r.full_check = rep->result != ScrubResult::Interrupted;
  if (rep)
    for (const auto& m : rep->found) r.reported_ranges.emplace_back(m.offset, m.length);
  r.note += rep ? ": scrub " + std::string(scrub_result_name(rep->result)) : ": scrub " + rep.error().describe();
  if (second_ran) {
    if (second_timed_out) r.concurrency_problem = "the second command waited for the first instead of being refused";
    else if (second_locked) r.concurrency_problem = "a resync took the array lock while a scrub held it";
    else if (!second_error || second_error->code != ErrorCode::Busy)
      r.concurrency_problem = "the resync's lock was refused, but not as busy: " +
                              (second_error ? second_error->describe() : std::string("no error"));
    r.note += second_error ? "; resync: " + second_error->describe() : "; resync ran";
  } else {
    r.note += "; the scrub reported no progress (nothing to overlap)";
  }
  r.writes = a.writes() + b.writes();
  r.data_writes = a.data_writes() + b.data_writes();
  r.unlocked_writes = a.unlocked_writes() + b.unlocked_writes();
  return r;
}

}  // namespace dmirror::oracle
