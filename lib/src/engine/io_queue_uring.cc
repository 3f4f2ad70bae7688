// SPDX-License-Identifier: LGPL-2.1-or-later
// The io_uring IoQueue. At most `depth` transfers are in flight; submit()
// only prepares SQEs (or parks the op in a backlog when the ring is full)
// and wait() submits everything prepared in one io_uring_submit_and_wait,
// then reaps every available completion. A short read or write is resumed
// for its remainder; a transfer that makes no progress is an Io error, as
// with pread/pwrite. Under O_DIRECT an unaligned buffer goes through an
// aligned bounce buffer; an unaligned offset or length, an op beyond the
// device or one on a device without a descriptor (or one that drops its
// pages behind each transfer) runs through the device's
// own read()/write()/flush(), so every error reads as the device's would.
// When a submission fails with an unexpected error the ring is no longer
// trusted: SQEs the kernel did not take are turned into NOPs, every op the
// kernel took is waited for (its buffers stay alive until its completion),
// and every other op, then and later, runs through the device directly.
#include "engine/io_queue.h"

#include <algorithm>
#include <atomic>

#ifdef DMIRROR_HAVE_LIBURING

#include <liburing.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <set>
#include <vector>

#include "io/aligned_buffer.h"
#include "io/posix_device.h"

namespace dmirror::engine {
namespace {

constexpr size_t kMaxTransfer = 1u << 30;   // an SQE length is 32 bits

struct FaultSeam {
  std::atomic<int> err{0};
  std::atomic<unsigned> countdown{0};
  std::atomic<bool> submit_first{false};
};
FaultSeam& seam() {
  static FaultSeam s;
  return s;
}

class UringQueue final : public IoQueue {
 public:
  explicit UringQueue(unsigned depth) : depth_(depth) {}
  ~UringQueue() override {
    while (wait()) {
    }
    io_uring_queue_exit(&ring_);
  }
  int init() { return io_uring_queue_init(depth_, &ring_, 0); }
  std::string_view name() const override { return "io_uring"; }

  void submit(LegIo* op) override {
    ++outstanding_;
    const BlockDevice::NativeHandle h = op->dev->native_handle();
    const uint32_t lbs = op->dev->geometry().logical_block_size;
    const bool transfer = op->kind != LegIo::Kind::Flush;
    const uint64_t size = op->dev->geometry().size_bytes;
    const bool bad_range = transfer && (op->offset > size || op->length > size - op->offset);
    const uint32_t align = std::max(lbs, h.offset_alignment);
    const bool misaligned = h.buffer_alignment > 1 && transfer && (op->offset % align != 0 || op->length % align != 0);
    if (h.fd < 0 || h.drop_behind || bad_range || misaligned || broken_) {
      run_one(*op);
      done_.push_back(op);
      return;
    }
    if (transfer && op->length == 0) {
      op->result = ok();
      done_.push_back(op);
      return;
    }
    auto r = std::make_unique<Req>();
    r->op = op;
    r->fd = h.fd;
    if (transfer && reinterpret_cast<uintptr_t>(op->data) % h.buffer_alignment != 0) {
      void* p = nullptr;
      if (posix_memalign(&p, h.buffer_alignment, op->length) != 0) {
        op->result = make_error(ErrorCode::Io, "out of memory for an aligned buffer");
        done_.push_back(op);
        return;
      }
      r->bounce.reset(static_cast<std::byte*>(p));
      if (op->kind == LegIo::Kind::Write) std::memcpy(p, op->data, op->length);
    }
    live_.insert(r.get());
    backlog_.push_back(r.release());
    fill();
  }

  void kick() override {
    if (broken_) return;
    fill();
    if (io_uring_sq_ready(&ring_) == 0) return;
    int rc = io_uring_submit(&ring_);
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
      ring_failed(-rc);
      return;
    }
    forget_consumed();
  }

  LegIo* wait() override {
    while (done_.empty() && (inflight_ > 0 || !backlog_.empty())) {
      if (broken_) {
        drain_backlog();
        if (inflight_ > 0) wait_inflight();
        continue;
      }
      fill();
      int rc = submit_and_wait();
      if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
        ring_failed(-rc);
        continue;
      }
      forget_consumed();
      reap();
    }
    if (done_.empty()) return nullptr;
    LegIo* op = done_.front();
    done_.pop_front();
    --outstanding_;
    return op;
  }

  size_t outstanding() const override { return outstanding_; }

 private:
  struct Req {
    LegIo* op = nullptr;
    int fd = -1;
    size_t done = 0;                                 // bytes transferred so far
    std::unique_ptr<std::byte, FreeDeleter> bounce;  // O_DIRECT copy of an unaligned buffer
    std::byte* buf() const { return bounce ? bounce.get() : op->data; }
  };

  // Prepares SQEs for the backlog while the ring has room.
  void fill() {
    while (!backlog_.empty() && inflight_ < depth_) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      if (!sqe) break;
      Req* r = backlog_.front();
      backlog_.pop_front();
      prep(sqe, r);
      ++inflight_;
      prepared_.push_back({sqe, r});
    }
  }

  int submit_and_wait() {
    FaultSeam& f = seam();
    if (f.err.load() != 0 && f.countdown.fetch_sub(1) == 1) {
      int err = f.err.exchange(0);
      if (f.submit_first.load()) (void)io_uring_submit(&ring_);
      return -err;
    }
    return io_uring_submit_and_wait(&ring_, 1);
  }

  // SQEs the kernel has taken are in flight; the last io_uring_sq_ready()
  // prepared ones are not.
  void forget_consumed() {
    const size_t left = io_uring_sq_ready(&ring_);
    while (prepared_.size() > left) prepared_.pop_front();
  }

  // The ring failed: SQEs the kernel did not take become NOPs without an
  // op (their ops run through the device instead); ops the kernel took
  // are still waited for.
  void ring_failed(int err) {
    broken_ = true;
    broken_errno_ = err;
    const size_t left = std::min<size_t>(io_uring_sq_ready(&ring_), prepared_.size());
    for (size_t i = prepared_.size() - left; i < prepared_.size(); ++i) {
      auto [sqe, r] = prepared_[i];
      io_uring_prep_nop(sqe);
      io_uring_sqe_set_data(sqe, nullptr);
      --inflight_;
      backlog_.push_back(r);
    }
    prepared_.clear();
  }

  // Broken ring: the ops not in the kernel's hands run synchronously.
  void drain_backlog() {
    while (!backlog_.empty()) {
      Req* r = backlog_.front();
      backlog_.pop_front();
      run_one(*r->op);
      Status st = r->op->result;
      finish(r, std::move(st));
    }
  }

  // Broken ring: waits for completions without submitting anything.
  void wait_inflight() {
    io_uring_cqe* cqe = nullptr;
    int rc = io_uring_wait_cqe(&ring_, &cqe);
    if (rc == 0 || rc == -EINTR || rc == -EAGAIN || rc == -ETIME) {
      reap();
      return;
    }
    // Cannot wait either: after many tries the ops are reported failed.
    // The kernel may still touch their Reqs, so those are never freed.
    if (++wait_failures_ < 1000) return;
    for (Req* r : std::vector<Req*>(live_.begin(), live_.end())) {
      r->op->result = make_error(ErrorCode::Io, "io_uring failed and its in-flight I/O could not be waited for",
                                 broken_errno_);
      done_.push_back(r->op);
      live_.erase(r);
    }
    inflight_ = 0;
  }

  static void prep(io_uring_sqe* sqe, Req* r) {
    LegIo& op = *r->op;
    const size_t len = std::min(op.length - r->done, kMaxTransfer);
    const uint64_t off = op.offset + r->done;
    switch (op.kind) {
      case LegIo::Kind::Read: io_uring_prep_read(sqe, r->fd, r->buf() + r->done, static_cast<unsigned>(len), off); break;
      case LegIo::Kind::Write: io_uring_prep_write(sqe, r->fd, r->buf() + r->done, static_cast<unsigned>(len), off); break;
      case LegIo::Kind::Flush: io_uring_prep_fsync(sqe, r->fd, IORING_FSYNC_DATASYNC); break;
    }
    io_uring_sqe_set_data(sqe, r);
  }

  void reap() {
    io_uring_cqe* cqe = nullptr;
    unsigned seen = 0;
    unsigned head;
    std::vector<std::pair<Req*, int>> results;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      auto* r = static_cast<Req*>(io_uring_cqe_get_data(cqe));
      if (r) results.emplace_back(r, cqe->res);   // null: a NOP left by ring_failed
      ++seen;
    }
    io_uring_cq_advance(&ring_, seen);
    inflight_ -= static_cast<unsigned>(results.size());
    for (auto [r, res] : results) complete(r, res);
  }

  void complete(Req* r, int res) {
    LegIo& op = *r->op;
    const char* what = op.kind == LegIo::Kind::Read ? "read" : op.kind == LegIo::Kind::Write ? "write" : "flush";
    if (res == -EINTR || res == -EAGAIN) {
      backlog_.push_front(r);   // retried as is
      return;
    }
    if (res < 0) {
      finish(r, std::unexpected(io::transfer_error(what, op.dev->describe(), op.offset + r->done, -res)));
      return;
    }
    if (op.kind == LegIo::Kind::Flush) {
      finish(r, ok());
      return;
    }
    if (res == 0) {
      finish(r, make_error(ErrorCode::Io, std::string(op.kind == LegIo::Kind::Read ? "short read from " : "short write to ") +
                                              op.dev->describe() + " at " + std::to_string(op.offset + r->done)));
      return;
    }
    r->done += static_cast<size_t>(res);
    if (r->done < op.length) {
      backlog_.push_front(r);   // the remainder of a short transfer
      return;
    }
    if (op.kind == LegIo::Kind::Read && r->bounce) std::memcpy(op.data, r->bounce.get(), op.length);
    finish(r, ok());
  }

  void finish(Req* r, Status st) {
    r->op->result = std::move(st);
    done_.push_back(r->op);
    live_.erase(r);
    delete r;
  }

  io_uring ring_{};
  unsigned depth_;
  unsigned inflight_ = 0;      // prepared or submitted, not reaped
  bool broken_ = false;        // a submission failed: no new SQEs
  int broken_errno_ = 0;
  unsigned wait_failures_ = 0;
  std::deque<std::pair<io_uring_sqe*, Req*>> prepared_;   // prepared, maybe not yet taken by the kernel
  std::set<Req*> live_;        // every Req not yet finished
  size_t outstanding_ = 0;     // submitted by the caller, not yet returned by wait()
  std::deque<Req*> backlog_;
  std::deque<LegIo*> done_;
};

}  // namespace

std::unique_ptr<IoQueue> make_uring_queue(unsigned depth) {
  auto q = std::make_unique<UringQueue>(std::max(depth, 1u));
  if (q->init() != 0) return nullptr;
  return q;
}

void inject_uring_submit_fault(const UringSubmitFault& f) {
  seam().submit_first = f.submit_first;
  seam().countdown = std::max(f.nth, 1u);
  seam().err = f.err;
}

}  // namespace dmirror::engine

#else  // !DMIRROR_HAVE_LIBURING

namespace dmirror::engine {

std::unique_ptr<IoQueue> make_uring_queue(unsigned) { return nullptr; }
void inject_uring_submit_fault(const UringSubmitFault&) {}

}  // namespace dmirror::engine

#endif
