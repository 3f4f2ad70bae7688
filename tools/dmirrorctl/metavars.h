// SPDX-License-Identifier: LGPL-2.1-or-later
// The placeholders of option values in --help and the man pages: what the
// value is (SIZE, RATE, DURATION, LEG, FILE...), never the C++ type CLI11
// would show (TEXT, UINT). One table for every command, so that the same
// option reads the same everywhere.
#pragma once

#include <CLI/CLI.hpp>

namespace dmirror::cli {

// Sets the type name of every option and positional of `app` and of its
// subcommands (recursively) from the table in metavars.cc.
void set_metavars(CLI::App& app);

}  // namespace dmirror::cli
