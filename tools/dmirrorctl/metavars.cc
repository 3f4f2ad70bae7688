// SPDX-License-Identifier: LGPL-2.1-or-later
// The metavar table (see metavars.h). SIZE and RATE accept the suffixes of
// parse_size (names.h): K, M, G, T and KiB... are powers of 1024, kB, MB,
// GB, TB powers of 1000; a RATE is a SIZE per second.
#include "metavars.h"

#include <string>
#include <string_view>
#include <utility>

namespace dmirror::cli {
namespace {

struct Metavar {
  std::string_view command;  // empty: any command
  std::string_view option;   // long name ("--from") or positional name
  std::string_view metavar;
};

constexpr Metavar kMetavars[] = {
    // Command-specific first.
    {"write", "--from", "FILE"},
    {"write", "array", "NAME|LEG"},
    {"read", "array", "NAME|LEG"},
    {"activate", "array", "NAME|UUID|LEG"},
    {"status", "array", "NAME|UUID|LEG"},
    {"__complete", "words", "WORD"},
    {"__man", "command", "COMMAND"},
    // Any command.
    {"", "array", "NAME|LEG"},
    {"", "legs", "LEG"},
    {"", "name", "NAME"},
    {"", "names", "NAME"},
    {"", "files", "FILE"},
    {"", "device", "DEVICE"},
    {"", "--from", "LEG"},
    {"", "--leg", "LEG"},
    {"", "--name", "NAME"},
    {"merge", "arrays", "NAME|LEG"},
    {"", "--with", "LEG"},
    {"", "--old", "LEG"},
    {"", "--prefer", "LEG"},
    {"", "--write-mostly", "LEG"},
    {"", "--no-write-mostly", "LEG"},
    {"", "--new", "DEVICE"},
    {"", "--region-size", "SIZE"},
    {"", "--offset", "SIZE"},
    {"", "--length", "SIZE"},
    {"", "--max-rate", "RATE"},
    {"", "--min-recovery-rate", "RATE"},
    {"", "--max-recovery-rate", "RATE"},
    {"", "--max-runtime", "DURATION"},
    {"", "--interval", "SECONDS"},
    {"", "--degraded-timeout", "SECONDS|never"},
    {"", "--spare-takeover", "auto|off"},
    {"", "--max-write-behind", "N"},
    {"", "--events", "N"},
    {"", "--rate-file", "FILE"},
    {"", "--report", "FILE"},
    {"", "--to", "FILE"},
    {"", "--lock-dir", "DIR"},
    {"", "--run-dir", "DIR"},
    {"", "--exec", "COMMAND"},
};

std::string_view metavar_for(std::string_view command, std::string_view option) {
  for (const auto& m : kMetavars)
    if ((m.command.empty() || m.command == command) && m.option == option) return m.metavar;
  return {};
}

}  // namespace

void set_metavars(CLI::App& app) {
  for (CLI::Option* o : app.get_options()) {
    if (o->get_type_size() == 0) continue;  // a flag
    const std::string name = o->get_lnames().empty() ? o->get_name() : "--" + o->get_lnames().front();
    if (auto m = metavar_for(app.get_name(), name); !m.empty()) o->type_name(std::string(m));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) set_metavars(*sub);
}

}  // namespace dmirror::cli
