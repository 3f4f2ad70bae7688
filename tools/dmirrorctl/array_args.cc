// SPDX-License-Identifier: LGPL-2.1-or-later
// Array names and uuids on the command line (see array_args.h).
#include "array_args.h"

#include "escape.h"

#include <dmirror/array.h>

#include <set>
#include <sys/stat.h>

namespace dmirror::cli {

bool is_array_key(const std::string& arg) {
  struct stat st {};
  return !arg.empty() && arg.find('/') == std::string::npos && ::stat(arg.c_str(), &st) != 0;
}

Result<std::vector<std::string>> legs_of_array(const std::string& arg) {
  const std::string key = unescape_arg(arg);  // "db\x2dmain" from a systemd unit instance
  DMIRROR_ASSIGN_OR_RETURN(auto found, scan_legs({}));
  std::vector<std::string> paths;
  std::set<Uuid> arrays;
  for (const auto& f : found) {
    const Superblock& sb = f.meta.sb;
    if (sb.name != key && sb.array_uuid.str() != key && sb.array_uuid.hex() != key) continue;
    paths.push_back(f.path);
    arrays.insert(sb.array_uuid);
  }
  if (paths.empty())
    return make_error(ErrorCode::NotFound, "no block device carries a leg of array '" + key +
                                               "'. Image files are not scanned: give the leg paths instead");
  if (arrays.size() > 1) {
    std::string uuids;
    for (const auto& u : arrays) uuids += (uuids.empty() ? "" : ", ") + u.str();
    return make_error(ErrorCode::InvalidArgument, "several arrays are named '" + key + "' (uuids " + uuids +
                                                      "); give the uuid or the leg paths of the one you mean");
  }
  return paths;
}

Result<std::vector<std::vector<std::string>>> arrays_of_args(const std::vector<std::string>& args) {
  // One existing path makes them all leg paths (a leg that vanished is
  // then reported missing, not looked up as a name).
  for (const auto& a : args)
    if (!is_array_key(a)) return std::vector<std::vector<std::string>>{args};
  std::vector<std::vector<std::string>> out;
  for (const auto& a : args) {
    DMIRROR_ASSIGN_OR_RETURN(auto legs, legs_of_array(a));
    out.push_back(std::move(legs));
  }
  return out;
}

}  // namespace dmirror::cli
