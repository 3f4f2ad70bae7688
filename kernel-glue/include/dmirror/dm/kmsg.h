// SPDX-License-Identifier: LGPL-2.1-or-later
// Reading the kernel log through /dev/kmsg. When a table load fails with
// EINVAL the only detailed reason (a target constructor's error, such as
// "raid: Supplied region size is too small") is a device-mapper line in the
// kernel log; KmsgCapture collects the records logged while a command ran.
#pragma once

#include <dmirror/export.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror::dm {

/// The message text of one /dev/kmsg record ("6,123,456,-;text\n KEY=v"),
/// or nullopt when the record is malformed.
DMIRROR_EXPORT std::optional<std::string> kmsg_record_text(std::string_view record);

/// Keeps only device-mapper lines; when `device` ("254:3") is given and some
/// lines mention it, only those. Joined with "; ".
DMIRROR_EXPORT std::string dm_reason_from_log(const std::vector<std::string>& lines,
                                              std::string_view device = {});

class DMIRROR_EXPORT KmsgCapture {
 public:
  /// Opens /dev/kmsg non-blocking, positioned after the newest record. A
  /// capture that could not open the log simply yields nothing.
  explicit KmsgCapture(const char* path = "/dev/kmsg");
  ~KmsgCapture();
  KmsgCapture(const KmsgCapture&) = delete;
  KmsgCapture& operator=(const KmsgCapture&) = delete;

  /// Texts of the records logged since construction (or the previous call).
  std::vector<std::string> read_new();

 private:
  int fd_ = -1;
};

}  // namespace dmirror::dm
