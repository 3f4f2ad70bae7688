// SPDX-License-Identifier: LGPL-2.1-or-later
// --rate-file FILE: a rate limit (a SIZE per second, "20M") the
// administrator may change while an operation runs; it is re-read between
// chunks. A file that cannot be read or holds no valid rate never means
// "unlimited": the last valid rate is kept and the problem is reported
// once (until the file is valid again). At the start it must be valid.
#pragma once

#include <dmirror/result.h>

#include <cstdint>
#include <memory>
#include <string>

namespace dmirror::cli {

class RateFile {
 public:
  // Reads FILE once: an error (InvalidArgument, naming the file and what is
  // wrong in it) when it has no valid rate now.
  static Result<std::shared_ptr<RateFile>> open(std::string path);
  // The rate in the file now, or the last valid one (with one warning).
  uint64_t rate();

 private:
  Result<uint64_t> read() const;
  std::string path_;
  uint64_t last_ = 0;
  bool warned_ = false;
};

}  // namespace dmirror::cli
