// SPDX-License-Identifier: LGPL-2.1-or-later
// The progress line of the long operations on a terminal: fitted to the
// terminal's width (asked at every redraw, so a resized window, SIGWINCH,
// takes effect at the next update), redrawn in place with the rest of the
// line cleared (no characters of a longer line left behind), and ended with
// the elapsed time.
#pragma once

#include <dmirror/progress.h>

#include <chrono>
#include <optional>
#include <string>

namespace dmirror::cli {

// The text of one update for a terminal `columns` wide (at most
// columns - 1 characters, so the cursor never wraps). `elapsed_s` is shown
// once done (done == total) or when `final` is set.
std::string progress_text(const Progress& p, int columns, uint64_t elapsed_s, bool final);

class ProgressLine {
 public:
  void update(const Progress& p);
  // Redraws the last update as final (elapsed time) and ends the line.
  void finish();

 private:
  std::optional<Progress> last_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  uint64_t elapsed() const;
  void draw(bool final);
};

}  // namespace dmirror::cli
