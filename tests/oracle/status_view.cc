// SPDX-License-Identifier: LGPL-2.1-or-later
// The oracle's view of the array: the one assembly (assembly.h:
// assemble_paths), as `dmirrorctl status` sees it.
#include "oracle/status_view.h"

#include <dmirror/assembly.h>

namespace dmirror::oracle {

StatusView status_of(const std::vector<std::string>& paths) {
  StatusView v;
  if (paths.empty()) {
    v.error = "no legs given";
    return v;
  }
  auto a = assemble_paths(paths);
  if (!a) {
    v.error = a.error().describe();
    return v;
  }
  v.ok = true;
  v.health = a->health;
  v.sb = a->sb;
  v.findings = a->findings;
  v.degraded = a->degraded;
  v.resync_pending = a->resync_pending;
  v.slot_to_path.assign(a->sb.nr_legs, -1);
  v.in_sync.assign(a->sb.nr_legs, false);
  for (const SlotView& s : a->slots) {
    if (s.slot >= v.slot_to_path.size()) continue;
    v.slot_to_path[s.slot] = s.leg;
    v.in_sync[s.slot] = s.leg >= 0 && s.state == SlotState::InSync;
  }
  return v;
}

std::string describe(const StatusView& v) {
  if (!v.ok) return "status refused: " + v.error;
  std::string s = std::string(health_name(v.health)) + (v.degraded ? " (degraded)" : "") + " seqno " +
                  std::to_string(v.sb.seqno) + " slots [";
  for (size_t i = 0; i < v.slot_to_path.size(); ++i) {
    if (i) s += " ";
    s += std::to_string(i) + ":" + std::string(leg_state_name(v.sb.legs[i].state)) +
         (v.slot_to_path[i] < 0 ? "/absent" : (v.in_sync[i] ? "/in-sync" : "/not-in-sync"));
  }
  return s + "]";
}

}  // namespace dmirror::oracle
