// SPDX-License-Identifier: LGPL-2.1-or-later
// Shared by the commands that run the engine or an offline operation
// (resync, verify, scrub, replace, io): NAME|LEG... resolution, opening
// the legs, a progress line for terminals, SIGINT as a cancel request, and
// the JSON form of mismatches and findings.
#pragma once

#include "json_model.h"
#include "output.h"

#include <dmirror/findings.h>
#include <dmirror/legs.h>
#include <dmirror/progress.h>
#include <dmirror/verify.h>

#include <atomic>
#include <string>
#include <vector>

namespace dmirror::cli {

// A single argument that is not a path is an array name or uuid, searched
// on the block devices (array_args.h); otherwise the arguments are leg paths.
Result<std::vector<std::string>> resolve_legs(const std::vector<std::string>& args);

// Set by SIGINT while an operation that checkpoints is running.
const std::atomic<bool>* install_cancel_handler();
// Requests the same cancel from elsewhere (async-signal-safe).
void request_cancel();

// A one-line progress bar with rate and ETA, redrawn on stderr; only when
// stderr is a terminal and the output is not JSON.
ProgressFn progress_printer(const Context& ctx);
void end_progress(const Context& ctx);

Json mismatch_json(const Mismatch& m);
void print_findings_text(const Findings& findings);

// "--from LEG": a slot number, or the path of one of the legs given.
Result<uint32_t> parse_leg_choice(const std::string& text, const std::vector<std::string>& paths);
// The leg uuid of `text` when it is one of `paths` carrying a superblock
// (a slot number, or an unreadable leg: none).
std::optional<Uuid> leg_uuid_of(const std::string& text, const std::vector<std::string>& paths);

}  // namespace dmirror::cli
