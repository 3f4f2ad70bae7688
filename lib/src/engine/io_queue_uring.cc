// SPDX-License-Identifier: LGPL-2.1-or-later
// The io_uring IoQueue. At most `depth` transfers are in flight; submit()
// only prepares SQEs (or parks the op in a backlog when the ring is full)
// and wait() submits everything prepared in one io_uring_submit_and_wait,
// then reaps every available completion. A short read or write is resumed
// for its remainder; a transfer that makes no progress is an Io error, as
// with pread/pwrite. Under O_DIRECT an unaligned buffer goes through an
// aligned bounce buffer; an unaligned offset or length, an op beyond the
// device or one on a device without a descriptor runs through the device's
// own read()/write()/flush(), so every error reads as the device's would.
#include "engine/io_queue.h"

#ifdef DMIRROR_HAVE_LIBURING

#include <liburing.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

#include "io/posix_device.h"

namespace dmirror::engine {
namespace {

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};

constexpr size_t kMaxTransfer = 1u << 30;   // an SQE length is 32 bits

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
    const bool misaligned = h.buffer_alignment > 1 && transfer && (op->offset % lbs != 0 || op->length % lbs != 0);
    if (h.fd < 0 || bad_range || misaligned) {
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
    backlog_.push_back(r.release());
    fill();
  }

  LegIo* wait() override {
    while (done_.empty() && (inflight_ > 0 || !backlog_.empty())) {
      fill();
      int rc = io_uring_submit_and_wait(&ring_, 1);
      if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
        fail_all(-rc);
        break;
      }
      unsubmitted_ = 0;
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
      ++unsubmitted_;
    }
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
      results.emplace_back(static_cast<Req*>(io_uring_cqe_get_data(cqe)), cqe->res);
      ++seen;
    }
    io_uring_cq_advance(&ring_, seen);
    inflight_ -= seen;
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
    delete r;
  }

  // The ring itself failed: every queued op gets the error.
  void fail_all(int err) {
    for (Req* r : backlog_) finish(r, make_error(ErrorCode::Io, "io_uring submission failed", err));
    backlog_.clear();
  }

  io_uring ring_{};
  unsigned depth_;
  unsigned inflight_ = 0;      // prepared or submitted, not reaped
  unsigned unsubmitted_ = 0;
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

}  // namespace dmirror::engine

#else  // !DMIRROR_HAVE_LIBURING

namespace dmirror::engine {

std::unique_ptr<IoQueue> make_uring_queue(unsigned) { return nullptr; }

}  // namespace dmirror::engine

#endif
