// SPDX-License-Identifier: LGPL-2.1-or-later
// probe_settled(): the probes of the read-only commands, taken when no
// superblock commit is half-way. A reader takes no lock (a scrub holds the
// array's lock for hours), so it can read one leg before a commit and the
// next after it, or a copy while it is being written: it would then call a
// healthy array degraded or inconsistent. The legs are probed until two
// rounds in a row read the same superblocks.
#include "array/assembly_settle.h"

#include <chrono>
#include <thread>

namespace dmirror {
namespace {

// What a commit changes: which copies are valid, and their seqnos.
struct Stamp {
  bool readable = false;
  int copy_state[2] = {-1, -1};
  uint64_t copy_seqno[2] = {0, 0};
  bool operator==(const Stamp&) const = default;
};

std::vector<Stamp> stamps(const std::vector<LegProbe>& probes) {
  std::vector<Stamp> out;
  for (const LegProbe& p : probes) {
    Stamp s;
    s.readable = p.meta.has_value();
    if (p.meta)
      for (int i = 0; i < 2; ++i) {
        s.copy_state[i] = static_cast<int>(p.meta->copies[i].state);
        s.copy_seqno[i] = p.meta->copies[i].seqno;
      }
    out.push_back(s);
  }
  return out;
}

}  // namespace

std::vector<LegProbe> probe_settled(const std::vector<std::string>& paths, const ProbeFn& probe, Findings& findings,
                                    int max_rounds) {
  auto round = [&] {
    std::vector<LegProbe> probes;
    probes.reserve(paths.size());
    for (const auto& p : paths) probes.push_back(probe(p));
    return probes;
  };
  std::vector<LegProbe> probes = round();
  auto delay = std::chrono::milliseconds(5);
  for (int i = 1; i < max_rounds; ++i) {
    std::vector<LegProbe> again = round();
    const bool settled = stamps(again) == stamps(probes);
    probes = std::move(again);
    if (settled) return probes;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
  findings.push_back(Finding{Severity::Info, "metadata-changing",
                             "the superblocks changed while they were read (a command is writing the array); "
                             "what follows may be out of date: run the command again",
                             "", -1});
  return probes;
}

}  // namespace dmirror
