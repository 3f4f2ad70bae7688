// SPDX-License-Identifier: LGPL-2.1-or-later
// resolve_leg_args(): names, uuids, block devices and image files.
#include <dmirror/dm/online/leg_args.h>

#include <dmirror/array.h>
#include <dmirror/block_device.h>
#include <dmirror/dm/loop.h>

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

namespace dmirror::dm {

LoopHold::LoopHold(std::string file, std::string device, bool ours, int fd)
    : file_(std::move(file)), device_(std::move(device)), ours_(ours), fd_(fd) {}

LoopHold::~LoopHold() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<LoopHold>> hold_loop_for_file(const std::string& file) {
  DMIRROR_ASSIGN_OR_RETURN(auto existing, find_loop_for_file(file));
  if (existing) return std::make_unique<LoopHold>(file, existing->path, false, -1);
  DMIRROR_ASSIGN_OR_RETURN(LoopDevice loop, attach_loop(file, LoopOptions{}));
  int fd = ::open(loop.path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    (void)detach_loop(loop.path);
    return errno_error(err, "open " + loop.path);
  }
  loop_info64 info{};
  if (::ioctl(fd, LOOP_GET_STATUS64, &info) == 0) {
    info.lo_flags |= LO_FLAGS_AUTOCLEAR;
    (void)::ioctl(fd, LOOP_SET_STATUS64, &info);
  }
  return std::make_unique<LoopHold>(file, loop.path, true, fd);
}

Status check_legs_unclaimed(const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    auto dev = open_device(p, OpenOptions{.writable = true, .direct = false, .exclusive = true});
    if (!dev) return std::unexpected(dev.error());
  }
  return ok();
}

Result<ResolvedLegs> resolve_leg_args(const std::vector<std::string>& args) {
  ResolvedLegs out;
  struct stat st {};
  if (args.size() == 1 && args[0].find('/') == std::string::npos && ::stat(args[0].c_str(), &st) != 0) {
    const std::string& key = args[0];
    DMIRROR_ASSIGN_OR_RETURN(auto found, scan_legs({}));
    std::set<Uuid> arrays;
    for (const auto& f : found) {
      const Superblock& sb = f.meta.sb;
      if (sb.name != key && sb.array_uuid.str() != key && sb.array_uuid.hex() != key) continue;
      out.paths.push_back(f.path);
      arrays.insert(sb.array_uuid);
    }
    if (out.paths.empty())
      return make_error(ErrorCode::NotFound, "no block device carries a leg of array '" + key +
                                                 "'. Image files are not scanned: give the leg paths instead");
    if (arrays.size() > 1)
      return make_error(ErrorCode::InvalidArgument,
                        "several arrays are named '" + key + "'; give the array uuid or the leg paths");
    // Leave out old legs the newest leg table no longer lists (replaced).
    const Superblock* newest = nullptr;
    for (const auto& f : found)
      if (out.paths.end() != std::find(out.paths.begin(), out.paths.end(), f.path) &&
          (!newest || f.meta.sb.seqno > newest->seqno))
        newest = &f.meta.sb;
    std::vector<std::string> members;
    for (const auto& f : found) {
      if (std::find(out.paths.begin(), out.paths.end(), f.path) == out.paths.end()) continue;
      const LegEntry& e = newest->legs[f.meta.sb.slot % kMaxLegs];
      if (e.uuid == f.meta.sb.leg_uuid && is_member_state(e.state))   // spares hold no data
        members.push_back(f.path);
    }
    out.paths = std::move(members);
    return out;
  }
  for (const auto& a : args) {
    if (::stat(a.c_str(), &st) != 0) return errno_error(errno, "stat " + a);
    if (S_ISBLK(st.st_mode)) {
      out.paths.push_back(a);
    } else if (S_ISREG(st.st_mode)) {
      DMIRROR_ASSIGN_OR_RETURN(auto hold, hold_loop_for_file(a));
      out.paths.push_back(hold->device());
      out.loops.push_back(std::move(hold));
    } else {
      return make_error(ErrorCode::InvalidArgument, a + " is neither a block device nor an image file");
    }
  }
  return out;
}

}  // namespace dmirror::dm
