// SPDX-License-Identifier: LGPL-2.1-or-later
// Hidden `dmirrorctl __complete [SUBCOMMAND]`: the words shell completions
// offer, read from the CLI11 app itself so they never drift from the parser.
// Without an argument: the subcommands, then the global options. With one:
// that subcommand's options, then the global options. One word per line.
#include "commands.h"

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

void print_options(const CLI::App& app) {
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_positional() && opt->get_lnames().empty() && opt->get_snames().empty()) continue;
    for (const auto& l : opt->get_lnames()) fmt::print("--{}\n", l);
    for (const auto& s : opt->get_snames()) fmt::print("-{}\n", s);
  }
}

int run_complete(CLI::App& root, const std::vector<std::string>& words) {
  if (words.empty()) {
    for (const CLI::App* sub : root.get_subcommands([](CLI::App*) { return true; })) {
      if (!sub->get_group().empty()) fmt::print("{}\n", sub->get_name());
    }
  } else {
    CLI::App* sub = nullptr;
    try {
      sub = root.get_subcommand(words.front());
    } catch (const CLI::OptionNotFound&) {
      return 16;
    }
    print_options(*sub);
  }
  print_options(root);
  return 0;
}

}  // namespace

Command add_complete(CLI::App& app) {
  auto words = std::make_shared<std::vector<std::string>>();
  CLI::App* sub = app.add_subcommand("__complete", "Words for shell completion");
  sub->group("");
  sub->fallthrough(false);
  sub->add_option("words", *words, "Subcommand whose options to print");
  return {sub, [&app, words] { return run_complete(app, *words); }};
}

}  // namespace dmirror::cli
