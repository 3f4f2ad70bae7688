// SPDX-License-Identifier: LGPL-2.1-or-later
// ScrubLock: an exclusive flock on <dir>/<array uuid>.lock, held for the
// life of the object, so two scrubs never run on one array.
#pragma once

#include <dmirror/result.h>
#include <dmirror/uuid.h>

#include <memory>
#include <string>

namespace dmirror::ops {

class ScrubLock {
 public:
  // Errors: Busy (held by another process or object), or the error of
  // creating the directory / file.
  static Result<std::unique_ptr<ScrubLock>> acquire(const std::string& dir, const Uuid& array);
  ~ScrubLock();
  const std::string& path() const { return path_; }

 private:
  ScrubLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace dmirror::ops
