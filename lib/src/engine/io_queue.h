// SPDX-License-Identifier: LGPL-2.1-or-later
// IoQueue: asynchronous leg I/O. submit() queues an op and returns at once;
// wait() returns a completed op (its `result` set), in completion order.
// The offline operations keep several chunks of every leg in flight through
// one, and the io_uring IoEngine is built on one. A queue makes no ordering
// promise between submitted ops: the caller submits only ops that may run
// concurrently. Not thread-safe; an op must stay alive until returned.
#pragma once

#include <memory>
#include <span>

#include <dmirror/export.h>

#include "engine/io_engine.h"

namespace dmirror::engine {

class IoQueue {
 public:
  virtual ~IoQueue() = default;
  virtual std::string_view name() const = 0;
  virtual void submit(LegIo* op) = 0;
  // Hands the ops submitted so far to the kernel now, without waiting
  // (io_uring batches them until wait() otherwise), so a caller that goes
  // on computing before its next wait() keeps the devices busy.
  virtual void kick() {}
  // A completed op; nullptr when nothing is outstanding.
  virtual LegIo* wait() = 0;
  virtual size_t outstanding() const = 0;
};

// Runs each op inside submit() (deterministic; for devices without an fd).
std::unique_ptr<IoQueue> make_sync_queue();
// One worker thread per device; ops of one device run in submission order.
std::unique_ptr<IoQueue> make_thread_queue();
// io_uring with at most `depth` transfers in flight; submissions are
// batched until wait(). Ops on devices without a native handle run inline.
// nullptr when liburing was not built in or io_uring_queue_init fails
// (ENOSYS, EPERM under seccomp or io_uring_disabled, ENOMEM...).
std::unique_ptr<IoQueue> make_uring_queue(unsigned depth);

// io_uring when every device is fd-backed and the kernel allows it; the
// thread queue for fd-backed devices otherwise (also when one drops its
// pages behind each transfer, which only its read()/write() do); the sync
// queue when no device has a descriptor (in-memory and decorated test devices).
DMIRROR_EXPORT std::unique_ptr<IoQueue> make_io_queue(std::span<BlockDevice* const> devices, unsigned depth = 64);
bool all_fd_backed(std::span<BlockDevice* const> devices);

// Test seam: the `nth` io_uring submission from now (of any queue) fails
// with -err; with `submit_first` the prepared SQEs reach the kernel first
// (so their ops are in flight when the error is seen).
struct UringSubmitFault {
  int err = 0;
  unsigned nth = 1;
  bool submit_first = false;
};
DMIRROR_EXPORT void inject_uring_submit_fault(const UringSubmitFault& fault);

}  // namespace dmirror::engine
