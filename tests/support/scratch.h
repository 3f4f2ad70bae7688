// SPDX-License-Identifier: LGPL-2.1-or-later
// Scratch directories and image files for tests; removed on destruction.
#pragma once

#include <cstdint>
#include <string>

namespace dmirror::testing {

class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  // Creates a sparse file of `size` bytes and returns its path.
  std::string make_image(const std::string& name, uint64_t size) const;

 private:
  std::string path_;
};

// Contents of a file, for byte-identical checks.
std::string read_file(const std::string& path);
// The data area of a leg image, as its own superblock places it (copy 2
// lies past it and differs between legs); empty when it has none.
std::string read_data_area(const std::string& path);

}  // namespace dmirror::testing
