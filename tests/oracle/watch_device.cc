// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oracle/watch_device.h"
#include "oracle/world.h"

#include <dmirror/array.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace dmirror::oracle {

WatchDevice::WatchDevice(std::unique_ptr<BlockDevice> inner, std::string path, bool check_lock)
    : DeviceWrapper(inner.get()), inner_(std::move(inner)), path_(std::move(path)), check_lock_(check_lock) {}

Status WatchDevice::read(uint64_t offset, std::span<std::byte> buf) {
  if (pause) pause->fire();
  return DeviceWrapper::read(offset, buf);
}

Status WatchDevice::write(uint64_t offset, std::span<const std::byte> buf) {
  if (pause) pause->fire();
  ++writes;
  if (offset + buf.size() > kDataOffset && offset < kDataOffset + kDataSize) ++data_writes;   // not copy 2, past it
  if (check_lock_) {
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        ++unlocked_writes;
        ::flock(fd, LOCK_UN);
      }
      ::close(fd);
    }
  }
  return DeviceWrapper::write(offset, buf);
}

std::vector<BlockDevice*> CommandLegs::ptrs() const {
  std::vector<BlockDevice*> out;
  for (auto& d : devs) out.push_back(d.get());
  return out;
}

uint64_t CommandLegs::writes() const {
  uint64_t n = 0;
  for (auto& d : devs) n += d->writes;
  return n;
}

uint64_t CommandLegs::data_writes() const {
  uint64_t n = 0;
  for (auto& d : devs) n += d->data_writes;
  return n;
}

void CommandLegs::arm(const std::shared_ptr<PausePoint>& p) const {
  for (auto& d : devs) d->pause = p;
}

uint64_t CommandLegs::unlocked_writes() const {
  uint64_t n = 0;
  for (auto& d : devs) n += d->unlocked_writes;
  return n;
}

CommandLegs open_command_legs(const std::vector<std::string>& paths, bool writable, bool check_lock) {
  CommandLegs legs;
  for (const auto& p : paths) {
    OpenOptions o;
    o.writable = writable;
    auto dev = open_device(p, o);
    if (!dev) {
      legs.errors.push_back(dev.error().describe());
      continue;
    }
    legs.devs.push_back(std::make_unique<WatchDevice>(std::move(*dev), p, check_lock));
  }
  return legs;
}

}  // namespace dmirror::oracle
