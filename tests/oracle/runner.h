// SPDX-License-Identifier: LGPL-2.1-or-later
// Running sequences: one world per sequence (its seed decides the array:
// two or three legs, assume-clean or not, and the steps), the first
// violation stops it, and a failing sequence is shrunk by delta debugging
// (replaying subsequences from scratch) to a short one with the same
// invariant broken.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oracle/invariants.h"
#include "oracle/step.h"

namespace dmirror::oracle {

struct RunConfig {
  InvariantSet invariants;
  bool check_lock = false;     // the array lock exists (tests/oracle/CMakeLists.txt)
  std::string dir;             // where the image files go; empty: /dev/shm or $TMPDIR
};

struct Failure {
  uint64_t seed = 0;
  std::vector<Step> steps;     // the sequence up to and including the failing step
  Violation violation;
  std::vector<std::string> notes;   // what each step did
};

// Runs `steps` on a fresh world made from `seed`; returns the first violation.
std::optional<Failure> replay(uint64_t seed, const std::vector<Step>& steps, const RunConfig& cfg);
// A random sequence of `n` steps from `seed`.
std::optional<Failure> run_sequence(uint64_t seed, size_t n, const RunConfig& cfg);
// Delta debugging: the shortest subsequence found that still breaks the
// same invariant (at most `max_replays` replays).
Failure shrink(const Failure& f, const RunConfig& cfg, int max_replays = 400);
std::string describe(const Failure& f);

}  // namespace dmirror::oracle
