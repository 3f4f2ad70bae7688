// SPDX-License-Identifier: LGPL-2.1-or-later
// SparseImage pages and the SparseDevice that exposes one as a leg.
#include "support/sparse_device.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace dmirror::testing {

void SparseImage::read(uint64_t offset, std::span<std::byte> out) const {
  uint64_t done = 0;
  while (done < out.size()) {
    uint64_t pos = offset + done;
    uint64_t page = pos / kPage, in = pos % kPage;
    uint64_t n = std::min<uint64_t>(kPage - in, out.size() - done);
    auto it = pages_.find(page);
    if (it == pages_.end()) std::memset(out.data() + done, 0, n);
    else std::memcpy(out.data() + done, it->second->data() + in, n);
    done += n;
  }
}

void SparseImage::write(uint64_t offset, std::span<const std::byte> in) {
  if (!unreadable_.empty() && !in.empty()) {
    // Only whole sectors are rewritten (remapped); a partly written one
    // stays unreadable.
    const uint64_t first = (offset + kSector - 1) / kSector, end = (offset + in.size()) / kSector;
    if (first < end) unreadable_.erase(unreadable_.lower_bound(first), unreadable_.lower_bound(end));
  }
  uint64_t done = 0;
  while (done < in.size()) {
    uint64_t pos = offset + done;
    uint64_t page = pos / kPage, off = pos % kPage;
    uint64_t n = std::min<uint64_t>(kPage - off, in.size() - done);
    auto& slot = pages_[page];
    if (!slot) slot = std::make_shared<Page>(Page{});
    else if (slot.use_count() > 1) slot = std::make_shared<Page>(*slot);
    std::memcpy(slot->data() + off, in.data() + done, n);
    done += n;
  }
}

std::vector<uint64_t> SparseImage::page_offsets() const {
  std::vector<uint64_t> out;
  out.reserve(pages_.size());
  for (const auto& [page, data] : pages_) out.push_back(page * kPage);
  return out;
}

bool SparseImage::equal_range(const SparseImage& other, uint64_t offset, uint64_t len) const {
  std::array<std::byte, kPage> a, b;
  for (uint64_t done = 0; done < len;) {
    uint64_t n = std::min<uint64_t>(kPage, len - done);
    read(offset + done, std::span(a.data(), n));
    other.read(offset + done, std::span(b.data(), n));
    if (std::memcmp(a.data(), b.data(), n) != 0) return false;
    done += n;
  }
  return true;
}

void SparseImage::make_unreadable(uint64_t offset, uint64_t len) {
  if (len == 0) return;
  for (uint64_t s = offset / kSector; s <= (offset + len - 1) / kSector; ++s) unreadable_.insert(s);
}

std::optional<uint64_t> SparseImage::unreadable_in(uint64_t offset, uint64_t len) const {
  if (len == 0 || unreadable_.empty()) return std::nullopt;
  auto it = unreadable_.lower_bound(offset / kSector);
  if (it == unreadable_.end() || *it > (offset + len - 1) / kSector) return std::nullopt;
  return *it * kSector;
}

SparseDevice::SparseDevice(SparseImage image, std::string name, uint32_t lbs)
    : image_(std::move(image)), name_(std::move(name)) {
  geometry_.size_bytes = image_.size();
  geometry_.logical_block_size = lbs;
  geometry_.physical_block_size = lbs;
}

Status SparseDevice::check(const char* op, uint64_t offset, uint64_t len) const {
  if (offset > image_.size() || len > image_.size() - offset)
    return make_error(ErrorCode::Io, std::string(op) + " beyond the end of " + name_ + " at " + std::to_string(offset));
  return ok();
}

Status SparseDevice::read(uint64_t offset, std::span<std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check("read", offset, buf.size()));
  std::lock_guard lock(mu_);
  if (auto bad = image_.unreadable_in(offset, buf.size()))
    return make_error(ErrorCode::Io, "read " + name_ + ": unreadable sector at byte " + std::to_string(*bad), EIO);
  image_.read(offset, buf);
  return ok();
}

Status SparseDevice::write(uint64_t offset, std::span<const std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check("write", offset, buf.size()));
  std::lock_guard lock(mu_);
  image_.write(offset, buf);
  return ok();
}

std::unique_ptr<SparseDevice> make_sparse_device(uint64_t size, std::string name) {
  return std::make_unique<SparseDevice>(SparseImage(size), std::move(name));
}

}  // namespace dmirror::testing
