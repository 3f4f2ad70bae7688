// SPDX-License-Identifier: LGPL-2.1-or-later
// open_device(): classifies the path, opens it with the requested flags
// (O_EXCL on block devices so a mounted or claimed device is refused), and
// reads the geometry (BLKGETSIZE64 / BLKSSZGET / BLKPBSZGET, or st_size).
// An image file opened O_DIRECT gets a buffered twin descriptor for the
// transfers O_DIRECT cannot do, and its file system's alignment (statx);
// one whose file system refuses O_DIRECT falls back to drop-behind buffered
// I/O when the caller allows it (OpenOptions::buffered_fallback).
#include <dmirror/block_device.h>

#include "io/busy_holder.h"
#include "io/posix_device.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

namespace dmirror {
namespace {

Error open_failure(int err, const std::string& path, const OpenOptions& o, bool is_block, dev_t rdev = 0) {
  switch (err) {
    case ENOENT:
    case ENXIO:
    case ENODEV:
      return Error{ErrorCode::NotFound, 0, path + ": no such file or device"};
    case EBUSY: {
      // Name the holder where /sys and /proc show it (mdadm and
      // cryptsetup say only "busy").
      const std::string who = is_block ? io::describe_holders(io::busy_holders(rdev, path)) : std::string();
      if (!who.empty()) return Error{ErrorCode::Busy, 0, path + " is in use: " + who + ", then retry"};
      return Error{ErrorCode::Busy, 0,
                   path + " is in use (mounted, or held by another device such as device-mapper or md)"};
    }
    case EACCES:
    case EPERM:
    case EROFS:
      if (o.writable) {
        return Error{ErrorCode::PermissionDenied, err,
                     path + ": cannot open for writing; run as root, or check that the " +
                         (is_block ? "device is not read-only (blockdev --getro)" : "file is writable")};
      }
      return Error{ErrorCode::PermissionDenied, err, path + ": cannot open for reading; run as root"};
    case EINVAL:
      if (o.direct) return Error{ErrorCode::Unsupported, err, path + " does not support O_DIRECT"};
      break;
    default:
      break;
  }
  return errno_to_error(err, "open " + path);
}

Result<DeviceGeometry> block_geometry(int fd, const std::string& path) {
  DeviceGeometry g;
  uint64_t size = 0;
  int lbs = 0;
  unsigned int pbs = 0;
  if (::ioctl(fd, BLKGETSIZE64, &size) != 0) return errno_error(errno, "BLKGETSIZE64 on " + path);
  if (::ioctl(fd, BLKSSZGET, &lbs) != 0) return errno_error(errno, "BLKSSZGET on " + path);
  if (::ioctl(fd, BLKPBSZGET, &pbs) != 0) pbs = static_cast<unsigned>(lbs);
  g.size_bytes = size;
  g.logical_block_size = static_cast<uint32_t>(lbs);
  g.physical_block_size = pbs;
  return g;
}

std::atomic<int> g_refuse_direct{0};

// open(2), or the injected refusal of O_DIRECT on a regular file.
int open_flags(const std::string& path, int flags, bool regular) {
  if (regular && (flags & O_DIRECT) != 0) {
    if (int err = g_refuse_direct.load(); err != 0) {
      errno = err;
      return -1;
    }
  }
  return ::open(path.c_str(), flags);
}

// The offset and length alignment O_DIRECT needs on an open file (statx
// STATX_DIOALIGN, Linux 6.1); the 512-byte sector when the kernel or the
// file system does not say.
uint32_t direct_alignment(int fd) {
  struct statx sx {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN) != 0 &&
      sx.stx_dio_offset_align != 0)
    return std::max<uint32_t>(sx.stx_dio_offset_align, 512);
  return 512;
}

}  // namespace

namespace io {
void refuse_direct_file_opens(int err) { g_refuse_direct.store(err); }
}  // namespace io

Result<std::unique_ptr<BlockDevice>> open_device(const std::string& path, const OpenOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::unexpected(open_failure(errno, path, options, false));
  const bool is_block = S_ISBLK(st.st_mode);
  if (!is_block && !S_ISREG(st.st_mode)) {
    return make_error(ErrorCode::InvalidArgument,
                      path + " is " + io::describe_file_type(st.st_mode) +
                          "; a leg must be a block device or a regular image file");
  }

  const int base = (options.writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | (is_block && options.exclusive ? O_EXCL : 0);
  CachePolicy policy = options.direct ? CachePolicy::Direct : CachePolicy::PageCache;
  int fd = open_flags(path, base | (options.direct ? O_DIRECT : 0), !is_block);
  if (fd < 0 && errno == EINVAL && options.direct && !is_block && options.buffered_fallback) {
    policy = CachePolicy::DropBehind;
    fd = ::open(path.c_str(), base);
  }
  if (fd < 0) return std::unexpected(open_failure(errno, path, options, is_block, st.st_rdev));

  DeviceGeometry geometry;
  if (is_block) {
    auto g = block_geometry(fd, path);
    if (!g) {
      ::close(fd);
      return std::unexpected(g.error());
    }
    geometry = *g;
    int ro = 0;
    if (options.writable && ::ioctl(fd, BLKROGET, &ro) == 0 && ro != 0) {
      ::close(fd);
      return std::unexpected(open_failure(EROFS, path, options, true));
    }
  } else {
    geometry.size_bytes = static_cast<uint64_t>(st.st_size);
    geometry.logical_block_size = 512;
    geometry.physical_block_size = 512;
  }
  // Drop-behind descriptors read no further than asked: the kernel's
  // readahead would leave pages past each dropped range in the cache.
  if (policy == CachePolicy::DropBehind) (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
  if (policy != CachePolicy::Direct || is_block) return std::make_unique<io::PosixDevice>(fd, path, geometry, policy);
  // An O_DIRECT image file: the same file opened buffered serves the
  // transfers O_DIRECT cannot (an unaligned tail); it must be the same inode.
  int twin = ::open(path.c_str(), base);
  struct stat a {}, b {};
  if (twin < 0 || ::fstat(fd, &a) != 0 || ::fstat(twin, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
    const int err = twin < 0 ? errno : EAGAIN;
    if (twin >= 0) ::close(twin);
    ::close(fd);
    if (err == EAGAIN) return make_error(ErrorCode::Busy, path + " was replaced while it was being opened; try again");
    return std::unexpected(open_failure(err, path, options, false));
  }
  (void)::posix_fadvise(twin, 0, 0, POSIX_FADV_RANDOM);
  return std::make_unique<io::PosixDevice>(fd, path, geometry, policy, twin, direct_alignment(fd));
}

}  // namespace dmirror
