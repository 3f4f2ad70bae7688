// SPDX-License-Identifier: LGPL-2.1-or-later
// The re-read rate limit (see rate_file.h).
#include "rate_file.h"

#include "escape.h"
#include "journal_log.h"

#include <dmirror/names.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <syslog.h>

namespace dmirror::cli {

Result<std::shared_ptr<RateFile>> RateFile::open(std::string path) {
  auto rf = std::make_shared<RateFile>();
  rf->path_ = std::move(path);
  DMIRROR_ASSIGN_OR_RETURN(rf->last_, rf->read());
  return rf;
}

Result<uint64_t> RateFile::read() const {
  std::ifstream in(path_);
  if (!in)
    return make_error(ErrorCode::InvalidArgument,
                      fmt::format("cannot read the rate file '{}': {}", printable(path_), std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  std::string word, extra;
  text >> word >> extra;
  if (word.empty() || !extra.empty())
    return make_error(ErrorCode::InvalidArgument,
                      fmt::format("the rate file '{}' holds {} instead of one rate per second such as 20M",
                                  printable(path_), word.empty() ? "nothing" : "more than one word"));
  auto r = parse_size(word);
  if (!r)
    return make_error(ErrorCode::InvalidArgument,
                      fmt::format("the rate file '{}' holds no valid rate: {}", printable(path_), r.error().describe()));
  return *r;
}

uint64_t RateFile::rate() {
  auto r = read();
  if (r) {
    last_ = *r;
    warned_ = false;
    return last_;
  }
  if (!warned_) {
    log_stderr(LOG_WARNING, fmt::format("dmirrorctl: warning: {}; keeping the last valid rate, {}", printable_message(r.error().describe()),
                                        last_ ? format_size(last_) + "/s" : std::string("unlimited")));
    warned_ = true;
  }
  return last_;
}

}  // namespace dmirror::cli
