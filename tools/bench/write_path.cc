// SPDX-License-Identifier: LGPL-2.1-or-later
// `write LEG... --mode M --writes N --qd Q --flush-every F [--span BYTES]
// [--engine io_uring|threads|sync] [--groups G]`:
// random 4 KiB writes from Q threads (queue depth Q), a flush after every
// F writes, N writes in all, at most G write groups in flight (8). Prints
// "iops X".
//   engine  through Mirror (io_uring engine, write cache semantics:
//           durable at flush(); journal group commit)
//   naive   through Mirror, but each write alone and made durable before
//           the next (max_batch_writes = 1, durable_writes): flush after
//           every write, the ordering the engine's grouping avoids
//   single  the same pattern straight to the first path's data area, no
//           mirroring, no journal (the one-leg bound)
#include <dmirror/engine.h>
#include <dmirror/leg.h>
#include <dmirror/legs.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "bench.h"

namespace dmirror::bench {
namespace {

struct Pattern {
  uint64_t writes, flush_every, span;
  unsigned qd;
};

// Runs the pattern: write(offset, block) and flush() are the target's.
template <class Write, class Flush>
double drive(const Pattern& p, Write write, Flush flush) {
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < p.qd; ++t) {
    threads.emplace_back([&, t] {
      Prng rng(1000 + t);
      std::vector<std::byte> block(4096, std::byte(t));
      for (;;) {
        const uint64_t i = next.fetch_add(1);
        if (i >= p.writes || failed) return;
        const uint64_t off = rng.next() % (p.span / 4096) * 4096;
        if (!write(off, std::span<const std::byte>(block))) failed = true;
        if (p.flush_every && (i + 1) % p.flush_every == 0 && !flush()) failed = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  if (!flush() || failed) return -1;
  return seconds_since(t0);
}

}  // namespace

int cmd_write(const Args& args) {
  std::vector<std::string> paths;
  for (size_t i = 0; i < args.size() && args[i].rfind("--", 0) != 0; ++i) paths.push_back(args[i]);
  const std::string mode = option(args, "--mode", "engine");
  Pattern p{std::stoull(option(args, "--writes", "20000")), std::stoull(option(args, "--flush-every", "64")),
            parse_size(option(args, "--span", "1G")), static_cast<unsigned>(std::stoul(option(args, "--qd", "32")))};
  if (paths.empty()) return 2;
  auto legs = open_legs(paths);
  if (!legs) {
    std::fprintf(stderr, "%s\n", legs.error().describe().c_str());
    return 1;
  }
  double secs = -1;
  if (mode == "single") {
    BlockDevice* dev = legs->devices()[0];
    auto meta = read_leg(*dev);
    if (!meta) return 1;
    const uint64_t base = meta->sb.layout.data_offset;
    p.span = std::min(p.span, meta->sb.layout.data_size);
    secs = drive(p, [&](uint64_t off, std::span<const std::byte> b) { return bool(dev->write(base + off, b)); },
                 [&] { return bool(dev->flush()); });
  } else {
    MirrorOptions o;
    const std::string engine = option(args, "--engine", "io_uring");
    o.io_engine = engine == "sync" ? IoEngineKind::Sync : engine == "threads" ? IoEngineKind::Threads : IoEngineKind::Uring;
    o.durable_writes = mode == "naive";
    if (mode == "naive") o.max_batch_writes = 1;
    o.max_groups_in_flight = static_cast<uint32_t>(std::stoul(option(args, "--groups", "8")));
    auto m = Mirror::open(legs->devices(), o);
    if (!m) {
      std::fprintf(stderr, "%s\n", m.error().describe().c_str());
      return 1;
    }
    p.span = std::min(p.span, (*m)->size());
    secs = drive(p, [&](uint64_t off, std::span<const std::byte> b) { return bool((*m)->write(off, b)); },
                 [&] { return bool((*m)->flush()); });
    auto st = (*m)->stats();
    std::printf("engine %s\njournal_commits %llu\nflushes %llu\npeak_groups_in_flight %llu\n",
                std::string((*m)->io_engine_name()).c_str(), static_cast<unsigned long long>(st.journal_commits),
                static_cast<unsigned long long>(st.flushes), static_cast<unsigned long long>(st.peak_groups_in_flight));
    if (!(*m)->close()) return 1;
  }
  if (secs <= 0) {
    std::fprintf(stderr, "dmirror-bench write: an I/O failed\n");
    return 1;
  }
  std::printf("iops %.0f\nseconds %.3f\n", static_cast<double>(p.writes) / secs, secs);
  return 0;
}

}  // namespace dmirror::bench
