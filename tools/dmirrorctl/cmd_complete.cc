// SPDX-License-Identifier: LGPL-2.1-or-later
// Hidden `dmirrorctl __complete`: the words shell completions offer, read
// from the CLI11 app and from the system itself so they never drift. One
// word per line.
//   __complete                 the commands, then the global options
//   __complete CMD [SUB]       CMD's subcommands (io: read, write) and
//                              options, then the global options
//   __complete --values CMD [SUB]  CMD's options that take a value
//   __complete --arrays        array names: from the superblocks on the block
//                              devices, and the active volumes (device-mapper)
//   __complete --legs WORDS    the slots and legs of the array WORDS name
//                              (names, uuids or leg paths): "0<TAB>a.img (in_sync)"
//   __complete --active        the active volumes
//   __complete --free-devices  block devices create may use (complete_words.h)
#include "commands.h"
#include "complete_words.h"
#include "exit_codes.h"

#include <dmirror/array.h>
#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/dm_names.h>
#include <dmirror/names.h>

#include <fmt/format.h>

#include <set>

namespace dmirror::cli {
namespace {

struct CompleteArgs {
  std::vector<std::string> words;
  bool values = false, arrays = false, legs = false, active = false, free_devices = false;
};

// Each word once: a command's own --help and the root's are one word.
void print_options(const CLI::App& app, bool values_only, std::set<std::string>& said) {
  auto say = [&](const std::string& w) {
    if (said.insert(w).second) fmt::print("{}\n", w);
  };
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_positional() && opt->get_lnames().empty() && opt->get_snames().empty()) continue;
    if (values_only && opt->get_expected_max() == 0) continue;
    for (const auto& l : opt->get_lnames()) say("--" + l);
    for (const auto& s : opt->get_snames()) say("-" + s);
  }
}

void print_subcommands(CLI::App& app) {
  if (app.get_parent() == nullptr) fmt::print("help\n");
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (!sub->get_group().empty()) fmt::print("{}\n", sub->get_name());
  }
}

int print_arrays() {
  std::set<std::string> names;
  if (auto found = scan_legs({})) {
    // Only names create would accept: a name read from disk must not add
    // completion words (or escape sequences) of its own.
    for (const auto& f : *found)
      if (validate_array_name(f.meta.sb.name)) names.insert(f.meta.sb.name);
  }
  dm::ControlOptions o;
  o.capture_kernel_log = false;
  if (auto control = dm::open_dm_control(o)) {
    if (auto devs = (*control)->list_devices(dm::kDmUuidPrefix)) {
      for (const auto& d : *devs) {
        auto parsed = d.uuid ? dm::parse_dm_uuid(*d.uuid) : std::nullopt;
        if (parsed && !parsed->role) names.insert(d.name);
      }
    }
  }
  for (const auto& n : names) fmt::print("{}\n", n);
  return 0;
}

int run_complete(CLI::App& root, const CompleteArgs& a) {
  if (a.arrays) return print_arrays();
  if (a.legs) return print_array_legs(a.words), 0;
  if (a.active) return print_active_volumes(), 0;
  if (a.free_devices) return print_free_devices(), 0;
  // `help [COMMAND]` (main.cc): a command word, and the commands after it.
  if (!a.words.empty() && a.words[0] == "help") {
    if (a.words.size() == 1 && !a.values)
      for (const CLI::App* sub : root.get_subcommands([](CLI::App*) { return true; }))
        if (!sub->get_group().empty()) fmt::print("{}\n", sub->get_name());
    return 0;
  }
  CLI::App* app = &root;
  for (const auto& w : a.words) {
    try {
      app = app->get_subcommand(w);
    } catch (const CLI::OptionNotFound&) {
      return kExitUsage;
    }
  }
  std::set<std::string> said;
  if (a.values) {
    print_options(*app, true, said);
    return 0;
  }
  print_subcommands(*app);
  if (app != &root) print_options(*app, false, said);
  print_options(root, false, said);
  return 0;
}

}  // namespace

Command add_complete(CLI::App& app) {
  auto a = std::make_shared<CompleteArgs>();
  CLI::App* sub = app.add_subcommand("__complete", "Words for shell completion");
  sub->group("");
  sub->fallthrough(false);
  sub->add_option("words", a->words, "Command (and subcommand) whose words to print");
  sub->add_flag("--values", a->values, "Only the options that take a value");
  sub->add_flag("--arrays", a->arrays, "Array names: on block devices and active volumes");
  sub->add_flag("--legs", a->legs, "The slots and legs of the array the words name");
  sub->add_flag("--active", a->active, "The active volumes");
  sub->add_flag("--free-devices", a->free_devices, "Block devices without a signature that create may use");
  return {sub, [&app, a] { return run_complete(app, *a); }};
}

}  // namespace dmirror::cli
