// SPDX-License-Identifier: LGPL-2.1-or-later
// open_device(): classifies the path, opens it with the requested flags
// (O_EXCL on block devices so a mounted or claimed device is refused), and
// reads the geometry (BLKGETSIZE64 / BLKSSZGET / BLKPBSZGET, or st_size).
#include <dmirror/block_device.h>

#include "io/posix_device.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace dmirror {
namespace {

Error open_failure(int err, const std::string& path, const OpenOptions& o, bool is_block) {
  switch (err) {
    case ENOENT:
    case ENXIO:
    case ENODEV:
      return Error{ErrorCode::NotFound, 0, path + ": no such file or device"};
    case EBUSY:
      return Error{ErrorCode::Busy, 0,
                   path + " is in use (mounted, or held by another device such as device-mapper or md)"};
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

}  // namespace

Result<std::unique_ptr<BlockDevice>> open_device(const std::string& path, const OpenOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::unexpected(open_failure(errno, path, options, false));
  const bool is_block = S_ISBLK(st.st_mode);
  if (!is_block && !S_ISREG(st.st_mode)) {
    return make_error(ErrorCode::InvalidArgument,
                      path + " is " + io::describe_file_type(st.st_mode) +
                          "; a leg must be a block device or a regular image file");
  }

  int flags = (options.writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  if (options.direct) flags |= O_DIRECT;
  if (is_block && options.exclusive) flags |= O_EXCL;
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return std::unexpected(open_failure(errno, path, options, is_block));

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
  return std::make_unique<io::PosixDevice>(fd, path, geometry, options.direct);
}

}  // namespace dmirror
