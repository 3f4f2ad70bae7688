// SPDX-License-Identifier: LGPL-2.1-or-later
// open_legs() and the aligned bounce wrapper used under O_DIRECT.
#include <dmirror/legs.h>

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>

#include "io/aligned_buffer.h"

namespace dmirror {
namespace {

class AlignedDevice final : public DeviceWrapper {
 public:
  AlignedDevice(std::unique_ptr<BlockDevice> dev, size_t alignment)
      : DeviceWrapper(dev.get()), owned_(std::move(dev)), alignment_(alignment) {}

  Status read(uint64_t offset, std::span<std::byte> buf) override {
    if (aligned(buf.data())) return DeviceWrapper::read(offset, buf);
    auto bounce = allocate(buf.size());
    if (!bounce) return make_error(ErrorCode::Io, "out of memory for an aligned buffer");
    DMIRROR_RETURN_IF_ERROR(DeviceWrapper::read(offset, std::span(bounce.get(), buf.size())));
    std::memcpy(buf.data(), bounce.get(), buf.size());
    return ok();
  }

  // Only alignment is added here, and engines that use the descriptor
  // align (or bounce) buffers themselves, so the handle is exposed.
  NativeHandle native_handle() const override { return target()->native_handle(); }

  Status write(uint64_t offset, std::span<const std::byte> buf) override {
    if (aligned(buf.data())) return DeviceWrapper::write(offset, buf);
    auto bounce = allocate(buf.size());
    if (!bounce) return make_error(ErrorCode::Io, "out of memory for an aligned buffer");
    std::memcpy(bounce.get(), buf.data(), buf.size());
    return DeviceWrapper::write(offset, std::span<const std::byte>(bounce.get(), buf.size()));
  }

 private:
  bool aligned(const void* p) const { return reinterpret_cast<uintptr_t>(p) % alignment_ == 0; }
  std::unique_ptr<std::byte, FreeDeleter> allocate(size_t n) const {
    void* p = nullptr;
    if (posix_memalign(&p, alignment_, std::max<size_t>(n, 1)) != 0) return nullptr;
    return std::unique_ptr<std::byte, FreeDeleter>(static_cast<std::byte*>(p));
  }

  std::unique_ptr<BlockDevice> owned_;
  size_t alignment_;
};

}  // namespace

std::unique_ptr<BlockDevice> make_aligned_device(std::unique_ptr<BlockDevice> dev, size_t alignment) {
  return std::make_unique<AlignedDevice>(std::move(dev), alignment);
}

std::vector<BlockDevice*> OpenedLegs::devices() const {
  std::vector<BlockDevice*> out;
  for (auto& d : owned) out.push_back(d.get());
  return out;
}

Result<OpenedLegs> open_legs(const std::vector<std::string>& paths, const OpenLegsOptions& o) {
  OpenedLegs legs;
  std::vector<PathIdentity> ids;
  for (const auto& p : paths) {
    DMIRROR_ASSIGN_OR_RETURN(auto id, identify_path(p));
    for (size_t i = 0; i < ids.size(); ++i)
      if (same_storage(ids[i], id))
        return make_error(ErrorCode::InvalidArgument, p + " and " + paths[i] + " are the same storage");
    ids.push_back(id);
    const bool direct = o.direct && (id.self.is_block_device || o.direct_files);
    DMIRROR_ASSIGN_OR_RETURN(auto dev, open_device(p, OpenOptions{.writable = o.writable, .direct = direct,
                                                                  .exclusive = o.writable,
                                                                  .buffered_fallback = true}));
    const CachePolicy policy = cache_policy(*dev);
    legs.caching.push_back(policy);
    legs.owned.push_back(policy == CachePolicy::Direct ? make_aligned_device(std::move(dev)) : std::move(dev));
  }
  return legs;
}

std::vector<std::string> OpenedLegs::drop_behind_paths() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < owned.size() && i < caching.size(); ++i)
    if (caching[i] == CachePolicy::DropBehind) out.push_back(owned[i]->describe());
  return out;
}

Result<std::unique_ptr<BlockDevice>> open_for_probe(const std::string& path) {
  struct stat st {};
  const bool block = ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
  DMIRROR_ASSIGN_OR_RETURN(auto dev, open_device(path, OpenOptions{.writable = false, .direct = block, .exclusive = false}));
  if (!block) return dev;
  return make_aligned_device(std::move(dev));
}

}  // namespace dmirror
