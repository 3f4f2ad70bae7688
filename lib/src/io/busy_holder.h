// SPDX-License-Identifier: LGPL-2.1-or-later
// Who holds a block device that refused an exclusive open (EBUSY): the
// devices stacked on it (sysfs holders: device-mapper, md), the file
// systems mounted from it, swap on it, and the processes that have it
// open. Read from /sys and /proc on the error path only.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace dmirror::io {

struct BusyHolders {
  std::vector<std::string> stacked;     // "dm-3 (/dev/mapper/vol0)", "md127"
  std::vector<std::string> mounts;      // mount points
  bool swap = false;
  std::vector<std::string> processes;   // "mkfs.ext4 (pid 1234)"
};

// `rdev` is the device's number, `path` as given (for /proc/swaps).
BusyHolders busy_holders(dev_t rdev, const std::string& path);

// "mounted on /mnt; unmount it", "held by dm-3 (/dev/mapper/v); remove
// that device first", "open in mkfs (pid 12); wait for it or stop it", or
// empty when nothing was found.
std::string describe_holders(const BusyHolders& h);

// One line of /proc/self/mountinfo: the mount point when its major:minor
// is `rdev`, else empty (octal escapes such as \040 decoded).
std::string mountinfo_point(const std::string& line, dev_t rdev);

}  // namespace dmirror::io
