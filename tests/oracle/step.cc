// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oracle/step.h"

#include <array>
#include <cstdio>

namespace dmirror::oracle {

std::string_view step_name(StepKind k) {
  switch (k) {
    case StepKind::EngineWrites: return "engine-writes";
    case StepKind::CrashWrites: return "crash-writes";
    case StepKind::RemoveLeg: return "remove-leg";
    case StepKind::ReturnLeg: return "return-leg";
    case StepKind::Snapshot: return "snapshot";
    case StepKind::Rollback: return "rollback";
    case StepKind::Truncate: return "truncate";
    case StepKind::Grow: return "grow";
    case StepKind::BitRot: return "bit-rot";
    case StepKind::ForeignSignature: return "foreign-signature";
    case StepKind::Status: return "status";
    case StepKind::Verify: return "verify";
    case StepKind::VerifyRepair: return "verify-repair";
    case StepKind::Resync: return "resync";
    case StepKind::ScrubCheck: return "scrub-check";
    case StepKind::ScrubRepair: return "scrub-repair";
    case StepKind::ScrubFrom: return "scrub-from";
    case StepKind::Replace: return "replace";
    case StepKind::Concurrent: return "concurrent";
  }
  return "?";
}

std::string describe(const Step& s) {
  return std::string(step_name(s.kind)) + "#" + std::to_string(s.seed);
}

StepCounts* step_counts() {
  static StepCounts counts[kStepKinds];
  return counts;
}

std::string step_counts_table() {
  std::string s = "  step                drawn  library       ok  refused   failed  overlapped\n";
  for (int k = 0; k < kStepKinds; ++k) {
    const StepCounts& c = step_counts()[k];
    char line[160];
    std::snprintf(line, sizeof line, "  %-18s %6llu %8llu %8llu %8llu %8llu %11llu\n", std::string(step_name(static_cast<StepKind>(k))).c_str(),
                  static_cast<unsigned long long>(c.drawn), static_cast<unsigned long long>(c.library),
                  static_cast<unsigned long long>(c.ok), static_cast<unsigned long long>(c.refused),
                  static_cast<unsigned long long>(c.failed), static_cast<unsigned long long>(c.overlapped));
    s += line;
  }
  return s;
}

std::vector<Step> random_steps(uint64_t seed, size_t n, bool with_concurrent) {
  // Weights, in StepKind order.
  static constexpr std::array<int, kStepKinds> kWeights = {
      30,  // EngineWrites
      8,   // CrashWrites
      6,   // RemoveLeg
      6,   // ReturnLeg
      5,   // Snapshot
      4,   // Rollback
      2,   // Truncate
      2,   // Grow
      3,   // BitRot
      1,   // ForeignSignature
      3,   // Status
      3,   // Verify
      2,   // VerifyRepair
      6,   // Resync
      2,   // ScrubCheck
      2,   // ScrubRepair
      2,   // ScrubFrom
      2,   // Replace
      2,   // Concurrent
  };
  std::array<int, kStepKinds> w = kWeights;
  if (!with_concurrent) w[static_cast<int>(StepKind::Concurrent)] = 0;
  std::mt19937_64 rng(seed);
  std::discrete_distribution<int> pick(w.begin(), w.end());
  std::vector<Step> out;
  for (size_t i = 0; i < n; ++i) out.push_back({static_cast<StepKind>(pick(rng)), rng()});
  return out;
}

}  // namespace dmirror::oracle
