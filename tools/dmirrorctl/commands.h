// SPDX-License-Identifier: LGPL-2.1-or-later
// The subcommands of dmirrorctl, one file each. Each add_* registers its
// subcommand and options on the app and returns the function that runs it
// (after a successful parse) and yields the exit status.
#pragma once

#include "output.h"

#include <CLI/CLI.hpp>

#include <functional>

namespace dmirror::cli {

using Runner = std::function<int()>;
struct Command {
  CLI::App* sub = nullptr;
  Runner run;
};

Command add_create(CLI::App& app, const Context& ctx);
Command add_examine(CLI::App& app, const Context& ctx);
Command add_status(CLI::App& app, const Context& ctx);
Command add_list(CLI::App& app, const Context& ctx);
Command add_resync(CLI::App& app, const Context& ctx);
Command add_verify(CLI::App& app, const Context& ctx);
Command add_scrub(CLI::App& app, const Context& ctx);
Command add_clear(CLI::App& app, const Context& ctx);
Command add_replace(CLI::App& app, const Context& ctx);
Command add_io(CLI::App& app, const Context& ctx);
Command add_activate(CLI::App& app, const Context& ctx);
Command add_deactivate(CLI::App& app, const Context& ctx);
Command add_monitor(CLI::App& app, const Context& ctx);
Command add_wipe(CLI::App& app, const Context& ctx);
Command add_add(CLI::App& app, const Context& ctx);
Command add_remove(CLI::App& app, const Context& ctx);
Command add_split(CLI::App& app, const Context& ctx);
Command add_merge(CLI::App& app, const Context& ctx);
Command add_set(CLI::App& app, const Context& ctx);
// Hidden: prints subcommands / options for the shell completions.
Command add_complete(CLI::App& app);
// Hidden: does a device carry dmirror metadata (for the udev rule).
Command add_probe(CLI::App& app);
// Hidden: the generated parts of the man pages.
Command add_man(CLI::App& app);

// Set while metadata is being written: SIGINT is then deferred until the
// write completes instead of ending the process mid-write.
void set_writing(bool writing);
bool interrupted();

}  // namespace dmirror::cli
