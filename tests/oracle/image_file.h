// SPDX-License-Identifier: LGPL-2.1-or-later
// Leg image files in a tmpfs directory: whole-file snapshots that keep only
// the non-zero pages (a leg is mostly zero), and plain byte access for the
// oracle's own damage (rot, foreign signatures, truncation).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dmirror::oracle {

struct FileImage {
  static constexpr uint64_t kPage = 4096;
  uint64_t size = 0;
  std::map<uint64_t, std::array<std::byte, kPage>> pages;   // non-zero pages by offset
};

FileImage load_image(const std::string& path);
void store_image(const std::string& path, const FileImage& image);
uint64_t file_size(const std::string& path);
void resize_file(const std::string& path, uint64_t size);
// Bytes [offset, offset + len); bytes beyond the end of the file read as zero
// and `*valid` (when given) is set to how many were inside the file.
std::vector<std::byte> read_bytes(const std::string& path, uint64_t offset, uint64_t len, uint64_t* valid = nullptr);
void write_bytes(const std::string& path, uint64_t offset, const std::vector<std::byte>& bytes);

}  // namespace dmirror::oracle
