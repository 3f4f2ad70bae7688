// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers for the in-guest kernel tests.
#include "vm_support.h"

#include <dmirror/block_device.h>
#include <dmirror/dm/kernel_metadata.h>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace dmirror::dm::vm {

DevNumber dev_number(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return DevNumber{::major(st.st_rdev), ::minor(st.st_rdev)};
}

uint64_t device_size(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  uint64_t size = 0;
  if (::ioctl(fd, BLKGETSIZE64, &size) != 0) size = 0;
  ::close(fd);
  return size;
}

VolumeMapping volume_mapping() {
  VolumeMapping m;
  m.name = kVolume;
  m.array_uuid = kArrayUuid;
  uint64_t leg_size = device_size(kLegPaths[0]);
  m.data_size = leg_size > kDataOffset ? leg_size - kDataOffset : 0;
  m.region_size = kRegionSize;
  for (const auto& p : kLegPaths) m.legs.push_back(LegMapping{dev_number(p), kKmetaOffset, kKmetaSize, kDataOffset});
  return m;
}

std::vector<std::byte> pattern(uint64_t offset, size_t size, uint32_t seed) {
  std::vector<std::byte> out(size);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + offset;
  for (size_t i = 0; i < size; ++i) {
    if (i % 8 == 0) x = x * 6364136223846793005ull + 1442695040888963407ull;
    out[i] = static_cast<std::byte>(x >> (8 * (i % 8)));
  }
  return out;
}

namespace {

std::string transfer(const std::string& path, uint64_t offset, std::byte* data, size_t size, bool write) {
  int fd = ::open(path.c_str(), (write ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC);
  if (fd < 0) return "open " + path + ": " + std::strerror(errno);
  void* buf = nullptr;
  if (::posix_memalign(&buf, 4096, size) != 0) {
    ::close(fd);
    return "posix_memalign failed";
  }
  if (write) std::memcpy(buf, data, size);
  ssize_t n = write ? ::pwrite(fd, buf, size, static_cast<off_t>(offset))
                    : ::pread(fd, buf, size, static_cast<off_t>(offset));
  int err = errno;
  std::string result;
  if (n != static_cast<ssize_t>(size))
    result = std::string(write ? "write " : "read ") + path + " at " + std::to_string(offset) + ": " +
             (n < 0 ? std::strerror(err) : "short transfer");
  else if (write && ::fsync(fd) != 0)
    result = "fsync " + path + ": " + std::strerror(errno);
  if (!write && result.empty()) std::memcpy(data, buf, size);
  std::free(buf);
  ::close(fd);
  return result;
}

}  // namespace

std::string direct_write(const std::string& path, uint64_t offset, const std::vector<std::byte>& data) {
  auto copy = data;
  return transfer(path, offset, copy.data(), copy.size(), true);
}

std::string direct_read(const std::string& path, uint64_t offset, std::vector<std::byte>& data) {
  return transfer(path, offset, data.data(), data.size(), false);
}

Result<VolumeStatus> wait_for_status(DmControl& dm, const std::function<bool(const RaidStatus&)>& done,
                                     std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto st = query(dm, kVolume);
    if (!st || done(st->raid) || std::chrono::steady_clock::now() >= deadline) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Result<VolumeStatus> run_sync_action(DmControl& dm, const char* action, std::chrono::seconds timeout) {
  const auto ref = DeviceRef::by_name(kVolume);
  auto before = dm.device_info(ref);
  if (!before) return std::unexpected(before.error());
  if (auto r = dm.target_message(ref, 0, action); !r) return std::unexpected(r.error());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto st = query(dm, kVolume);
    if (!st) return st;
    if (st->info.event_nr != before->event_nr && st->raid.action == SyncAction::Idle) return st;
    if (std::chrono::steady_clock::now() >= deadline)
      return make_error(ErrorCode::Io, std::string("the kernel never signalled the end of '") + action +
                                           "' (sync_action '" + st->raid.action_text + "', event counter " +
                                           std::to_string(st->info.event_nr) + ", was " +
                                           std::to_string(before->event_nr) + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

DmControl& dm() {
  static std::unique_ptr<DmControl> control = [] {
    auto c = open_dm_control();
    if (!c) {
      std::fprintf(stderr, "open_dm_control: %s\n", c.error().describe().c_str());
      std::abort();
    }
    return std::move(*c);
  }();
  return *control;
}

std::string top_node() {
  auto info = dm().device_info(DeviceRef::by_name(kVolume));
  return info ? info->dm_node() : std::string("/dev/missing");
}

void dump_hex(const char* label, std::span<const std::byte> bytes) {
  std::printf("%s:", label);
  for (size_t i = 0; i < bytes.size(); ++i)
    std::printf("%s%02x", i % 16 ? " " : "\n  ", std::to_integer<unsigned>(bytes[i]));
  std::printf("\n");
}

std::string zero_all_kernel_metadata() {
  for (const auto& p : kLegPaths) {
    auto dev = open_device(p, OpenOptions{.writable = true, .direct = true, .exclusive = true});
    if (!dev) return dev.error().describe();
    if (auto st = zero_kernel_metadata(**dev, kKmetaOffset); !st) return st.error().describe();
  }
  return {};
}

}  // namespace dmirror::dm::vm
