// SPDX-License-Identifier: LGPL-2.1-or-later
// The io_uring IoEngine: run() hands a whole batch (every leg's data writes
// of a write group, a flush of every leg...) to an io_uring IoQueue in one
// submission and waits for all of it. IoEngine's ordering contract (ops on
// one device complete in the order given) is kept by dependencies rather
// than by serialising: an op is submitted once no earlier op of the same
// device that it conflicts with is still in flight. Reads never conflict
// with reads, transfers conflict when their ranges overlap and one of them
// writes, and a flush waits for every earlier op of its device (an fsync
// covers completed writes only) and holds back every later one. Ops on one
// device are submitted in order, so a blocked op holds back its successors.
// Batches run from several threads at once each take their own ring from a
// small pool (they are independent: the mirror never runs two batches
// whose transfers conflict at the same time).
#include <algorithm>
#include <condition_variable>
#include <string>
#include <map>
#include <mutex>
#include <vector>

#include "engine/io_queue.h"

namespace dmirror::engine {
namespace {

bool conflicts(const LegIo& a, const LegIo& b) {
  if (a.kind == LegIo::Kind::Flush || b.kind == LegIo::Kind::Flush) return true;
  if (a.kind == LegIo::Kind::Read && b.kind == LegIo::Kind::Read) return false;
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

class QueueEngine final : public IoEngine {
 public:
  explicit QueueEngine(std::unique_ptr<IoQueue> q) {
    name_ = std::string(q->name());
    idle_.push_back(std::move(q));
    created_ = 1;
  }
  std::string_view name() const override { return name_; }

  void run(std::span<LegIo> ops) override {
    std::unique_ptr<IoQueue> q = acquire();
    run_on(*q, ops);
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(q));
    cv_.notify_one();
  }

 private:
  static constexpr unsigned kMaxRings = 8;

  // An idle ring, a new one while fewer than kMaxRings exist (and the
  // kernel grants it), or the next one returned.
  std::unique_ptr<IoQueue> acquire() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (!idle_.empty()) {
        auto q = std::move(idle_.back());
        idle_.pop_back();
        return q;
      }
      if (created_ < kMaxRings && !exhausted_) {
        ++created_;
        lock.unlock();
        auto q = make_uring_queue(64);
        lock.lock();
        if (q) return q;
        --created_;
        exhausted_ = true;
        continue;
      }
      cv_.wait(lock, [&] { return !idle_.empty(); });
    }
  }

  static void run_on(IoQueue& q, std::span<LegIo> ops) {
    struct DevState {
      std::vector<size_t> order;      // indices of the device's ops, in the order given
      size_t next = 0;                // first not yet submitted
      std::vector<size_t> inflight;
    };
    std::map<BlockDevice*, DevState> devs;
    for (size_t i = 0; i < ops.size(); ++i) devs[ops[i].dev].order.push_back(i);
    size_t remaining = ops.size();
    std::vector<uint8_t> completed(ops.size(), 0);
    std::vector<BlockDevice*> owner(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) owner[i] = ops[i].dev;
    while (remaining > 0) {
      for (auto& [dev, d] : devs) {
        while (d.next < d.order.size()) {
          LegIo& cand = ops[d.order[d.next]];
          bool blocked = std::any_of(d.inflight.begin(), d.inflight.end(),
                                     [&](size_t j) { return conflicts(ops[j], cand); });
          if (blocked) break;
          d.inflight.push_back(d.order[d.next]);
          ++d.next;
          q.submit(&cand);
        }
      }
      LegIo* done = q.wait();
      if (!done) {
        // The queue lost track of its ops (it must not): whatever did not
        // complete is an error, never a default success.
        for (size_t i = 0; i < ops.size(); ++i)
          if (!completed[i])
            ops[i].result = make_error(ErrorCode::Io, "the I/O queue returned no completion for an op on " +
                                                          ops[i].dev->describe());
        break;
      }
      const size_t idx = static_cast<size_t>(done - ops.data());
      completed[idx] = 1;
      std::erase(devs[owner[idx]].inflight, idx);
      --remaining;
    }
  }

  std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<IoQueue>> idle_;
  unsigned created_ = 0;
  bool exhausted_ = false;   // the kernel refused a ring: make do with those there are
};

}  // namespace

std::unique_ptr<IoEngine> make_uring_engine(std::span<BlockDevice* const> devices) {
  if (!all_fd_backed(devices)) return nullptr;
  auto q = make_uring_queue(64);
  if (!q) return nullptr;
  return std::make_unique<QueueEngine>(std::move(q));
}

}  // namespace dmirror::engine
