// SPDX-License-Identifier: LGPL-2.1-or-later
// Packing and unpacking of dm ioctl payloads (see dm_payload.h for the two
// `next` bases). Byte-level work uses memcpy on the uapi structs so nothing
// depends on the alignment of the caller's buffer.
#include <dmirror/dm/dm_payload.h>

#include <linux/dm-ioctl.h>

#include <cstring>

namespace dmirror::dm {
namespace {

static_assert(sizeof(dm_target_spec) == 40);
static_assert(offsetof(dm_target_spec, next) == 20);
static_assert(offsetof(dm_name_list, name) == 12);
static_assert(offsetof(dm_target_versions, name) == 16);
static_assert(offsetof(dm_target_msg, message) == 8);

std::unexpected<Error> bad_payload(const char* what) {
  return make_error(ErrorCode::Corruption, std::string("malformed dm ioctl reply: ") + what);
}

// The NUL-terminated string at [off, end); nullopt if unterminated.
std::optional<std::string> read_cstr(std::span<const std::byte> p, size_t off) {
  if (off >= p.size()) return std::nullopt;
  auto* begin = reinterpret_cast<const char*>(p.data()) + off;
  const void* nul = std::memchr(begin, 0, p.size() - off);
  if (!nul) return std::nullopt;
  return std::string(begin, static_cast<const char*>(nul));
}

}  // namespace

Result<std::vector<std::byte>> pack_table(std::span<const TargetLine> table) {
  if (table.empty()) return make_error(ErrorCode::InvalidArgument, "a table needs at least one target");
  std::vector<std::byte> out;
  uint64_t expected_start = 0;
  for (const auto& t : table) {
    if (t.length == 0)
      return make_error(ErrorCode::InvalidArgument, "target '" + t.type + "' has zero length");
    if (t.type.empty() || t.type.size() >= DM_MAX_TYPE_NAME)
      return make_error(ErrorCode::InvalidArgument, "invalid target type '" + t.type + "'");
    if (t.start != expected_start)
      return make_error(ErrorCode::InvalidArgument,
                        "gap in table at sector " + std::to_string(expected_start));
    if (t.params.find('\0') != std::string::npos)
      return make_error(ErrorCode::InvalidArgument, "target parameters contain a NUL byte");
    expected_start = t.start + t.length;

    size_t record = align8(sizeof(dm_target_spec) + t.params.size() + 1);
    size_t at = out.size();
    out.resize(at + record);
    dm_target_spec spec{};
    spec.sector_start = t.start;
    spec.length = t.length;
    spec.next = static_cast<uint32_t>(record);  // relative to this spec
    std::memcpy(spec.target_type, t.type.data(), t.type.size());
    std::memcpy(out.data() + at, &spec, sizeof spec);
    std::memcpy(out.data() + at + sizeof spec, t.params.data(), t.params.size());
  }
  return out;
}

Result<std::vector<TargetLine>> unpack_status(std::span<const std::byte> p, uint32_t count) {
  std::vector<TargetLine> lines;
  size_t off = 0;  // relative to the first spec
  for (uint32_t i = 0; i < count; ++i) {
    if (off + sizeof(dm_target_spec) > p.size()) return bad_payload("target spec out of range");
    dm_target_spec spec;
    std::memcpy(&spec, p.data() + off, sizeof spec);
    auto text = read_cstr(p, off + sizeof spec);
    if (!text) return bad_payload("unterminated status string");
    char type[DM_MAX_TYPE_NAME + 1] = {};
    std::memcpy(type, spec.target_type, DM_MAX_TYPE_NAME);
    lines.push_back(TargetLine{spec.sector_start, spec.length, type, std::move(*text)});
    if (i + 1 < count) {
      if (spec.next <= off) return bad_payload("status records do not advance");
      off = spec.next;
    }
  }
  return lines;
}

Result<std::vector<ListedDevice>> unpack_name_list(std::span<const std::byte> p, bool has_tail) {
  std::vector<ListedDevice> out;
  // No device (or none passing the filter): the kernel sets data_size to
  // data_start, leaving its dev == 0 record outside the returned payload.
  if (p.empty()) return out;
  size_t off = 0;
  for (;;) {
    if (off + offsetof(dm_name_list, name) > p.size()) return bad_payload("name list out of range");
    uint64_t dev;
    uint32_t next;
    std::memcpy(&dev, p.data() + off, 8);
    std::memcpy(&next, p.data() + off + 8, 4);
    if (dev == 0 && out.empty()) return out;  // empty list
    auto name = read_cstr(p, off + offsetof(dm_name_list, name));
    if (!name) return bad_payload("unterminated device name");
    ListedDevice d;
    d.name = *name;
    // huge_encode_dev, same as glibc's 64-bit makedev encoding
    d.dev.major = static_cast<uint32_t>(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffULL));
    d.dev.minor = static_cast<uint32_t>((dev & 0xff) | ((dev >> 12) & ~0xffULL));
    if (has_tail) {
      size_t tail = align8(off + offsetof(dm_name_list, name) + name->size() + 1);
      if (tail + 8 > p.size()) return bad_payload("name list tail out of range");
      uint32_t flags;
      std::memcpy(&d.event_nr, p.data() + tail, 4);
      std::memcpy(&flags, p.data() + tail + 4, 4);
      if (flags & DM_NAME_LIST_FLAG_HAS_UUID) {
        auto uuid = read_cstr(p, align8(tail + 8));
        if (!uuid) return bad_payload("unterminated device uuid");
        d.uuid = std::move(*uuid);
      }
    }
    out.push_back(std::move(d));
    if (next == 0) return out;
    off += next;
  }
}

Result<std::vector<TargetVersion>> unpack_target_versions(std::span<const std::byte> p) {
  std::vector<TargetVersion> out;
  size_t off = 0;
  for (;;) {
    if (off + offsetof(dm_target_versions, name) > p.size()) return bad_payload("version record out of range");
    dm_target_versions rec;
    std::memcpy(&rec, p.data() + off, offsetof(dm_target_versions, name));
    auto name = read_cstr(p, off + offsetof(dm_target_versions, name));
    if (!name) return bad_payload("unterminated target name");
    out.push_back(TargetVersion{*name, Version{rec.version[0], rec.version[1], rec.version[2]}});
    if (rec.next == 0) return out;
    off += rec.next;
  }
}

std::vector<std::byte> pack_target_message(uint64_t sector, std::string_view message) {
  std::vector<std::byte> out(align8(offsetof(dm_target_msg, message) + message.size() + 1));
  std::memcpy(out.data(), &sector, 8);
  std::memcpy(out.data() + 8, message.data(), message.size());
  return out;
}

std::vector<std::byte> pack_string(std::string_view text) {
  std::vector<std::byte> out(align8(text.size() + 1));
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

}  // namespace dmirror::dm
