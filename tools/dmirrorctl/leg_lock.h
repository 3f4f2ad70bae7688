// SPDX-License-Identifier: LGPL-2.1-or-later
// Advisory locks that keep two dmirrorctl commands from writing metadata to
// the same legs at once (two `create`s racing on one pair of legs would each
// pass their checks and leave the legs in different arrays). Each regular
// file or block device named is flock()ed exclusively for the lifetime of
// the returned object; other kinds of path are left to the command's own
// checks, which refuse them.
#pragma once

#include <dmirror/result.h>

#include <string>
#include <vector>

namespace dmirror::cli {

class LegLocks {
 public:
  LegLocks() = default;
  LegLocks(LegLocks&& other) noexcept : fds_(std::move(other.fds_)) { other.fds_.clear(); }
  LegLocks& operator=(LegLocks&&) = delete;
  ~LegLocks();
  std::vector<int>& fds() { return fds_; }

 private:
  std::vector<int> fds_;
};

// Busy (exit 8) when another dmirrorctl holds one of the legs; paths that
// cannot be opened are skipped (the command reports them itself).
Result<LegLocks> lock_legs(const std::vector<std::string>& paths);

}  // namespace dmirror::cli
