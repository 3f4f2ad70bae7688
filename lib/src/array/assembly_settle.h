// SPDX-License-Identifier: LGPL-2.1-or-later
// Probing the legs of an array while another command may be committing to
// them (see assembly_settle.cc).
#pragma once

#include <dmirror/assembly.h>

#include <functional>
#include <string>
#include <vector>

namespace dmirror {

using ProbeFn = std::function<LegProbe(const std::string&)>;

// Probes every path until two rounds in a row read the same superblock
// copies (state and seqno of each), at most `max_rounds` rounds (about 2 s
// of back-off in all); when they never settle, the last round is returned
// and an Info finding says the metadata was changing.
std::vector<LegProbe> probe_settled(const std::vector<std::string>& paths, const ProbeFn& probe, Findings& findings,
                                    int max_rounds = 16);

}  // namespace dmirror
