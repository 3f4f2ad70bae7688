// SPDX-License-Identifier: LGPL-2.1-or-later
// Rule matching and bit flips for FaultyDevice.
#include "support/faulty_device.h"

#include <string>

namespace dmirror::testing {
namespace {

const char* op_name(FaultOp op) {
  switch (op) {
    case FaultOp::Read: return "read";
    case FaultOp::Write: return "write";
    case FaultOp::Flush: return "flush";
    case FaultOp::Any: return "i/o";
  }
  return "i/o";
}

bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  uint64_t aend = a + alen, bend = blen > UINT64_MAX - b ? UINT64_MAX : b + blen;
  return a < bend && b < aend;
}

}  // namespace

Status FaultyDevice::check(FaultOp op, uint64_t offset, uint64_t len) {
  std::lock_guard lock(mu_);
  if (op == FaultOp::Read) ++reads_;
  if (op == FaultOp::Write) ++writes_;
  if (op == FaultOp::Flush) ++flushes_;
  if (vanish_countdown_ >= 0 && vanish_countdown_-- == 0) vanished_ = true;
  if (vanished_) {
    ++injected_;
    return make_error(ErrorCode::Io, std::string(op_name(op)) + " " + describe() + ": device vanished", ENXIO);
  }
  for (auto& r : rules_) {
    if (r.op != FaultOp::Any && r.op != op) continue;
    if (op != FaultOp::Flush && !overlaps(offset, len == 0 ? 1 : len, r.offset, r.length)) continue;
    ++r.seen;
    if (r.nth != 0 && r.seen != r.nth) continue;
    ++injected_;
    return make_error(ErrorCode::Io, std::string(op_name(op)) + " " + describe() + " at " + std::to_string(offset) +
                                         ": injected fault", r.err);
  }
  return ok();
}

Status FaultyDevice::read(uint64_t offset, std::span<std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check(FaultOp::Read, offset, buf.size()));
  return DeviceWrapper::read(offset, buf);
}

Status FaultyDevice::write(uint64_t offset, std::span<const std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check(FaultOp::Write, offset, buf.size()));
  DMIRROR_RETURN_IF_ERROR(DeviceWrapper::write(offset, buf));
  std::lock_guard lock(mu_);
  std::erase_if(rules_, [&](const FaultRule& r) {
    return r.healed_by_write && r.offset >= offset && r.length <= buf.size() && r.offset - offset <= buf.size() - r.length;
  });
  return ok();
}

Status FaultyDevice::flush() {
  DMIRROR_RETURN_IF_ERROR(check(FaultOp::Flush, 0, 0));
  return DeviceWrapper::flush();
}

void FaultyDevice::add_rule(FaultRule rule) {
  std::lock_guard lock(mu_);
  rules_.push_back(rule);
}

void FaultyDevice::fail_always(FaultOp op, uint64_t offset, uint64_t length, int err) {
  add_rule(FaultRule{.op = op, .offset = offset, .length = length, .nth = 0, .err = err});
}

void FaultyDevice::fail_reads_until_written(uint64_t offset, uint64_t length, int err) {
  add_rule(FaultRule{.op = FaultOp::Read, .offset = offset, .length = length, .nth = 0, .err = err,
                     .healed_by_write = true});
}

void FaultyDevice::clear_rules() {
  std::lock_guard lock(mu_);
  rules_.clear();
  vanished_ = false;
  vanish_countdown_ = -1;
}

Status FaultyDevice::flip_bit(uint64_t offset, int bit) {
  uint32_t lbs = geometry().logical_block_size;
  uint64_t block = offset / lbs * lbs;
  std::vector<std::byte> buf(lbs);
  DMIRROR_RETURN_IF_ERROR(target()->read(block, buf));
  buf[offset - block] ^= std::byte(1u << (bit & 7));
  DMIRROR_RETURN_IF_ERROR(target()->write(block, buf));
  return target()->flush();
}

}  // namespace dmirror::testing
