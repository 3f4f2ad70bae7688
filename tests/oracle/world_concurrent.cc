// SPDX-License-Identifier: LGPL-2.1-or-later
// Two commands at once: a scrub runs, and from inside its progress callback
// (so the scrub is certainly mid-run and holds the array lock) a resync is
// started on another thread with its own opened devices. With the array
// lock (FORMAT.md 2.6 rule 16) the resync must be refused as Busy. Without
// the lock the step is not drawn (see random_steps).
#include <dmirror/resync.h>
#include <dmirror/scrub.h>

#include <future>
#include <thread>

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
  ScrubOptions so;
  so.repair = rng() % 2 == 0;
  so.restart = true;
  so.lock_dir = dir_;
  so.chunk_bytes = 64 * 1024;
  bool second_ran = false;
  std::optional<Error> second_error;
  bool second_timed_out = false;
  so.control.progress = [&](const Progress&) {
    if (second_ran) return;
    second_ran = true;
    auto devs = b.ptrs();
    auto fut = std::async(std::launch::async, [devs] { return resync(devs, ResyncOptions{}); });
    if (fut.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      second_timed_out = true;
      fut.wait();
    }
    auto res = fut.get();
    if (!res) second_error = res.error();
  };
  auto ra = a.ptrs();
  auto rep = scrub(ra, so);
  r.ok = rep.has_value();
  r.reported = !rep || rep->mismatches > 0;
  r.repaired = so.repair;
  if (rep) r.full_check = rep->result != ScrubResult::Interrupted;
  if (rep) for (const auto& m : rep->found) r.reported_ranges.emplace_back(m.offset, m.length);
  r.note += rep ? ": scrub " + std::string(scrub_result_name(rep->result)) : ": scrub " + rep.error().describe();
  if (second_ran) {
    if (second_timed_out) r.concurrency_problem = "the second command waited for the first instead of being refused";
    else if (!second_error) r.concurrency_problem = "the resync ran while the scrub was running";
    else if (second_error->code != ErrorCode::Busy)
      r.concurrency_problem = "the resync was refused, but not as busy: " + second_error->describe();
    r.note += second_error ? "; resync: " + second_error->describe() : "; resync ran";
  }
  r.writes = a.writes() + b.writes();
  r.data_writes = a.data_writes() + b.data_writes();
  r.unlocked_writes = a.unlocked_writes() + b.unlocked_writes();
  return r;
}

}  // namespace dmirror::oracle
