// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers for the in-guest kernel tests: the two virtio legs, the volume
// mapping over them, O_DIRECT block I/O, and polling a volume's status.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/volume.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace dmirror::dm::vm {

inline constexpr uint64_t kMiB = 1 << 20;
inline constexpr uint64_t kKmetaOffset = 2 * kMiB;
inline constexpr uint64_t kKmetaSize = 4 * kMiB;
inline constexpr uint64_t kDataOffset = 8 * kMiB;
inline constexpr uint64_t kRegionSize = 512 * 1024;  // 1024 sectors
inline constexpr const char* kVolume = "kgvol";
inline constexpr const char* kArrayUuid = "5f0c1d2e3a4b5c6d7e8f901a2b3c4d5e";
inline const std::vector<std::string> kLegPaths{"/dev/vda", "/dev/vdb"};

// major:minor of a block device node.
DevNumber dev_number(const std::string& path);
uint64_t device_size(const std::string& path);

// The mapping of kVolume over the virtio legs; data fills each leg.
VolumeMapping volume_mapping();

// Deterministic content for `size` bytes at byte `offset` of the volume.
std::vector<std::byte> pattern(uint64_t offset, size_t size, uint32_t seed);

// O_DIRECT read/write of whole blocks through an aligned bounce buffer.
// Returns an empty string on success, else what failed.
std::string direct_write(const std::string& path, uint64_t offset, const std::vector<std::byte>& data);
std::string direct_read(const std::string& path, uint64_t offset, std::vector<std::byte>& data);

// Polls query(kVolume) until `done` or the timeout; returns the last status.
Result<VolumeStatus> wait_for_status(DmControl& dm, const std::function<bool(const RaidStatus&)>& done,
                                     std::chrono::seconds timeout);

// Sends `action` ("check", "repair") to kVolume and waits for the end the
// kernel signals: md bumps the dm event counter when it reaps the sync
// thread (dm-raid's do_table_event), and only then is mismatch_cnt this
// run's. Idle alone proves nothing (the action may not have started, or
// the previous run's count is still shown). Errors: the message was
// refused, or no end was signalled within the timeout.
Result<VolumeStatus> run_sync_action(DmControl& dm, const char* action, std::chrono::seconds timeout);

// The process-wide control connection (aborts if device-mapper is absent).
DmControl& dm();
// /dev/dm-N of kVolume.
std::string top_node();
inline bool idle_in_sync(const RaidStatus& s) { return s.fully_in_sync(); }
// Prints `bytes` as 16-byte hex rows under `label` (golden-byte capture).
void dump_hex(const char* label, std::span<const std::byte> bytes);

// Zeroes the kernel metadata area of every leg (first-use path).
std::string zero_all_kernel_metadata();

}  // namespace dmirror::dm::vm
