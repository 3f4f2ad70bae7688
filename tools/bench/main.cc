// SPDX-License-Identifier: LGPL-2.1-or-later
// dmirror-bench: helper of scripts/bench.sh. Subcommands:
//   fill FILE --size N [--seed S]         incompressible data, N bytes
//   plant LEG --percent P [--seed S]      corrupt one sector in P% of regions
//   write LEG... --mode engine|naive|single --writes N --qd Q --flush-every F
//   hash [--mib N]                        crc32c and memcmp throughput, one core
#include <cstdio>
#include <cstdlib>

#include "bench.h"

namespace dmirror::bench {

uint64_t parse_size(const std::string& s) {
  if (s.empty()) return 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  uint64_t mul = 1;
  switch (*end) {
    case 'k': case 'K': mul = 1ull << 10; break;
    case 'm': case 'M': mul = 1ull << 20; break;
    case 'g': case 'G': mul = 1ull << 30; break;
    case 't': case 'T': mul = 1ull << 40; break;
    case '\0': break;
    default: return 0;
  }
  return static_cast<uint64_t>(v * static_cast<double>(mul));
}

std::string option(const Args& args, const std::string& name, const std::string& def) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name) return args[i + 1];
  return def;
}

Prng::Prng(uint64_t seed) {
  for (auto& s : s_) {   // splitmix64
    seed += 0x9e3779b97f4a7c15ull;
    uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    s = z ^ (z >> 31);
  }
}

uint64_t Prng::next() {
  auto rotl = [](uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const uint64_t r = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return r;
}

}  // namespace dmirror::bench

int main(int argc, char** argv) {
  using namespace dmirror::bench;
  if (argc < 2) {
    std::fprintf(stderr, "usage: dmirror-bench fill|plant|write|hash ...\n");
    return 2;
  }
  const std::string cmd = argv[1];
  Args args(argv + 2, argv + argc);
  if (cmd == "fill") return cmd_fill(args);
  if (cmd == "plant") return cmd_plant(args);
  if (cmd == "write") return cmd_write(args);
  if (cmd == "hash") return cmd_hash(args);
  std::fprintf(stderr, "dmirror-bench: unknown subcommand '%s'\n", cmd.c_str());
  return 2;
}
