// SPDX-License-Identifier: LGPL-2.1-or-later
// libblkid probing: every superblock (file systems, RAID members, crypto
// containers) and partition table on a device, and wiping their magic at
// create time, the way wipefs does (blkid_do_probe / blkid_do_wipe loop).
#include <dmirror/probe.h>

#include <blkid/blkid.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace dmirror {
namespace {

struct ProbeDeleter {
  void operator()(blkid_probe pr) const { blkid_free_probe(pr); }
};
using ProbePtr = std::unique_ptr<std::remove_pointer_t<blkid_probe>, ProbeDeleter>;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string lookup(blkid_probe pr, const char* name) {
  const char* value = nullptr;
  if (blkid_probe_lookup_value(pr, name, &value, nullptr) == 0 && value != nullptr) return value;
  return {};
}

// Opens `path` and a probe over it with the superblock and partition chains
// enabled, reporting magic offsets (needed for wiping).
Result<ProbePtr> new_probe(const std::string& path, Fd& fd, bool writable) {
  struct stat st {};
  int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  if (writable && ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) flags |= O_EXCL;
  fd.fd = ::open(path.c_str(), flags);
  if (fd.fd < 0) return errno_error(errno, "open " + path + " for probing");
  ProbePtr pr(blkid_new_probe());
  if (!pr) return make_error(ErrorCode::Internal, "libblkid: cannot allocate a probe");
  if (blkid_probe_set_device(pr.get(), fd.fd, 0, 0) != 0) {
    return make_error(ErrorCode::Io, "libblkid cannot probe " + path);
  }
  blkid_probe_enable_superblocks(pr.get(), 1);
  blkid_probe_set_superblocks_flags(pr.get(), BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE |
                                                  BLKID_SUBLKS_USAGE | BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM);
  blkid_probe_enable_partitions(pr.get(), 1);
  blkid_probe_set_partitions_flags(pr.get(), BLKID_PARTS_MAGIC);
  return pr;
}

bool starts_with_vowel(const std::string& s) {
  return !s.empty() && std::string_view("aeiouAEIOU").find(s.front()) != std::string_view::npos;
}

}  // namespace

std::string Signature::describe() const {
  std::string noun;
  if (usage == "filesystem") noun = "filesystem";
  else if (usage == "raid") noun = "RAID member";
  else if (usage == "crypto") noun = "encrypted volume";
  else if (usage == "partition table") noun = "partition table";
  else noun = "signature";
  std::string out = (starts_with_vowel(type) ? "an " : "a ") + type + " " + noun;
  if (!label.empty()) out += " labelled '" + label + "'";
  return out;
}

Result<std::vector<Signature>> probe_signatures(const std::string& path) {
  Fd fd;
  DMIRROR_ASSIGN_OR_RETURN(ProbePtr pr, new_probe(path, fd, false));
  std::vector<Signature> found;
  int rc;
  while ((rc = blkid_do_probe(pr.get())) == 0) {
    Signature sig;
    sig.type = lookup(pr.get(), "TYPE");
    std::string offset = lookup(pr.get(), "SBMAGIC_OFFSET");
    if (sig.type.empty()) {
      sig.type = lookup(pr.get(), "PTTYPE");
      if (sig.type.empty()) continue;
      sig.usage = "partition table";
      offset = lookup(pr.get(), "PTMAGIC_OFFSET");
    } else {
      sig.usage = lookup(pr.get(), "USAGE");
      sig.label = lookup(pr.get(), "LABEL");
      sig.uuid = lookup(pr.get(), "UUID");
    }
    if (sig.type == "dmirror") continue;
    sig.offset = offset.empty() ? 0 : std::strtoull(offset.c_str(), nullptr, 10);
    found.push_back(std::move(sig));
  }
  if (rc < 0) return make_error(ErrorCode::Io, "libblkid failed while probing " + path);
  return found;
}

Status wipe_signatures(const std::string& path) {
  Fd fd;
  DMIRROR_ASSIGN_OR_RETURN(ProbePtr pr, new_probe(path, fd, true));
  int rc;
  while ((rc = blkid_do_probe(pr.get())) == 0) {
    if (blkid_do_wipe(pr.get(), 0) != 0) {
      return make_error(ErrorCode::Io, "cannot wipe the signature of " + lookup(pr.get(), "TYPE") + " on " + path,
                        errno);
    }
  }
  if (rc < 0) return make_error(ErrorCode::Io, "libblkid failed while probing " + path);
  while (::fsync(fd.fd) != 0) {
    if (errno != EINTR) return make_error(ErrorCode::Io, "flush " + path + " after wiping", errno);
  }
  return ok();
}

}  // namespace dmirror
