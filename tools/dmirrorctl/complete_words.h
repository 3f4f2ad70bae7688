// SPDX-License-Identifier: LGPL-2.1-or-later
// The words `dmirrorctl __complete` offers besides commands and options,
// read from the system, one per line as "WORD<TAB>description" (bash keeps
// the word, zsh and fish show the description):
//   legs of an array     the slot numbers and paths of the array named by
//                        the words on the command line (names, uuids or
//                        leg paths), for --from, --old, --leg, --prefer
//   active volumes       the dmirror volumes device-mapper has (deactivate)
//   free block devices   devices create may use: no signature, no holder,
//                        not mounted or swap, not the root disk, not zram
//                        or another RAM disk, not read-only (create, --new)
#pragma once

#include <string>
#include <vector>

namespace dmirror::cli {

void print_array_legs(const std::vector<std::string>& array_words);
void print_active_volumes();
void print_free_devices();

}  // namespace dmirror::cli
