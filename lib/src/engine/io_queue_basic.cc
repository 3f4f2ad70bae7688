// SPDX-License-Identifier: LGPL-2.1-or-later
// The portable IoQueues: a synchronous one (each op runs inside submit) and
// one with a worker thread per device, used when io_uring is unavailable;
// and the choice between them and io_uring (see io_queue.h).
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "engine/io_queue.h"

namespace dmirror::engine {
namespace {

class SyncQueue final : public IoQueue {
 public:
  std::string_view name() const override { return "sync"; }
  void submit(LegIo* op) override {
    run_one(*op);
    done_.push_back(op);
  }
  LegIo* wait() override {
    if (done_.empty()) return nullptr;
    LegIo* op = done_.front();
    done_.pop_front();
    return op;
  }
  size_t outstanding() const override { return done_.size(); }

 private:
  std::deque<LegIo*> done_;
};

class ThreadQueue final : public IoQueue {
 public:
  ~ThreadQueue() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& [dev, w] : workers_) w->thread.join();
  }
  std::string_view name() const override { return "threads"; }

  void submit(LegIo* op) override {
    std::lock_guard lock(mu_);
    auto& w = workers_[op->dev];
    if (!w) {
      w = std::make_unique<Worker>();
      w->thread = std::thread([this, wp = w.get()] { loop(*wp); });
    }
    w->todo.push_back(op);
    ++outstanding_;
    work_cv_.notify_all();
  }

  LegIo* wait() override {
    std::unique_lock lock(mu_);
    if (outstanding_ == 0) return nullptr;
    done_cv_.wait(lock, [&] { return !done_.empty(); });
    LegIo* op = done_.front();
    done_.pop_front();
    --outstanding_;
    return op;
  }

  size_t outstanding() const override {
    std::lock_guard lock(mu_);
    return outstanding_;
  }

 private:
  struct Worker {
    std::deque<LegIo*> todo;
    std::thread thread;
  };

  void loop(Worker& w) {
    std::unique_lock lock(mu_);
    for (;;) {
      work_cv_.wait(lock, [&] { return stop_ || !w.todo.empty(); });
      if (w.todo.empty()) return;
      LegIo* op = w.todo.front();
      w.todo.pop_front();
      lock.unlock();
      run_one(*op);
      lock.lock();
      done_.push_back(op);
      done_cv_.notify_one();
    }
  }

  mutable std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::map<BlockDevice*, std::unique_ptr<Worker>> workers_;
  std::deque<LegIo*> done_;
  size_t outstanding_ = 0;
  bool stop_ = false;
};

}  // namespace

std::unique_ptr<IoQueue> make_sync_queue() { return std::make_unique<SyncQueue>(); }
std::unique_ptr<IoQueue> make_thread_queue() { return std::make_unique<ThreadQueue>(); }

bool all_fd_backed(std::span<BlockDevice* const> devices) {
  for (BlockDevice* d : devices)
    if (!d || d->native_handle().fd < 0 || d->native_handle().drop_behind) return false;
  return !devices.empty();
}

std::unique_ptr<IoQueue> make_io_queue(std::span<BlockDevice* const> devices, unsigned depth) {
  bool any_fd = false;
  for (BlockDevice* d : devices) any_fd = any_fd || (d && d->native_handle().fd >= 0);
  if (!any_fd) return make_sync_queue();
  if (all_fd_backed(devices))
    if (auto q = make_uring_queue(depth)) return q;
  return make_thread_queue();
}

}  // namespace dmirror::engine
