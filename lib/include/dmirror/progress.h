// SPDX-License-Identifier: LGPL-2.1-or-later
// Progress reporting, rate limits and cancellation shared by the long
// offline operations (resync, scrub, replace). The rate and ETA come from a
// sliding window; the ETA is unknown (nullopt), never a guess, until the
// window holds enough samples.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace dmirror {

struct Progress {
  std::string phase;                       // "resync", "recover", "scrub", "copy", "verify"
  uint64_t done_bytes = 0;
  uint64_t total_bytes = 0;
  double rate_bytes_per_sec = 0;           // over the last few seconds; 0 = not yet known
  std::optional<uint64_t> eta_seconds;     // nullopt = not estimable
};

using ProgressFn = std::function<void(const Progress&)>;
// Bytes per second; 0 = unlimited. Polled between chunks, so the limit can
// change while the operation runs (from an atomic, a file, a signal...).
using RateFn = std::function<uint64_t()>;

struct OpControl {
  ProgressFn progress;
  RateFn max_rate;
  const std::atomic<bool>* cancel = nullptr;   // set to stop at the next chunk (checkpoint kept)
};

}  // namespace dmirror
