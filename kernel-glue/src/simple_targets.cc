// SPDX-License-Identifier: LGPL-2.1-or-later
// `linear` and `error` target lines.
#include <dmirror/dm/simple_targets.h>

#include "text_util.h"

namespace dmirror::dm {

TargetLine linear_target(uint64_t start, uint64_t length, const LinearParams& p) {
  return TargetLine{start, length, "linear", p.dev.str() + " " + std::to_string(p.offset_sectors)};
}

TargetLine error_target(uint64_t start, uint64_t length) { return TargetLine{start, length, "error", ""}; }

Result<DevNumber> parse_dev_number(std::string_view text) {
  auto colon = text.find(':');
  if (colon != std::string_view::npos) {
    auto maj = text::parse_uint<uint32_t>(text.substr(0, colon));
    auto min = text::parse_uint<uint32_t>(text.substr(colon + 1));
    if (maj && min) return DevNumber{*maj, *min};
  }
  return make_error(ErrorCode::InvalidArgument, "not a major:minor device number: '" + std::string(text) + "'");
}

Result<LinearParams> parse_linear_params(std::string_view params) {
  auto w = text::split_words(params);
  if (w.size() != 2)
    return make_error(ErrorCode::InvalidArgument, "linear: expected '<maj:min> <offset>', got '" +
                                                      std::string(params) + "'");
  DMIRROR_ASSIGN_OR_RETURN(DevNumber dev, parse_dev_number(w[0]));
  auto off = text::parse_uint(w[1]);
  if (!off) return make_error(ErrorCode::InvalidArgument, "linear: bad offset '" + std::string(w[1]) + "'");
  return LinearParams{dev, *off};
}

}  // namespace dmirror::dm
