// SPDX-License-Identifier: LGPL-2.1-or-later
// The subcommands of dmirror-bench (see main.cc). Each takes its arguments
// after the subcommand name and returns a process exit status; figures go
// to stdout as "key value" lines that scripts/bench.sh reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace dmirror::bench {

using Args = std::vector<std::string>;

int cmd_fill(const Args& args);
int cmd_plant(const Args& args);
int cmd_write(const Args& args);
int cmd_hash(const Args& args);

// "2G", "256M", "4096" -> bytes; 0 on a malformed size.
uint64_t parse_size(const std::string& s);
// The value after `--name` in args, or `def`.
std::string option(const Args& args, const std::string& name, const std::string& def);

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// xoshiro256** : fast, incompressible output, reproducible from a seed.
class Prng {
 public:
  explicit Prng(uint64_t seed);
  uint64_t next();

 private:
  uint64_t s_[4];
};

}  // namespace dmirror::bench
