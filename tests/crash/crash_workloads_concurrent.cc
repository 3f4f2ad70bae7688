// SPDX-License-Identifier: LGPL-2.1-or-later
// Concurrent engine workload (see crash_workloads.h): several threads write
// and flush through one Mirror at once, so write groups are in flight
// together, flushes run beside new writes, and journal marks and clears
// race with both. The trace of the one run is what the harness cuts; each
// run interleaves differently.
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "crash/crash_workloads.h"
#include "support/legs_fixture.h"

namespace dmirror::testing {
namespace {

// Holds some data writes back a little, so that write groups stay in
// flight while other threads flush and write: more interleavings for the
// same number of I/Os. (Only what the trace records matters; the delay
// asserts nothing.)
class LingeringLeg : public DeviceWrapper {
 public:
  LingeringLeg(BlockDevice* target, uint64_t seed) : DeviceWrapper(target), rng_(seed) {}
  Status write(uint64_t o, std::span<const std::byte> b) override {
    bool linger;
    {
      std::lock_guard l(mu_);
      linger = o >= kTestDataOffset && rng_() % 3 == 0;
    }
    if (linger) std::this_thread::sleep_for(std::chrono::microseconds(300));
    return DeviceWrapper::write(o, b);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;
};

constexpr uint64_t kChunk = 1024;   // thread t owns the chunks c with c % threads == t

// One session: `threads` writers, each writing 1 or 2 sectors inside its
// own chunks (so no two threads share a sector, and every region is written
// by several threads) and flushing now and then.
void session(Mirror& m, WriteModel& model, std::mutex& model_mu, uint64_t seed, uint32_t threads, int ops, bool durable) {
  std::vector<std::thread> workers;
  for (uint32_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(seed * 31 + t);
      const uint64_t chunks = kWorkloadSize / kChunk / threads;
      for (int i = 0; i < ops; ++i) {
        if (rng() % 5 == 0) {
          uint64_t token;
          {
            std::lock_guard l(model_mu);
            token = model.flush_started();
          }
          if (m.flush()) {
            std::lock_guard l(model_mu);
            model.flushed(token);
          }
          continue;
        }
        const uint64_t chunk = (rng() % chunks) * threads + t;
        const uint64_t sectors = 1 + rng() % 2;
        const uint64_t off = chunk * kChunk + (rng() % (kChunk / 512 - sectors + 1)) * 512;
        auto data = pattern(sectors * 512, static_cast<uint32_t>(rng()));
        size_t id;
        {
          std::lock_guard l(model_mu);
          id = model.write_started(off, data);
        }
        if (m.write(off, data)) {
          std::lock_guard l(model_mu);
          durable ? model.write_acked_durable(id) : model.write_acked(id);
        }
      }
    });
  }
  for (auto& w : workers) w.join();
}

}  // namespace

CrashWorkload engine_concurrent_workload(uint64_t seed, uint32_t legs, uint32_t threads, int ops, IoEngineKind io) {
  CrashWorkload w;
  w.name = "engine-concurrent/" + std::to_string(legs) + "legs/" + std::to_string(threads) + "threads/" +
           std::string(io_engine_kind_name(io));
  w.array = {.legs = legs, .data_size = kWorkloadSize, .region_size = 4096};
  w.engine.io_engine = io;
  w.run = [=](std::vector<BlockDevice*>& devs, WriteModel& model) {
    const bool durable = seed % 2 == 0;
    const MirrorOptions options{.io_engine = io, .durable_writes = durable, .clear_delay_ms = 0};
    std::vector<std::unique_ptr<LingeringLeg>> lingering;
    std::vector<BlockDevice*> mine;
    for (uint32_t l = 0; l < legs; ++l) {
      lingering.push_back(std::make_unique<LingeringLeg>(devs[l], seed + l));
      mine.push_back(lingering.back().get());
    }
    std::mutex model_mu;
    for (int s = 0; s < 2; ++s) {
      auto m = Mirror::open(mine, options);
      if (!m) return;
      session(**m, model, model_mu, seed + static_cast<uint64_t>(s), threads, ops, durable);
      if ((*m)->close()) model.flushed();
      model.session_closed();
    }
  };
  return w;
}

}  // namespace dmirror::testing
