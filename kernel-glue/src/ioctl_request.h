// SPDX-License-Identifier: LGPL-2.1-or-later
// One dm ioctl round trip: builds the struct dm_ioctl header and payload in
// an 8-byte aligned buffer, issues it through a DmTransport, grows the
// buffer on DM_BUFFER_FULL, and returns the header and the payload the
// kernel wrote back. Failures are returned as the raw errno so each command
// can map them with its own context.
#pragma once

#include <dmirror/dm/dm_transport.h>
#include <dmirror/dm/dm_types.h>

#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace dmirror::dm {

struct IoctlRequest {
  unsigned long cmd = 0;
  uint32_t min_minor = 0;       // interface minor this command needs
  std::string name;
  std::string uuid;
  DevNumber dev;
  uint32_t flags = 0;
  uint32_t event_nr = 0;
  uint32_t target_count = 0;
  std::vector<std::byte> payload;  // placed at data_start
  bool may_overflow = false;       // output command: retry on BUFFER_FULL
  size_t initial_size = 16 * 1024;

  // Uses exactly one lookup key of `ref` (uuid, else name, else dev).
  void set_ref(const DeviceRef& ref);
};

struct IoctlReply {
  dm_ioctl header{};
  std::vector<std::byte> payload;  // [data_start, data_size)
  size_t buffer_size = 0;          // the size of the buffer that succeeded

  DeviceInfo info() const;
};

// EINVAL for over-long names/uuids is detected before the call (the kernel
// would silently truncate them). Gives up with ENOBUFS after 16 doublings.
std::expected<IoctlReply, int> run_ioctl(DmTransport& transport, const IoctlRequest& req);

}  // namespace dmirror::dm
