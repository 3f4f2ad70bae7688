// SPDX-License-Identifier: LGPL-2.1-or-later
// find_array_writer() (see dmirror/array_lock.h): who holds an array now, for
// the readers (status, list, examine), which take no lock themselves.
#include <dmirror/array_lock.h>

#include "array/lock_file.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>

namespace dmirror {
namespace {

std::optional<lockfile::FileId> file_id(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return std::nullopt;
  return lockfile::FileId{st.st_dev, st.st_ino};
}

// The lock file of `dir` naming one of `ids` whose flock a live process
// holds now (a file left by a dead holder is not flocked).
std::optional<LockHolder> from_lock_files(const std::string& dir, const std::vector<lockfile::FileId>& ids) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return std::nullopt;
  std::optional<LockHolder> found;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".lock") != 0) continue;
    const std::string path = dir + "/" + name;
    auto h = lockfile::read_holder(path);
    if (!h || std::none_of(h->legs.begin(), h->legs.end(), [&](const lockfile::FileId& leg) {
          return std::find(ids.begin(), ids.end(), leg) != ids.end();
        }))
      continue;
    auto id = file_id(path);
    auto held = id ? lockfile::flock_holder(*id, /*exclusive_only=*/true) : std::nullopt;
    if (!held) continue;
    found = LockHolder{held->pid, h->command.empty() ? held->command : h->command, h->started ? h->started : held->started};
    break;
  }
  ::closedir(d);
  return found;
}

}  // namespace

std::optional<LockHolder> find_array_writer(const std::vector<std::string>& legs, const std::string& dir) {
  std::vector<lockfile::FileId> ids;
  for (const auto& p : legs)
    if (auto id = file_id(p)) ids.push_back(*id);
  if (ids.empty()) return std::nullopt;
  if (auto h = from_lock_files(lock_directory(dir), ids)) return h;
  for (const auto& id : ids)
    if (auto h = lockfile::flock_holder(id, /*exclusive_only=*/true)) return LockHolder{h->pid, h->command, h->started};
  return std::nullopt;
}

}  // namespace dmirror
