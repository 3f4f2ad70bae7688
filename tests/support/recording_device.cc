// SPDX-License-Identifier: LGPL-2.1-or-later
// IoLog bookkeeping and the forwarding calls of RecordingDevice.
#include "support/recording_device.h"

namespace dmirror::testing {

void IoLog::append(IoRecord r) {
  std::lock_guard lock(mu_);
  records_.push_back(std::move(r));
}

std::vector<IoRecord> IoLog::records() const {
  std::lock_guard lock(mu_);
  return records_;
}

void IoLog::clear() {
  std::lock_guard lock(mu_);
  records_.clear();
}

long IoLog::first(const std::function<bool(const IoRecord&)>& pred) const {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < records_.size(); ++i)
    if (pred(records_[i])) return static_cast<long>(i);
  return -1;
}

long IoLog::last(const std::function<bool(const IoRecord&)>& pred) const {
  std::lock_guard lock(mu_);
  for (size_t i = records_.size(); i-- > 0;)
    if (pred(records_[i])) return static_cast<long>(i);
  return -1;
}

std::string IoLog::dump() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& r : records_) {
    if (!out.empty()) out += ", ";
    out += r.tag + (r.kind == IoKind::Read ? " R " : r.kind == IoKind::Write ? " W " : " F");
    if (r.kind != IoKind::Flush) out += std::to_string(r.offset) + "+" + std::to_string(r.length);
    if (!r.ok) out += "!";
  }
  return out;
}

Status RecordingDevice::read(uint64_t offset, std::span<std::byte> buf) {
  auto st = DeviceWrapper::read(offset, buf);
  log_->append({tag_, IoKind::Read, offset, buf.size(), st.has_value()});
  return st;
}

Status RecordingDevice::write(uint64_t offset, std::span<const std::byte> buf) {
  auto st = DeviceWrapper::write(offset, buf);
  log_->append({tag_, IoKind::Write, offset, buf.size(), st.has_value()});
  return st;
}

Status RecordingDevice::flush() {
  auto st = DeviceWrapper::flush();
  log_->append({tag_, IoKind::Flush, 0, 0, st.has_value()});
  return st;
}

}  // namespace dmirror::testing
