// SPDX-License-Identifier: LGPL-2.1-or-later
// CrashDevice I/O, the group's history and the replay that turns a prefix of
// that history into post-crash leg images.
#include "support/crash_device.h"

#include <algorithm>
#include <cerrno>
#include <random>

namespace dmirror::testing {

std::string_view crash_policy_name(CrashPolicy p) {
  switch (p) {
    case CrashPolicy::DropUnflushed: return "drop-unflushed";
    case CrashPolicy::KeepUnflushed: return "keep-unflushed";
    case CrashPolicy::RandomSubset: return "random-subset";
    case CrashPolicy::TearLast: return "tear-last";
    case CrashPolicy::RandomTorn: return "random-torn";
  }
  return "?";
}

CrashDevice::CrashDevice(CrashGroup* group, uint32_t index, uint64_t size, std::string name)
    : group_(group), index_(index), name_(std::move(name)), current_(size) {
  geometry_.size_bytes = size;
}

Status CrashDevice::read(uint64_t offset, std::span<std::byte> buf) {
  std::lock_guard lock(group_->mu_);
  if (group_->power_off()) return make_error(ErrorCode::Io, "read " + name_ + ": power is off", EIO);
  if (offset > current_.size() || buf.size() > current_.size() - offset)
    return make_error(ErrorCode::Io, "read beyond the end of " + name_, EIO);
  if (auto bad = current_.unreadable_in(offset, buf.size()))
    return make_error(ErrorCode::Io, "read " + name_ + ": unreadable sector at byte " + std::to_string(*bad), EIO);
  current_.read(offset, buf);
  return ok();
}

void CrashDevice::make_unreadable(uint64_t offset, uint64_t len) {
  std::lock_guard lock(group_->mu_);
  current_.make_unreadable(offset, len);
}

Status CrashDevice::write(uint64_t offset, std::span<const std::byte> buf) {
  if (offset > current_.size() || buf.size() > current_.size() - offset)
    return make_error(ErrorCode::Io, "write beyond the end of " + name_, EIO);
  return group_->record(index_, false, offset, buf);
}

Status CrashDevice::flush() { return group_->record(index_, true, 0, {}); }

CrashDevice* CrashGroup::add_leg(uint64_t size, std::string name) {
  std::lock_guard lock(mu_);
  auto idx = static_cast<uint32_t>(legs_.size());
  legs_.push_back(std::make_unique<CrashDevice>(this, idx, size, std::move(name)));
  base_.emplace_back(size);
  return legs_.back().get();
}

std::vector<BlockDevice*> CrashGroup::devices() {
  std::vector<BlockDevice*> out;
  for (auto& l : legs_) out.push_back(l.get());
  return out;
}

void CrashGroup::settle() {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < legs_.size(); ++i) base_[i] = legs_[i]->current_;
  ops_.clear();
  cut_after_ = UINT64_MAX;
}

uint64_t CrashGroup::clock() const {
  std::lock_guard lock(mu_);
  return ops_.size();
}

void CrashGroup::cut_power_after(uint64_t n) {
  std::lock_guard lock(mu_);
  cut_after_ = n;
}

bool CrashGroup::power_off() const { return ops_.size() >= cut_after_; }

Status CrashGroup::record(uint32_t leg, bool flush, uint64_t offset, std::span<const std::byte> data) {
  std::lock_guard lock(mu_);
  const std::string& name = legs_[leg]->name_;
  if (power_off()) return make_error(ErrorCode::Io, (flush ? "flush " : "write ") + name + ": power is off", EIO);
  CrashOp op;
  op.clock = ops_.size() + 1;
  op.leg = leg;
  op.flush = flush;
  op.offset = offset;
  op.data.assign(data.begin(), data.end());
  if (!flush) legs_[leg]->current_.write(offset, data);
  ops_.push_back(std::move(op));
  return ok();
}

std::vector<std::unique_ptr<SparseDevice>> CrashGroup::images_at(uint64_t k, CrashPolicy policy,
                                                                  uint64_t seed) const {
  CrashReplay replay(*this);
  replay.advance_to(k);
  return replay.images(policy, seed);
}

CrashReplay::CrashReplay(const CrashGroup& group)
    : group_(group), durable_(group.base_), pending_(group.base_.size()) {}

void CrashReplay::advance_to(uint64_t k) {
  for (; pos_ < k && pos_ < group_.ops_.size(); ++pos_) {
    const CrashOp& op = group_.ops_[pos_];
    if (!op.flush) {
      pending_[op.leg].push_back(&op);
      continue;
    }
    for (const CrashOp* w : pending_[op.leg]) durable_[op.leg].write(w->offset, w->data);
    pending_[op.leg].clear();
  }
}

namespace {

void apply_torn(SparseImage& img, const CrashOp& w, std::mt19937_64& rng) {
  for (uint64_t s = 0; s < w.data.size(); s += kSectorSize) {
    if (rng() & 1) continue;
    uint64_t n = std::min<uint64_t>(kSectorSize, w.data.size() - s);
    img.write(w.offset + s, std::span(w.data.data() + s, n));
  }
}

}  // namespace

std::vector<std::unique_ptr<SparseDevice>> CrashReplay::images(CrashPolicy policy, uint64_t seed) const {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + pos_);
  std::vector<std::unique_ptr<SparseDevice>> out;
  for (size_t leg = 0; leg < durable_.size(); ++leg) {
    SparseImage img = durable_[leg];
    std::vector<const CrashOp*> pend = pending_[leg];
    switch (policy) {
      case CrashPolicy::DropUnflushed: break;
      case CrashPolicy::KeepUnflushed:
        for (auto* w : pend) img.write(w->offset, w->data);
        break;
      case CrashPolicy::RandomSubset:
        std::shuffle(pend.begin(), pend.end(), rng);
        for (auto* w : pend) if (rng() & 1) img.write(w->offset, w->data);
        break;
      case CrashPolicy::TearLast:
        for (size_t i = 0; i + 1 < pend.size(); ++i) img.write(pend[i]->offset, pend[i]->data);
        if (!pend.empty()) apply_torn(img, *pend.back(), rng);
        break;
      case CrashPolicy::RandomTorn:
        std::shuffle(pend.begin(), pend.end(), rng);
        for (auto* w : pend) {
          switch (rng() % 3) {
            case 0: break;
            case 1: img.write(w->offset, w->data); break;
            default: apply_torn(img, *w, rng); break;
          }
        }
        break;
    }
    out.push_back(std::make_unique<SparseDevice>(std::move(img), group_.legs_[leg]->describe()));
  }
  return out;
}

}  // namespace dmirror::testing
