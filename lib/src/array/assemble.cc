// SPDX-License-Identifier: LGPL-2.1-or-later
// assemble(): reads the superblocks of the given legs (read-only, shared),
// picks the array most of them belong to, takes its newest superblock as the
// truth and grades the rest against it. Reads the events of the newest leg.
#include <dmirror/array.h>

#include "array/health.h"

#include <map>

namespace dmirror {
namespace {

struct Group {
  size_t count = 0;
  uint64_t best_seqno = 0;
  size_t best_index = 0;
};

}  // namespace

Result<ArrayView> assemble(const std::vector<std::string>& paths) {
  ArrayView view;
  std::vector<std::unique_ptr<BlockDevice>> devs(paths.size());
  std::map<Uuid, Group> groups;
  for (size_t i = 0; i < paths.size(); ++i) {
    LegView leg;
    leg.path = paths[i];
    auto dev = open_device(paths[i], OpenOptions{.writable = false, .exclusive = false});
    if (!dev) {
      leg.error = dev.error();
    } else if (auto meta = read_leg(**dev); !meta) {
      leg.error = meta.error();
    } else {
      leg.meta = std::move(*meta);
      devs[i] = std::move(*dev);
      Group& g = groups[leg.meta->sb.array_uuid];
      if (g.count++ == 0 || leg.meta->sb.seqno > g.best_seqno) {
        g.best_seqno = leg.meta->sb.seqno;
        g.best_index = i;
      }
    }
    view.legs.push_back(std::move(leg));
  }
  if (groups.empty()) {
    if (paths.size() == 1 && view.legs[0].error) return std::unexpected(*view.legs[0].error);
    return make_error(ErrorCode::NotDmirror, "none of the given devices carries a dmirror superblock");
  }
  const Group* chosen = nullptr;
  for (const auto& [uuid, g] : groups) {
    if (!chosen || g.count > chosen->count || (g.count == chosen->count && g.best_seqno > chosen->best_seqno)) {
      chosen = &g;
    }
  }
  // Legs of several arrays and none with more legs than the others: which
  // array was meant is a guess, so refuse rather than pick one.
  for (const auto& [uuid, g] : groups) {
    if (&g != chosen && g.count == chosen->count) {
      std::string which;
      for (const auto& leg : view.legs) {
        if (!leg.meta) continue;
        which += (which.empty() ? "" : ", ") + leg.path + " is in '" + leg.meta->sb.name + "'";
      }
      return make_error(ErrorCode::InvalidArgument,
                        "the given legs belong to " + std::to_string(groups.size()) +
                            " different arrays (" + which + "); give the legs of one array, or its name");
    }
  }
  const size_t newest = chosen->best_index;
  view.sb = view.legs[newest].meta->sb;

  std::vector<size_t> members;
  for (size_t i = 0; i < view.legs.size(); ++i) {
    LegView& leg = view.legs[i];
    if (leg.error) {
      view.findings.push_back(Finding{Severity::Warning, "leg-unreadable", leg.error->describe(), leg.path, -1});
    } else if (leg.meta->sb.array_uuid != view.sb.array_uuid) {
      leg.foreign = true;
      view.findings.push_back(Finding{Severity::Warning, "leg-foreign",
                                      leg.path + " belongs to another array '" + leg.meta->sb.name + "' (uuid " +
                                          leg.meta->sb.array_uuid.str() + ")",
                                      leg.path, -1});
    } else {
      members.push_back(i);
    }
  }
  array::judge_health(view, members);

  auto events = read_events(*devs[newest], view.sb);
  if (events) {
    view.events = std::move(*events);
  } else {
    view.findings.push_back(Finding{Severity::Info, "events-unreadable", events.error().describe(),
                                    view.legs[newest].path, view.sb.slot});
  }
  return view;
}

}  // namespace dmirror
