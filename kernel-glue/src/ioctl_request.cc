// SPDX-License-Identifier: LGPL-2.1-or-later
// The single place that lays out struct dm_ioctl (docs/kernel-facts.md §1.2, §1.8).
#include "ioctl_request.h"

#include <dmirror/dm/dm_payload.h>

#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>

namespace dmirror::dm {

static_assert(sizeof(dm_ioctl) == 312);
static_assert(offsetof(dm_ioctl, data_size) == 12);
static_assert(offsetof(dm_ioctl, event_nr) == 32);
static_assert(offsetof(dm_ioctl, dev) == 40);
static_assert(offsetof(dm_ioctl, name) == 48);
static_assert(offsetof(dm_ioctl, uuid) == 176);
static_assert(offsetof(dm_ioctl, data) == 305);

void IoctlRequest::set_ref(const DeviceRef& ref) {
  name.clear();
  uuid.clear();
  dev = {};
  if (!ref.uuid.empty()) uuid = ref.uuid;
  else if (!ref.name.empty()) name = ref.name;
  else dev = ref.dev;
}

DeviceInfo IoctlReply::info() const {
  DeviceInfo d;
  d.name.assign(header.name, strnlen(header.name, sizeof header.name));
  d.uuid.assign(header.uuid, strnlen(header.uuid, sizeof header.uuid));
  d.dev = DevNumber{::major(header.dev), ::minor(header.dev)};
  d.open_count = static_cast<uint32_t>(header.open_count);
  d.event_nr = header.event_nr;
  d.target_count = header.target_count;
  d.flags = header.flags;
  return d;
}

std::expected<IoctlReply, int> run_ioctl(DmTransport& transport, const IoctlRequest& req) {
  if (req.name.size() >= DM_NAME_LEN || req.uuid.size() >= DM_UUID_LEN) return std::unexpected(EINVAL);
  size_t size = align8(std::max(req.initial_size, sizeof(dm_ioctl) + req.payload.size()));
  for (int attempt = 0; attempt <= 16; ++attempt, size *= 2) {
    std::vector<uint64_t> words(size / 8, 0);
    auto* bytes = reinterpret_cast<std::byte*>(words.data());
    dm_ioctl h{};
    h.version[0] = DM_VERSION_MAJOR;
    h.version[1] = req.min_minor;
    h.version[2] = 0;
    h.data_size = static_cast<uint32_t>(size);
    h.data_start = sizeof(dm_ioctl);
    h.target_count = req.target_count;
    h.flags = req.flags;
    h.event_nr = req.event_nr;
    h.dev = req.dev.is_zero() ? 0 : ::makedev(req.dev.major, req.dev.minor);
    std::memcpy(h.name, req.name.data(), req.name.size());
    std::memcpy(h.uuid, req.uuid.data(), req.uuid.size());
    std::memcpy(bytes, &h, sizeof h);
    if (!req.payload.empty()) std::memcpy(bytes + sizeof(dm_ioctl), req.payload.data(), req.payload.size());

    if (int err = transport.call(req.cmd, bytes); err != 0) return std::unexpected(err);

    IoctlReply reply;
    std::memcpy(&reply.header, bytes, sizeof reply.header);
    if ((reply.header.flags & DM_BUFFER_FULL_FLAG) && req.may_overflow) continue;
    uint32_t start = reply.header.data_start, end = reply.header.data_size;
    if (end > size) end = static_cast<uint32_t>(size);
    if (start < end && start >= sizeof(dm_ioctl) - 7)
      reply.payload.assign(bytes + start, bytes + end);
    reply.buffer_size = size;
    return reply;
  }
  return std::unexpected(ENOBUFS);
}

}  // namespace dmirror::dm
