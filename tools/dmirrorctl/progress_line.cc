// SPDX-License-Identifier: LGPL-2.1-or-later
// The progress line (see progress_line.h).
#include "progress_line.h"

#include <dmirror/names.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <sys/ioctl.h>
#include <unistd.h>

namespace dmirror::cli {
namespace {

std::string duration(uint64_t s) {
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

int terminal_columns() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

std::string progress_text(const Progress& p, int columns, uint64_t elapsed_s, bool final) {
  const double pct =
      p.total_bytes ? 100.0 * static_cast<double>(p.done_bytes) / static_cast<double>(p.total_bytes) : 100.0;
  const bool done = final || (p.total_bytes && p.done_bytes >= p.total_bytes);
  const std::string rate =
      p.rate_bytes_per_sec > 0 ? format_size(static_cast<uint64_t>(p.rate_bytes_per_sec)) + "/s" : "";
  const std::string when = done             ? "in " + duration(elapsed_s)
                           : p.eta_seconds ? "ETA " + duration(*p.eta_seconds)
                                           : duration(elapsed_s) + " so far";
  const size_t width = static_cast<size_t>(std::max(columns - 1, 1));
  const std::string percent = fmt::format("{:5.1f}%", pct);
  // Widest first: a bar, the rate, the time; drop from the left of the
  // right-hand side as the terminal narrows, the percentage last.
  for (int variant = 0; variant < 4; ++variant) {
    std::string tail = percent;
    if (variant < 2 && !rate.empty()) tail += "  " + rate;
    if (variant < 3) tail += "  " + when;
    std::string head = p.phase;
    const size_t fixed = head.size() + 1 + tail.size();
    if (variant == 0 && width >= fixed + 3 + 10) {
      const size_t bar = std::min<size_t>(width - fixed - 3, 30);
      const size_t filled = static_cast<size_t>(pct / 100.0 * static_cast<double>(bar));
      return fmt::format("{} [{}{}] {}", head, std::string(filled, '#'), std::string(bar - filled, ' '), tail);
    }
    if (variant > 0 && fixed <= width) return head + " " + tail;
  }
  return percent.substr(0, width);
}

uint64_t ProgressLine::elapsed() const {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_).count());
}

void ProgressLine::draw(bool final) {
  // "\r" back to the start, then "\x1b[K" clears what a longer line left
  // (a dumb terminal gets spaces to the width instead).
  const int columns = terminal_columns();
  std::string text = progress_text(*last_, columns, elapsed(), final);
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") {
    text.resize(static_cast<size_t>(std::max(columns - 1, 1)), ' ');
    std::fprintf(stderr, "\r%s", text.c_str());
  } else {
    std::fprintf(stderr, "\r%s\x1b[K", text.c_str());
  }
  std::fflush(stderr);
}

void ProgressLine::update(const Progress& p) {
  last_ = p;
  draw(false);
}

void ProgressLine::finish() {
  if (!last_) return;
  draw(true);
  std::fprintf(stderr, "\n");
  last_.reset();
}

}  // namespace dmirror::cli
