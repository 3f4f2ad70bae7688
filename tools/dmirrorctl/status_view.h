// SPDX-License-Identifier: LGPL-2.1-or-later
// How `status` and `list` show an assembled array (text or JSON). All of it
// comes from the one assembly (assembly.h).
#pragma once

#include "output.h"

#include <dmirror/assembly.h>

namespace dmirror::cli {

void print_status_text(const Assembly& a, int verbose);
Json status_json(const Assembly& a);

// The conditions of the assembly as a JSON object (status, list, examine).
Json conditions_json(const Assembly& a);
// The live writer holding the array: {pid, command, since}, or null.
Json in_use_json(const Assembly& a);
// The split slots (FORMAT.md 2.6 rule 24), and where a split-off array came from ("" when not).
Json splits_json(const Assembly& a);
std::string split_origin_text(const Assembly& a);

// One line per slot with its role and recovery (list, verify), and the
// same as [listed_leg] JSON.
void print_roles_text(const Assembly& a);
Json roles_json(const Assembly& a);

// list: the header, then one line per array (name, uuid, legs, size, sync%,
// health) with its legs below.
void print_listed_header();
void print_listed_text(const Assembly& a);
Json listed_json(const Assembly& a);

}  // namespace dmirror::cli
