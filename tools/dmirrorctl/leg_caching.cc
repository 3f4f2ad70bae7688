// SPDX-License-Identifier: LGPL-2.1-or-later
// The -v note on legs that refused O_DIRECT (see leg_caching.h).
#include "leg_caching.h"

#include <syslog.h>

#include "escape.h"
#include "journal_log.h"

namespace dmirror::cli {

void note_leg_caching(const Context& ctx, std::initializer_list<const OpenedLegs*> legs) {
  if (!ctx.verbose || ctx.json) return;
  std::vector<std::string> paths;
  for (const OpenedLegs* l : legs)
    for (auto& p : l->drop_behind_paths()) paths.push_back(p);
  if (paths.empty()) return;
  std::string names;
  for (const auto& p : paths) names += (names.empty() ? "" : ", ") + printable(p);
  log_stderr(LOG_INFO, "dmirrorctl: " + names + (paths.size() == 1 ? " does" : " do") +
                           " not support O_DIRECT (its file system refused it); reading and writing " +
                           (paths.size() == 1 ? "it" : "them") +
                           " through the page cache, dropping the pages behind each transfer");
}

}  // namespace dmirror::cli
