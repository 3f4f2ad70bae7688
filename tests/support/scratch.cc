// SPDX-License-Identifier: LGPL-2.1-or-later
// Scratch directories and image files for tests.
#include "support/scratch.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dmirror::testing {

ScratchDir::ScratchDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/dmirror-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ScratchDir::make_image(const std::string& name, uint64_t size) const {
  std::string p = path_ + "/" + name;
  int fd = ::open(p.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + p);
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot size " + p);
  }
  ::close(fd);
  return p;
}

namespace {

// Tests read whole leg images (tens of MiB) to compare them byte for byte,
// many times each. glibc serves such blocks with a fresh mmap and unmaps
// them on free, so every read faults in every page again: on a virtual
// machine that cost 2 s per 64 MiB image. Keeping large blocks in the heap
// makes the later reads reuse pages already faulted in (0.1 s).
const bool kLargeBlocksStayInTheHeap = [] {
  ::mallopt(M_MMAP_THRESHOLD, 256 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return true;
}();

}  // namespace

std::string read_file(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) out.resize(static_cast<size_t>(st.st_size));
  size_t have = 0;
  for (;;) {
    if (have == out.size()) {
      // Full (a regular file read to its size, or anything else): a small
      // read tells the end from more data. Growing first would allocate and
      // clear twice a leg image's size at the end of every read.
      char more[4096];
      const ssize_t n = ::read(fd, more, sizeof more);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out.append(more, static_cast<size_t>(n));
      have += static_cast<size_t>(n);
      continue;
    }
    const ssize_t n = ::read(fd, out.data() + have, out.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(have);
  return out;
}

std::string read_data_area(const std::string& path) {
  auto dev = open_device(path, OpenOptions{.writable = false, .exclusive = false});
  if (!dev) return {};
  auto meta = read_leg(**dev);
  if (!meta) return {};
  const std::string all = read_file(path);
  if (all.size() < meta->sb.layout.data_offset) return {};
  return all.substr(meta->sb.layout.data_offset, meta->sb.layout.data_size);
}

}  // namespace dmirror::testing
