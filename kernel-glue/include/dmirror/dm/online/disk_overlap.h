// SPDX-License-Identifier: LGPL-2.1-or-later
// Whether two block devices are views of the same disk space: a loop or
// dm device over a leg, a partition of a leg's disk, a second path to it.
// A new leg that shares sectors with a member of the live table would have
// the rebuild write over that member; the check reads sysfs only.
#pragma once

#include <dmirror/dm/dm_types.h>
#include <dmirror/export.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dmirror::dm {

/// A stretch of a disk (or of a loop device's backing file) that a block
/// device maps onto, in 512-byte sectors. A dm device maps onto the whole
/// of each device below it (its table's offsets are not read: two volumes
/// of one disk count as sharing it).
struct DiskExtent {
  std::string disk;       // "8:16" (a whole disk), or "file:DEV:INO" (a loop device's backing file)
  uint64_t start = 0;
  uint64_t sectors = ~uint64_t{0};
};

/// The extents `dev` maps onto, found under `sysfs` (slaves/, partition
/// start and size, loop/backing_file). Unreadable parts leave `dev`
/// itself as the extent.
DMIRROR_EXPORT std::vector<DiskExtent> disk_extents(DevNumber dev, const std::string& sysfs = "/sys");

/// Whether some extent of `a` overlaps some extent of `b`.
DMIRROR_EXPORT bool extents_overlap(const std::vector<DiskExtent>& a, const std::vector<DiskExtent>& b);

}  // namespace dmirror::dm
