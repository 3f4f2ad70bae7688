// SPDX-License-Identifier: LGPL-2.1-or-later
// The one place the oracle asks the library for the state of the array
// (what `dmirrorctl status` shows): the assembly of the given image files.
#pragma once

#include <dmirror/assembly.h>
#include <dmirror/superblock.h>

#include <string>
#include <vector>

namespace dmirror::oracle {

struct StatusView {
  bool ok = false;
  std::string error;                 // when !ok
  Health health = Health::Failed;
  Superblock sb;                     // the authority
  std::vector<int> slot_to_path;     // per slot of sb: index into the paths given, -1 when none
  std::vector<bool> in_sync;         // per slot: may be read and is a source
  bool degraded = false;             // a member slot is not present and in sync
  bool resync_pending = false;       // DIRTY, dirty journal bits or a resync offset
  Findings findings;
};

StatusView status_of(const std::vector<std::string>& paths);
std::string describe(const StatusView& v);

}  // namespace dmirror::oracle
