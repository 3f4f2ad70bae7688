// SPDX-License-Identifier: LGPL-2.1-or-later
// An active volume and the legs under it: found by the raid device's name,
// the leg devices read from its sub-devices' tables and opened without
// O_EXCL (device-mapper holds them) and with O_DIRECT, so our superblocks
// can be updated while the volume runs.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/online/array_legs.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <map>
#include <string>

namespace dmirror::dm {

struct LiveVolume {
  std::string name;
  std::string array_id;                  // dm uuid suffix (array uuid hex)
  std::map<uint32_t, DevNumber> devs;    // our slot -> leg device
  ArrayLegs legs;
  // Leg devices of the live table that could not be read (an I/O error on
  // our superblock: a disk gone bad, a dead network link), left out of the
  // assembly: absent, as if unplugged (never written, stale when back).
  std::vector<std::string> unreadable;
};

/// NotFound when no volume NAME is active; NotDmirror when NAME is not ours.
/// A leg device of the table whose superblock read fails with an I/O error
/// is left out (LiveVolume::unreadable): the commands that record a failure,
/// show the status or deactivate go on with the others.
DMIRROR_EXPORT Result<LiveVolume> open_live_volume(DmControl& dm, const std::string& name);

/// Opens `path` for metadata updates under a live volume (no O_EXCL;
/// O_DIRECT through an aligned wrapper for block devices).
DMIRROR_EXPORT Result<NamedDevice> open_leg_shared(const std::string& path);

}  // namespace dmirror::dm
