// SPDX-License-Identifier: LGPL-2.1-or-later
// Hidden `dmirrorctl __man [COMMAND]`: the generated parts of the man pages
// (NAME, SYNOPSIS, OPTIONS, COMMANDS, EXIT STATUS) in roff, read from the
// CLI11 app itself, so pages and --help cannot drift. The build puts the
// hand-written prose of docs/man/<page>.in where the output says
// @DESCRIPTION@ (docs/man/CMakeLists.txt).
#include "commands.h"
#include "exit_codes.h"

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

// roff-safe text: backslashes, leading dots/quotes, and hyphens in options.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
    line_start = c == '\n';
  }
  return out;
}

bool is_flag(const CLI::Option* o) { return o->get_expected_max() == 0; }

std::string option_names(const CLI::Option* o) {
  std::string s;
  for (const auto& n : o->get_snames()) s += (s.empty() ? "" : ", ") + fmt::format("\\fB\\-{}\\fR", n);
  for (const auto& n : o->get_lnames()) s += (s.empty() ? "" : ", ") + fmt::format("\\fB{}\\fR", roff("--" + n));
  if (!is_flag(o)) s += " \\fI" + roff(o->get_type_name().empty() ? "VALUE" : o->get_type_name()) + "\\fR";
  return s;
}

void print_options(const CLI::App& app, bool skip_help) {
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_positional() && o->get_lnames().empty() && o->get_snames().empty()) continue;
    if (skip_help && o->get_lnames() == std::vector<std::string>{"help"}) continue;
    std::string desc = o->get_description();
    if (!o->get_default_str().empty()) desc += " (default: " + o->get_default_str() + ")";
    if (o->get_required()) desc += " Required.";
    fmt::print(".TP\n{}\n{}\n", option_names(o), roff(desc));
  }
}

std::string synopsis(const CLI::App& sub, const std::string& prefix) {
  std::string s = "\\fBdmirrorctl\\fR [\\fIGLOBAL OPTIONS\\fR] \\fB" + roff(prefix + sub.get_name()) + "\\fR";
  if (!sub.get_subcommands({}).empty()) return s + " \\fISUBCOMMAND\\fR [\\fIOPTIONS\\fR]";
  s += " [\\fIOPTIONS\\fR]";
  for (const CLI::Option* o : sub.get_options()) {
    if (!o->get_positional() || !o->get_lnames().empty()) continue;
    std::string name = "\\fI" + roff(o->get_name()) + "\\fR" + (o->get_items_expected_max() > 1 ? "..." : "");
    s += o->get_required() ? " " + name : " [" + name + "]";
  }
  return s;
}

void print_exit_status(const std::string& footer) {
  fmt::print(".SH EXIT STATUS\n");
  if (!footer.empty() && footer.rfind("Exit status (bits", 0) != 0) fmt::print("{}\n.PP\n", roff(footer));
  fmt::print("Exit statuses are bits:\n");
  for (const auto& e : kExitBits) fmt::print(".TP\n.B {}\n{}\n", e.bit, roff(std::string(e.meaning)));
  fmt::print(".PP\nBits 2 and 4 come from the array's conditions (docs/array-states.md):");
  for (const auto& c : kConditionBits)
    fmt::print(" {} {}{}", roff(std::string(c.name)), c.bits, &c == &kConditionBits[std::size(kConditionBits) - 1] ? "." : ";");
  fmt::print(
      "\n.PP\nstatus, list, examine, verify and scrub OR the bits of every condition that holds. create, "
      "activate, deactivate, resync, replace, io, clear and wipe exit 0 when done (1: something was corrected) and "
      "warn on stderr when they leave the array degraded.\n");
}

int run_man(CLI::App& root, const std::vector<std::string>& words) {
  const std::string version = DMIRROR_VERSION;
  if (words.empty()) {
    fmt::print(".TH DMIRRORCTL 8 \"\" \"dmirror {}\" \"System Administration\"\n", version);
    fmt::print(".SH NAME\ndmirrorctl \\- {}\n", roff(root.get_description().substr(root.get_description().find(':') + 2)));
    fmt::print(".SH SYNOPSIS\n\\fBdmirrorctl\\fR [\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n");
    fmt::print(".SH DESCRIPTION\n@DESCRIPTION@\n.SH COMMANDS\n");
    for (const CLI::App* sub : root.get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_group().empty()) continue;
      fmt::print(".TP\n\\fB{}\\fR\n{}.\nSee \\fBdmirrorctl\\-{}\\fR(8).\n", roff(sub->get_name()),
                 roff(sub->get_description()), roff(sub->get_name()));
    }
    fmt::print(".SH GLOBAL OPTIONS\n");
    print_options(root, false);
    print_exit_status("");
    return 0;
  }
  CLI::App* sub = nullptr;
  try {
    sub = root.get_subcommand(words.front());
  } catch (const CLI::OptionNotFound&) {
    fmt::print(stderr, "dmirrorctl: __man: no command '{}'\n", words.front());
    return kExitUsage;
  }
  std::string upper = "DMIRRORCTL-" + sub->get_name();
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  fmt::print(".TH {} 8 \"\" \"dmirror {}\" \"System Administration\"\n", upper, version);
  fmt::print(".SH NAME\ndmirrorctl\\-{} \\- {}\n", roff(sub->get_name()), roff(sub->get_description()));
  fmt::print(".SH SYNOPSIS\n");
  const auto children = sub->get_subcommands([](CLI::App*) { return true; });
  if (children.empty()) fmt::print("{}\n", synopsis(*sub, ""));
  for (const CLI::App* c : children) fmt::print("{}\n.br\n", synopsis(*c, sub->get_name() + " "));
  fmt::print(".SH DESCRIPTION\n@DESCRIPTION@\n.SH OPTIONS\n");
  print_options(*sub, true);
  for (const CLI::App* c : children) {
    fmt::print(".SS {} {}\n{}\n", roff(sub->get_name()), roff(c->get_name()), roff(c->get_description()));
    print_options(*c, true);
  }
  fmt::print(".PP\nThe global options (\\fB\\-\\-json\\fR, \\fB\\-v\\fR, \\fB\\-h\\fR) are described in "
             "\\fBdmirrorctl\\fR(8).\n");
  print_exit_status(sub->get_footer());
  return 0;
}

}  // namespace

Command add_man(CLI::App& app) {
  auto words = std::make_shared<std::vector<std::string>>();
  CLI::App* sub = app.add_subcommand("__man", "Generated parts of the man pages (roff)");
  sub->group("");
  sub->add_option("command", *words, "Command whose page to print (none: dmirrorctl(8))");
  return {sub, [&app, words] { return run_man(app, *words); }};
}

}  // namespace dmirror::cli
