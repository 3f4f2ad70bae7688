// SPDX-License-Identifier: LGPL-2.1-or-later
// The other names of one leg's storage, for the array lock (FORMAT.md 2.6
// rule 16). flock() locks an inode: /dev/loop0 and the image file behind it
// are different inodes, so a writer naming the legs by image file and one
// naming them by their loop devices would both get the lock. The lock
// therefore takes every name: a loop device's backing file, and every loop
// device attached to a regular file.
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

namespace dmirror::lockalias {

// For an open leg `fd` (st: its fstat): the backing file of a loop device
// (checked against the loop driver's device and inode numbers, so a renamed
// or replaced path is not taken for it), or the loop devices (/dev/loopN)
// whose backing file is the regular file `st`. Empty otherwise. Partitions
// of a loop device are other storage ranges and are not listed.
std::vector<std::string> storage_aliases(int fd, const struct stat& st);

}  // namespace dmirror::lockalias
