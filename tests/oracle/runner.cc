// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oracle/runner.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "oracle/world.h"

namespace dmirror::oracle {
namespace {

class TempDir {
 public:
  explicit TempDir(const std::string& base) {
    std::string root = base;
    if (root.empty()) root = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    std::string tmpl = root + "/dmirror-oracle-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("oracle: mkdtemp in " + root);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

WorldOptions world_options(uint64_t seed, const RunConfig& cfg) {
  std::mt19937_64 rng(seed ^ 0x5eed0f0a11ull);
  WorldOptions o;
  o.legs = rng() % 3 == 0 ? 3 : 2;
  o.assume_clean = rng() % 2 == 0;
  o.check_lock = cfg.check_lock;
  return o;
}

}  // namespace

std::optional<Failure> replay(uint64_t seed, const std::vector<Step>& steps, const RunConfig& cfg) {
  static const bool trace = std::getenv("DMIRROR_ORACLE_TRACE") != nullptr;   // every step's note on stderr
  static const char* trace_sector = std::getenv("DMIRROR_ORACLE_TRACE_SECTOR");   // ... and the legs' tables
  TempDir dir(cfg.dir);
  World world(dir.path(), seed, world_options(seed, cfg));
  Failure f;
  f.seed = seed;
  for (const Step& s : steps) {
    auto v = world.step(s, cfg.invariants);
    f.steps.push_back(s);
    f.notes.push_back(world.last_note());
    if (trace) std::fprintf(stderr, "oracle: %s  -- %s\n", describe(s).c_str(), world.last_note().c_str());
    if (trace_sector) std::fprintf(stderr, "%s", world.trace_state(std::strtoull(trace_sector, nullptr, 0)).c_str());
    if (!v.empty()) {
      f.violation = v.front();
      return f;
    }
  }
  return std::nullopt;
}

std::optional<Failure> run_sequence(uint64_t seed, size_t n, const RunConfig& cfg) {
  return replay(seed, random_steps(seed, n, cfg.check_lock), cfg);
}

Failure shrink(const Failure& f, const RunConfig& cfg, int max_replays) {
  Failure best = f;
  auto fails = [&](const std::vector<Step>& steps) -> std::optional<Failure> {
    if (max_replays-- <= 0) return std::nullopt;
    auto r = replay(f.seed, steps, cfg);
    if (r && r->violation.inv == f.violation.inv) return r;
    return std::nullopt;
  };
  size_t chunks = 2;
  while (best.steps.size() > 1 && max_replays > 0) {
    size_t n = best.steps.size();
    chunks = std::min(chunks, n);
    bool reduced = false;
    for (size_t c = 0; c < chunks && !reduced; ++c) {
      size_t lo = n * c / chunks, hi = n * (c + 1) / chunks;
      std::vector<Step> without(best.steps.begin(), best.steps.begin() + lo);
      without.insert(without.end(), best.steps.begin() + hi, best.steps.end());
      if (without.empty()) continue;
      if (auto r = fails(without)) {
        best = *r;
        chunks = std::max<size_t>(chunks - 1, 2);
        reduced = true;
      }
    }
    if (!reduced) {
      if (chunks >= n) break;
      chunks = std::min(n, chunks * 2);
    }
  }
  return best;
}

std::string describe(const Failure& f) {
  std::string s = "invariant " + std::string(invariant_name(f.violation.inv)) + " broken, seed " +
                  std::to_string(f.seed) + ", " + std::to_string(f.steps.size()) + " steps:\n";
  for (size_t i = 0; i < f.steps.size(); ++i)
    s += "  " + std::to_string(i + 1) + ". " + describe(f.steps[i]) + "  -- " + f.notes[i] + "\n";
  s += "  => " + f.violation.detail + "\n  replay: oracle_tests --replay " + std::to_string(f.seed);
  for (const Step& st : f.steps) s += " " + describe(st);
  return s + "\n";
}

}  // namespace dmirror::oracle
