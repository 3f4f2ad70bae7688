// SPDX-License-Identifier: LGPL-2.1-or-later
// dmirrorctl entry point: global options, subcommand dispatch, CLI11 parse
// errors mapped to the usage exit code, and SIGINT mapped to "cancelled".
#include "commands.h"
#include "escape.h"
#include "exit_codes.h"
#include "metavars.h"
#include "suggest.h"

#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

namespace dmirror::cli {
namespace {

std::atomic<bool> g_writing{false};
std::atomic<bool> g_interrupted{false};

void on_sigint(int) {
  g_interrupted = true;
  if (!g_writing) {
    static const char msg[] = "\ndmirrorctl: interrupted; nothing was written.\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(kExitCancelled);
  }
}

void install_sigint() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a pending prompt read returns EINTR
  sigaction(SIGINT, &sa, nullptr);
}

// The command word: the first argument that is not a global option.
size_t command_index(const std::vector<std::string>& args) {
  size_t i = 1;
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-' && args[i] != "--") ++i;
  return i;
}

int unknown_command(const Context& ctx, const std::string& word, const std::vector<std::string>& names) {
  std::string why = "unknown command '" + printable(word) + "'";
  if (auto near = nearest_word(word, names)) why += "; did you mean '" + *near + "'?";
  else why += ".";
  return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                        why + " Run 'dmirrorctl help' for the list of commands");
}

}  // namespace

void set_writing(bool writing) { g_writing = writing; }
bool interrupted() { return g_interrupted; }

int run(int argc, char** argv) {
  Context ctx;
  CLI::App app{"dmirrorctl: create, inspect and check dmirror block-device mirrors (RAID1)", "dmirrorctl"};
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("-V,--version", "dmirrorctl " DMIRROR_VERSION);
  app.add_flag("--json", ctx.json, "Print a JSON document (with output_version) instead of text");
  app.add_flag("-v,--verbose", ctx.verbose, "Show more detail (repeat for more)");
  app.footer(exit_code_help());

  const Command commands[] = {add_create(app, ctx), add_examine(app, ctx), add_status(app, ctx),
                              add_list(app, ctx), add_resync(app, ctx), add_verify(app, ctx),
                              add_scrub(app, ctx), add_clear(app, ctx), add_replace(app, ctx), add_add(app, ctx),
                              add_remove(app, ctx), add_split(app, ctx), add_merge(app, ctx), add_set(app, ctx), add_io(app, ctx),
                              add_activate(app, ctx), add_deactivate(app, ctx),
                              add_monitor(app, ctx), add_wipe(app, ctx),
                              add_complete(app), add_probe(app), add_man(app)};
  set_metavars(app);

  // `help [COMMAND]` is --help; an unknown command is named, with the
  // nearest one (CLI11 would only say that a subcommand is required).
  std::vector<std::string> args(argv, argv + argc);
  for (const auto& a : args)
    if (a == "--json") ctx.json = true;
  std::vector<std::string> names{"help"};
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    if (!sub->get_group().empty()) {
      names.push_back(sub->get_name());
      for (const std::string& alias : sub->get_aliases()) names.push_back(alias);   // merge's `rejoin`
    }
  auto known = [&](const std::string& w) {
    return std::find(names.begin(), names.end(), w) != names.end() || w.starts_with("__");
  };
  if (const size_t cmd = command_index(args); cmd < args.size()) {
    if (args[cmd] == "help") {
      const bool topic = cmd + 1 < args.size() && !args[cmd + 1].starts_with("-");
      if (topic && !known(args[cmd + 1])) return unknown_command(ctx, args[cmd + 1], names);
      std::vector<std::string> as_help(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(cmd));
      if (topic && args[cmd + 1] != "help") as_help.push_back(args[cmd + 1]);
      as_help.push_back("--help");
      args = std::move(as_help);
    } else if (!known(args[cmd])) {
      return unknown_command(ctx, args[cmd], names);
    }
  }
  ctx.json = false;

  try {
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    app.parse(static_cast<int>(av.size()), av.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    for (int i = 1; i < argc; ++i) {
      if (std::strcmp(argv[i], "--json") == 0) ctx.json = true;
    }
    std::string why = e.what();
    while (!why.empty() && (why.back() == '.' || why.back() == '\n')) why.pop_back();
    return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                          why + ". Run 'dmirrorctl --help' or 'dmirrorctl COMMAND --help' for usage");
  }
  install_sigint();
  for (const auto& c : commands) {
    if (c.sub->parsed()) return c.run();
  }
  return kExitUsage;
}

}  // namespace dmirror::cli

int main(int argc, char** argv) { return dmirror::cli::run(argc, argv); }
