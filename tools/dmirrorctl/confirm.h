// SPDX-License-Identifier: LGPL-2.1-or-later
// The "Type 'yes'" confirmation of destructive commands. Without a terminal
// on stdin there is no prompt: the caller must refuse and ask for --yes.
#pragma once

#include <string_view>

namespace dmirror::cli {

enum class Answer { Yes, No, NoTerminal, Interrupted };

// Prints `question` on stderr and reads one line from the terminal.
Answer ask_yes(std::string_view question);

}  // namespace dmirror::cli
