// SPDX-License-Identifier: LGPL-2.1-or-later
// The I/O seam. Everything in libdmirror reads and writes legs through a
// BlockDevice, so tests can substitute an in-memory device, a fault-injecting
// wrapper or a crash simulator for a real disk.
//
// Durability contract: a write is durable only once a later flush() has
// returned success. Crash simulators may drop, reorder or tear any write not
// covered by a completed flush.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace dmirror {

struct DeviceGeometry {
  uint64_t size_bytes = 0;
  uint32_t logical_block_size = 512;
  uint32_t physical_block_size = 512;
};

// How a device was identified on the host, used to refuse the same leg given
// twice (a symlink, a loop device over the same file...).
struct DeviceIdentity {
  bool is_block_device = false;
  dev_t rdev = 0;        // block devices: the device number
  dev_t st_dev = 0;      // regular files: the file system holding them
  ino_t st_ino = 0;      // regular files: the inode
};

class DMIRROR_EXPORT BlockDevice {
 public:
  virtual ~BlockDevice();
  BlockDevice() = default;
  BlockDevice(const BlockDevice&) = delete;
  BlockDevice& operator=(const BlockDevice&) = delete;

  virtual const DeviceGeometry& geometry() const = 0;
  // Path or a synthetic name ("mem:leg1"); used in every message.
  virtual const std::string& describe() const = 0;

  // REQUIRES: offset and size are multiples of logical_block_size when the
  // device was opened with O_DIRECT; the range lies inside the device.
  // A short transfer is an Io error.
  [[nodiscard]] virtual Status read(uint64_t offset, std::span<std::byte> buf) = 0;
  [[nodiscard]] virtual Status write(uint64_t offset, std::span<const std::byte> buf) = 0;
  // Makes every completed write durable (fdatasync / cache flush).
  [[nodiscard]] virtual Status flush() = 0;

  // The file descriptor behind the device, for engines that hand transfers
  // to the kernel themselves (io_uring). Such an engine transfers exactly
  // what read()/write()/flush() would, so only a device whose calls are
  // plain pread/pwrite/fdatasync on that descriptor may expose one: a
  // decorator that changes what a transfer does (fault injection, crash
  // simulation, recording) must not.
  struct NativeHandle {
    int fd = -1;                      // -1: use read()/write()/flush()
    uint32_t buffer_alignment = 1;    // O_DIRECT: buffer addresses must be multiples of this
    // O_DIRECT: offsets and lengths must be multiples of this (0: of the
    // logical block size); others go through read()/write().
    uint32_t offset_alignment = 0;
    // The device drops the pages of every transfer from the page cache
    // (a file that refused O_DIRECT): transfers must go through
    // read()/write(); the descriptor is only for locking and identity.
    bool drop_behind = false;
  };
  virtual NativeHandle native_handle() const { return {}; }
};

// Forwards every call; test decorators derive from it and override a few.
// native_handle() is deliberately not forwarded (see BlockDevice).
class DMIRROR_EXPORT DeviceWrapper : public BlockDevice {
 public:
  explicit DeviceWrapper(BlockDevice* target) : target_(target) {}
  const DeviceGeometry& geometry() const override { return target_->geometry(); }
  const std::string& describe() const override { return target_->describe(); }
  Status read(uint64_t offset, std::span<std::byte> buf) override { return target_->read(offset, buf); }
  Status write(uint64_t offset, std::span<const std::byte> buf) override { return target_->write(offset, buf); }
  Status flush() override { return target_->flush(); }
  BlockDevice* target() const { return target_; }

 private:
  BlockDevice* target_;
};

struct OpenOptions {
  bool writable = true;
  bool direct = false;     // O_DIRECT (block devices and files that allow it)
  bool exclusive = true;   // O_EXCL on block devices: refuse mounted / claimed ones
  // With `direct`: a regular file whose file system refuses O_DIRECT
  // (EINVAL) is opened through the page cache instead, and every transfer's
  // pages are dropped behind it (posix_fadvise POSIX_FADV_DONTNEED), so the
  // cache is still not filled. Without it that open is Unsupported.
  bool buffered_fallback = false;
};

// How an opened device's transfers use the page cache.
enum class CachePolicy : uint8_t {
  PageCache,    // buffered (image files by default)
  Direct,       // O_DIRECT
  DropBehind,   // buffered, the pages dropped after each transfer (O_DIRECT refused)
};

// The policy of a device returned by open_device() (seen through wrappers
// that forward native_handle()); PageCache for any other device.
DMIRROR_EXPORT CachePolicy cache_policy(const BlockDevice& dev);

// Opens a regular file or a block device. A directory, a character device or
// anything else is refused with InvalidArgument and a message saying what it is.
DMIRROR_EXPORT Result<std::unique_ptr<BlockDevice>> open_device(const std::string& path,
                                                                const OpenOptions& options = {});

// stat()-based identity of a path (follows symlinks). For loop devices the
// identity of the backing file is returned in `backing` when known.
struct PathIdentity {
  DeviceIdentity self;
  bool has_backing_file = false;
  DeviceIdentity backing;
};
DMIRROR_EXPORT Result<PathIdentity> identify_path(const std::string& path);
// True when the two paths name the same storage (same file, same block
// device, a loop device over the file, or a partition and its whole disk).
DMIRROR_EXPORT bool same_storage(const PathIdentity& a, const PathIdentity& b);

// A vector-backed device. Writes are immediately "durable".
DMIRROR_EXPORT std::unique_ptr<BlockDevice> make_mem_device(uint64_t size_bytes, std::string name,
                                                            uint32_t logical_block_size = 512);

}  // namespace dmirror
