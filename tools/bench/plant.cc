// SPDX-License-Identifier: LGPL-2.1-or-later
// `plant LEG --percent P [--seed S]`: flips one byte of one sector in P% of
// the regions of LEG's data area, behind dmirror's back, so a scrub has
// mismatches to find and repair. Prints "planted N".
#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <cstdio>
#include <vector>

#include "bench.h"

namespace dmirror::bench {

int cmd_plant(const Args& args) {
  if (args.empty()) return 2;
  const double percent = std::stod(option(args, "--percent", "1"));
  Prng rng(std::stoull(option(args, "--seed", "7")));
  auto dev = open_device(args[0], OpenOptions{.writable = true, .exclusive = false});
  if (!dev) {
    std::fprintf(stderr, "%s\n", dev.error().describe().c_str());
    return 1;
  }
  auto meta = read_leg(**dev);
  if (!meta) {
    std::fprintf(stderr, "%s\n", meta.error().describe().c_str());
    return 1;
  }
  const Superblock& sb = meta->sb;
  const uint64_t every = std::max<uint64_t>(1, static_cast<uint64_t>(100.0 / percent));
  std::vector<std::byte> sector(512);
  uint64_t planted = 0;
  for (uint64_t r = 0; r < sb.nr_regions; r += every) {
    const uint64_t off = sb.layout.data_offset + r * sb.region_size + rng.next() % (sb.region_size / 512) * 512;
    if (!(*dev)->read(off, sector) ) return 1;
    sector[rng.next() % 512] ^= std::byte{0x5a};
    if (!(*dev)->write(off, sector)) return 1;
    ++planted;
  }
  if (!(*dev)->flush()) return 1;
  std::printf("planted %llu\n", static_cast<unsigned long long>(planted));
  return 0;
}

}  // namespace dmirror::bench
