// SPDX-License-Identifier: LGPL-2.1-or-later
// The event history of an assembly: every present member at the
// authority's seqno carries the same ring, so the rings are read from all of
// them and merged by sequence number. A ring that cannot be read, or whose
// records are damaged, costs nothing while another leg holds those events,
// and is named in a finding (the leg and how many records).
#include "array/assembly_rules.h"

#include <algorithm>
#include <map>

namespace dmirror::assembly {

void read_events(Assembly& a, const std::vector<std::string>& paths) {
  std::map<uint64_t, Event> merged;
  bool any = false;
  for (const SlotView& s : a.slots) {
    if (s.leg < 0 || s.seqno != a.sb.seqno) continue;
    const auto& leg = a.legs[static_cast<size_t>(s.leg)];
    if (!leg.meta) continue;
    const std::string& path = paths[static_cast<size_t>(s.leg)];
    auto dev = open_device(path, OpenOptions{.writable = false, .exclusive = false});
    Result<EventHistory> h = dev ? dmirror::read_events(**dev, leg.meta->sb) : Result<EventHistory>(std::unexpected(dev.error()));
    if (!h) {
      a.findings.push_back(Finding{Severity::Warning, "events-unreadable",
                                   "the event history of leg " + path + " (slot " + std::to_string(s.slot) +
                                       ") cannot be read: " + h.error().describe() +
                                       "; the history shown comes from the other legs",
                                   path, s.slot});
      continue;
    }
    any = true;
    if (!h->damage.empty())
      a.findings.push_back(Finding{Severity::Warning, "events-damaged",
                                   "the event history of leg " + path + " (slot " + std::to_string(s.slot) + ") has " +
                                       std::to_string(h->damage.size()) +
                                       " damaged records (first: record " + std::to_string(h->damage[0].record_index) +
                                       ", " + h->damage[0].what +
                                       "); they are skipped and the history shown is merged from every leg",
                                   path, s.slot});
    for (Event& e : h->events) merged.try_emplace(e.seq, std::move(e));
  }
  if (!any) return;
  a.events = EventHistory{};
  for (auto& [seq, e] : merged) a.events.events.push_back(std::move(e));
  a.events.next_seq = a.events.events.empty() ? 1 : a.events.events.back().seq + 1;
}

}  // namespace dmirror::assembly
