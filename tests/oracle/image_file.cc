// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oracle/image_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace dmirror::oracle {
namespace {

struct Fd {
  int fd;
  Fd(const std::string& path, int flags) : fd(::open(path.c_str(), flags | O_CLOEXEC, 0600)) {
    if (fd < 0) throw std::runtime_error("oracle: cannot open " + path + ": " + std::strerror(errno));
  }
  ~Fd() { ::close(fd); }
};

void must(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("oracle: " + what + ": " + std::strerror(errno));
}

}  // namespace

uint64_t file_size(const std::string& path) {
  struct stat st {};
  must(::stat(path.c_str(), &st) == 0, "stat " + path);
  return static_cast<uint64_t>(st.st_size);
}

void resize_file(const std::string& path, uint64_t size) {
  Fd f(path, O_WRONLY | O_CREAT);
  must(::ftruncate(f.fd, static_cast<off_t>(size)) == 0, "truncate " + path);
}

FileImage load_image(const std::string& path) {
  FileImage img;
  img.size = file_size(path);
  Fd f(path, O_RDONLY);
  std::vector<std::byte> buf(1024 * 1024);
  for (uint64_t off = 0; off < img.size; off += buf.size()) {
    // Skip holes (tmpfs and most file systems report them).
    off_t data = ::lseek(f.fd, static_cast<off_t>(off), SEEK_DATA);
    if (data < 0) break;   // ENXIO: only a hole is left
    off = static_cast<uint64_t>(data) / FileImage::kPage * FileImage::kPage;
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), img.size - off));
    must(::pread(f.fd, buf.data(), n, static_cast<off_t>(off)) == static_cast<ssize_t>(n), "read " + path);
    for (size_t p = 0; p < n; p += FileImage::kPage) {
      size_t len = std::min<size_t>(FileImage::kPage, n - p);
      const std::byte* b = buf.data() + p;
      static const std::array<std::byte, FileImage::kPage> kZero{};
      if (std::memcmp(b, kZero.data(), len) == 0) continue;
      auto& page = img.pages[off + p];
      page.fill(std::byte{0});
      std::memcpy(page.data(), b, len);
    }
  }
  return img;
}

void store_image(const std::string& path, const FileImage& image) {
  resize_file(path, 0);
  resize_file(path, image.size);
  Fd f(path, O_WRONLY);
  for (const auto& [off, page] : image.pages) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(FileImage::kPage, image.size - off));
    must(::pwrite(f.fd, page.data(), len, static_cast<off_t>(off)) == static_cast<ssize_t>(len), "write " + path);
  }
}

std::vector<std::byte> read_bytes(const std::string& path, uint64_t offset, uint64_t len, uint64_t* valid) {
  std::vector<std::byte> out(len);
  Fd f(path, O_RDONLY);
  ssize_t n = ::pread(f.fd, out.data(), len, static_cast<off_t>(offset));
  must(n >= 0, "read " + path);
  if (valid) *valid = static_cast<uint64_t>(n);
  return out;
}

void write_bytes(const std::string& path, uint64_t offset, const std::vector<std::byte>& bytes) {
  Fd f(path, O_WRONLY);
  must(::pwrite(f.fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)) == static_cast<ssize_t>(bytes.size()),
       "write " + path);
}

}  // namespace dmirror::oracle
