// SPDX-License-Identifier: LGPL-2.1-or-later
// `hash [--mib N]`: single-core throughput of crc32c (the library's) and of
// memcmp over an N MiB buffer that stays in cache-missing memory, best of
// five passes. Prints "crc32c_gbps X" and "memcmp_gbps Y".
#include <dmirror/crc32c.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "bench.h"

namespace dmirror::bench {

int cmd_hash(const Args& args) {
  const size_t mib = std::stoul(option(args, "--mib", "256"));
  std::vector<std::byte> a(mib << 20), b;
  Prng rng(3);
  for (size_t i = 0; i + 8 <= a.size(); i += 8) {
    uint64_t v = rng.next();
    std::memcpy(a.data() + i, &v, 8);
  }
  b = a;
  double best_crc = 1e9, best_cmp = 1e9;
  volatile uint32_t sink = 0;
  for (int pass = 0; pass < 5; ++pass) {
    auto t0 = std::chrono::steady_clock::now();
    sink = sink + crc32c(a);
    best_crc = std::min(best_crc, seconds_since(t0));
    t0 = std::chrono::steady_clock::now();
    sink = sink + static_cast<uint32_t>(std::memcmp(a.data(), b.data(), a.size()));
    best_cmp = std::min(best_cmp, seconds_since(t0));
  }
  const double gb = static_cast<double>(a.size()) / 1e9;
  std::printf("crc32c_gbps %.2f\nmemcmp_gbps %.2f\n", gb / best_crc, 2 * gb / best_cmp);
  return 0;
}

}  // namespace dmirror::bench
