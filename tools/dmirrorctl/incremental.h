// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl activate --incremental DEVICE`, run by the udev rule for every
// block device that carries dmirror metadata (as mdadm --incremental): the
// leg is recorded under <run_dir>/incremental/<array uuid>/slot<N> (the file
// holds the device path), records whose device no longer carries that leg
// are dropped, and once every expected leg (slots in use and not failed) is
// present the array is activated. Never degraded: with legs missing the
// command only records and exits 0. The runs of an array's legs race at boot:
// while another command holds the array (Busy) the activation is retried for
// up to two minutes, and an array another run activated is success (exit 0).
#pragma once

#include "output.h"

#include <string>

namespace dmirror::cli {

int run_incremental(const Context& ctx, const std::string& device, const std::string& run_dir);

}  // namespace dmirror::cli
