// SPDX-License-Identifier: LGPL-2.1-or-later
// The synchronous engine, the engine factory, and a worker-per-leg engine
// that runs the ops of different legs in parallel. run() may be called from
// several threads at once (the mirror keeps several write groups in
// flight): the sync engine runs one batch at a time; the thread engine runs
// them concurrently, each batch keeping its own per-device order.
#include "engine/io_engine.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace dmirror::engine {

void run_one(LegIo& op) {
  switch (op.kind) {
    case LegIo::Kind::Read: op.result = op.dev->read(op.offset, std::span(op.data, op.length)); break;
    case LegIo::Kind::Write:
      op.result = op.dev->write(op.offset, std::span<const std::byte>(op.data, op.length));
      break;
    case LegIo::Kind::Flush: op.result = op.dev->flush(); break;
  }
}

namespace {

class SyncEngine final : public IoEngine {
 public:
  std::string_view name() const override { return "sync"; }
  // One batch at a time: deterministic, and devices that are not
  // thread-safe (test decorators) see one caller.
  void run(std::span<LegIo> ops) override {
    std::lock_guard lock(mu_);
    for (auto& op : ops) run_one(op);
  }

 private:
  std::mutex mu_;
};

class ThreadEngine final : public IoEngine {
 public:
  explicit ThreadEngine(size_t workers) {
    for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { loop(); });
  }
  ~ThreadEngine() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  std::string_view name() const override { return "threads"; }

  void run(std::span<LegIo> ops) override {
    std::map<BlockDevice*, std::vector<LegIo*>> by_dev;
    for (auto& op : ops) by_dev[op.dev].push_back(&op);
    if (by_dev.size() <= 1) {
      for (auto& op : ops) run_one(op);
      return;
    }
    std::mutex done_mu;
    std::condition_variable done_cv;
    size_t remaining = by_dev.size();
    {
      std::lock_guard lock(mu_);
      for (auto& [dev, list] : by_dev) {
        tasks_.push_back([&, l = list] {
          for (LegIo* op : l) run_one(*op);
          std::lock_guard dl(done_mu);
          if (--remaining == 0) done_cv.notify_one();
        });
      }
    }
    cv_.notify_all();
    std::unique_lock dl(done_mu);
    done_cv.wait(dl, [&] { return remaining == 0; });
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
        if (stop_ && tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<IoEngine> make_sync_engine() { return std::make_unique<SyncEngine>(); }
std::unique_ptr<IoEngine> make_thread_engine(size_t workers) { return std::make_unique<ThreadEngine>(workers); }

std::unique_ptr<IoEngine> make_io_engine(IoEngineKind kind, std::span<BlockDevice* const> devices) {
  switch (kind) {
    case IoEngineKind::Sync: return make_sync_engine();
    case IoEngineKind::Uring:
      if (auto e = make_uring_engine(devices)) return e;
      [[fallthrough]];
    // Workers for several batches at once (write groups in flight, a
    // flush's fdatasync beside them).
    case IoEngineKind::Threads: return make_thread_engine(std::max<size_t>(devices.size(), 1) * 4);
  }
  return make_sync_engine();
}

}  // namespace dmirror::engine

std::string_view dmirror::io_engine_kind_name(IoEngineKind k) {
  switch (k) {
    case IoEngineKind::Sync: return "sync";
    case IoEngineKind::Threads: return "threads";
    case IoEngineKind::Uring: return "io_uring";
  }
  return "?";
}
