// SPDX-License-Identifier: LGPL-2.1-or-later
// NAME|UUID|LEG... on the command line: an argument that names no existing
// path (and has no '/') is an array name or uuid (hyphenated or 32 hex
// digits, as `activate` accepts), searched on the host's block devices
// (scan_legs; legs on loop devices included); otherwise the arguments are
// leg paths.
#pragma once

#include <dmirror/result.h>

#include <string>
#include <vector>

namespace dmirror::cli {

bool is_array_key(const std::string& arg);

// The devices carrying legs of the array `key`. NotFound when there are
// none; InvalidArgument when several arrays carry that name.
Result<std::vector<std::string>> legs_of_array(const std::string& key);

// For `status`: leg paths of one array (when any argument is an existing
// path or has a '/'), or names/uuids, one array each.
Result<std::vector<std::vector<std::string>>> arrays_of_args(const std::vector<std::string>& args);

}  // namespace dmirror::cli
