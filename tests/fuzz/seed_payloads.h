// SPDX-License-Identifier: LGPL-2.1-or-later
// dm ioctl payloads laid out as the kernel returns them, for the seed
// corpus of dm_payload_fuzz: each seed is a selector byte (which unpacker),
// a count byte (status records) and the payload.
#pragma once

#include <dmirror/dm/dm_payload.h>

#include <linux/dm-ioctl.h>

#include <cstring>
#include <string>
#include <vector>

namespace dmirror::fuzz {

using dm::align8;
using dm::TargetLine;

inline void append_pod(std::vector<std::byte>& out, size_t at, const void* p, size_t n) {
  if (out.size() < at + n) out.resize(at + n);
  std::memcpy(out.data() + at, p, n);
}

// Two dm_name_list records: "vol" (with uuid when `tail`) and "plain".
inline std::vector<std::byte> seed_name_list(bool tail) {
  std::vector<std::byte> out{std::byte(tail ? 1 : 0), std::byte(0)};
  const char* names[] = {"vol", "plain"};
  for (int i = 0; i < 2; ++i) {
    const size_t at = out.size();
    const std::string name = names[i];
    size_t end = at + 12 + name.size() + 1;
    uint64_t dev = (254u << 8) | static_cast<unsigned>(i);
    append_pod(out, at, &dev, 8);
    append_pod(out, at + 12, name.c_str(), name.size() + 1);
    if (tail) {
      const size_t t = at + align8(12 + name.size() + 1);
      uint32_t ev_flags[2] = {7, static_cast<uint32_t>(i == 0 ? DM_NAME_LIST_FLAG_HAS_UUID : DM_NAME_LIST_FLAG_DOESNT_HAVE_UUID)};
      append_pod(out, t, ev_flags, 8);
      end = t + 8;
      if (i == 0) {
        const std::string uuid = "DMIRROR-abc";
        append_pod(out, at + align8(t - at + 8), uuid.c_str(), uuid.size() + 1);
        end = at + align8(t - at + 8) + uuid.size() + 1;
      }
    }
    out.resize(at + align8(end - at));
    uint32_t next = i == 1 ? 0 : static_cast<uint32_t>(out.size() - at);
    append_pod(out, at + 8, &next, 4);
  }
  return out;
}

inline std::vector<std::byte> seed_target_versions() {
  std::vector<std::byte> out{std::byte(2), std::byte(0)};
  const std::pair<const char*, uint32_t> targets[] = {{"raid", 15}, {"linear", 4}};
  for (int i = 0; i < 2; ++i) {
    const size_t at = out.size();
    dm_target_versions v{};
    v.version[0] = 1;
    v.version[1] = targets[i].second;
    const size_t len = align8(sizeof v + std::strlen(targets[i].first) + 1);
    v.next = i == 1 ? 0 : static_cast<uint32_t>(len);
    append_pod(out, at, &v, sizeof v);
    append_pod(out, at + sizeof v, targets[i].first, std::strlen(targets[i].first) + 1);
    out.resize(at + len);
  }
  return out;
}

// TABLE_STATUS output: `next` counts from the first spec.
inline std::vector<std::byte> seed_status() {
  const std::vector<TargetLine> lines{{0, 64, "linear", "254:0 0"},
                                      {64, 64, "raid", "raid1 2 AA 64/64 idle 0 0 -"}};
  std::vector<std::byte> payload;
  for (const auto& l : lines) {
    const size_t at = payload.size();
    payload.resize(align8(at + sizeof(dm_target_spec) + l.params.size() + 1));
    dm_target_spec s{};
    s.sector_start = l.start;
    s.length = l.length;
    s.next = static_cast<uint32_t>(payload.size());
    std::memcpy(s.target_type, l.type.data(), l.type.size());
    std::memcpy(payload.data() + at, &s, sizeof s);
    std::memcpy(payload.data() + at + sizeof s, l.params.data(), l.params.size());
  }
  std::vector<std::byte> out{std::byte(3), std::byte(lines.size())};
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace dmirror::fuzz
