// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl monitor [NAME...] [--oneshot] [--exec CMD]`: watch online
// volumes for failed legs and finished syncs. Failures are recorded in the
// array's superblocks, logged (stderr on a terminal or with --stderr, else
// syslog), and handed to the --exec hook with DMIRROR_ARRAY, DMIRROR_UUID,
// DMIRROR_EVENT, DMIRROR_LEG and DMIRROR_DEVICE in its environment. A
// failed leg is replaced by a spare of the array when one is present
// (spare_takeover.h; report only with --no-spares, or for an array whose
// spare take-over is off: `set --spare-takeover off`); the replace is finished
// once the kernel's rebuild has ended (checked after every look). Runs until SIGINT/SIGTERM, so it can be a
// systemd service (Type=simple).
#include "commands.h"
#include "exit_codes.h"
#include "journal_log.h"
#include "stop_signal.h"

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/monitor.h>
#include <dmirror/dm/online/online_readd.h>
#include <dmirror/dm/online/spare_takeover.h>

#include <fmt/format.h>

#include <atomic>
#include <set>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

namespace dmirror::cli {
namespace {


struct MonitorArgs {
  std::vector<std::string> names;
  bool oneshot = false;
  bool to_stderr = false;
  std::string exec;
  double interval = 60;
  bool no_spares = false;
};

// The identifier dmirror-monitor.service declares (SyslogIdentifier=): the
// journal files the lines under it whichever way they come.
constexpr const char* kIdent = "dmirror-monitor";

// Under the service, stderr is the journal (journal_log.h): a "<N>" line is
// filed at its priority under the unit's identifier. On a terminal or with
// --stderr, plain lines; else syslog(3), under the same identifier.
void log_line(bool to_stderr, int priority, const std::string& text) {
  if (stderr_is_journal()) log_stderr(priority, text);
  else if (to_stderr) fmt::print(stderr, "dmirrorctl monitor: {}\n", text);
  else syslog(priority, "%s", text.c_str());
}

// Runs the hook with the event in its environment; returns its status.
int run_hook(const std::string& cmd, const dm::MonitorEvent& e) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::setenv("DMIRROR_ARRAY", e.volume.c_str(), 1);
    ::setenv("DMIRROR_UUID", e.array_id.c_str(), 1);
    ::setenv("DMIRROR_EVENT", std::string(dm::monitor_event_name(e.kind)).c_str(), 1);
    ::setenv("DMIRROR_LEG", e.slot ? std::to_string(*e.slot).c_str() : "", 1);
    ::setenv("DMIRROR_DEVICE", e.leg.c_str(), 1);
    ::setenv("DMIRROR_DETAIL", e.detail.c_str(), 1);
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Volumes with a take-over started and not yet finished: finished when the
// kernel is done, whether or not its sync-finished event was seen (a
// rebuild may start and end between two looks).
std::set<std::string> g_pending;

// A failed leg recorded: a spare of the array takes over, if one is here
// and neither the array's spare policy nor --no-spares says report only.
void take_spare(dm::DmControl& dm, const MonitorArgs& a, const dm::MonitorEvent& e) {
  if (a.no_spares || !e.recorded || !e.slot) return;
  auto t = dm::take_spare(dm, e.volume, *e.slot, !a.no_spares);
  if (!t) {
    log_line(a.to_stderr, LOG_ERR, fmt::format("{}: a spare could not replace slot {}: {}", e.volume, *e.slot,
                                               t.error().describe()));
    return;
  }
  switch (t->choice) {
    case dm::TakeoverChoice::MonitorOff:
      return;
    case dm::TakeoverChoice::ArrayOff:
      log_line(a.to_stderr, LOG_WARNING,
               fmt::format("{}: spare take-over is off for this array: slot {} is not replaced by a spare (replace "
                           "it with `dmirrorctl replace {} --old {} --new DEV`, or `dmirrorctl set {} "
                           "--spare-takeover auto`)",
                           e.volume, *e.slot, e.volume, *e.slot, e.volume));
      return;
    case dm::TakeoverChoice::ReplaceInProgress:
      log_line(a.to_stderr, LOG_WARNING,
               fmt::format("{}: a replace is in progress; slot {} is not replaced by a spare until it is finished",
                           e.volume, *e.slot));
      return;
    case dm::TakeoverChoice::NoSpare:
      log_line(a.to_stderr, LOG_WARNING, fmt::format("{}: no spare present to replace slot {}", e.volume, *e.slot));
      return;
    case dm::TakeoverChoice::Take:
      break;
  }
  if (!t->started) {
    log_line(a.to_stderr, LOG_WARNING, fmt::format("{}: no spare present to replace slot {}", e.volume, *e.slot));
    return;
  }
  log_line(a.to_stderr, LOG_NOTICE,
           fmt::format("{}: spare {} (slot {}) is replacing failed slot {}; the kernel rebuilds it", e.volume,
                       t->spare_path, t->spare_slot, *e.slot));
  g_pending.insert(e.volume);
}

// A sync action ended: a spare's rebuild that is done is recorded in sync.
void finish_replace(dm::DmControl& dm, const MonitorArgs& a, const dm::MonitorEvent& e) {
  if (a.no_spares) return;
  auto done = dm::finish_replace(dm, e.volume);
  if (!done)
    log_line(a.to_stderr, LOG_ERR, fmt::format("{}: finishing the replace failed: {}", e.volume,
                                               done.error().describe()));
  else if (*done)
    log_line(a.to_stderr, LOG_NOTICE, fmt::format("{}: the replace is finished: redundancy restored", e.volume));
  if (!done || *done) g_pending.erase(e.volume);
}

// After every look: the take-overs the kernel has finished are recorded.
void finish_pending(dm::DmControl& dm, const MonitorArgs& a) {
  const std::set<std::string> pending = g_pending;
  for (const auto& volume : pending) {
    dm::MonitorEvent e;
    e.kind = dm::MonitorEventKind::SyncFinished;
    e.volume = volume;
    finish_replace(dm, a, e);
  }
}

// A sync action ended: a leg re-added from the bitmap that the kernel has
// recovered is recorded in sync (activate --incremental stopped waiting).
void finish_readds(dm::DmControl& dm, const MonitorArgs& a, const dm::MonitorEvent& e) {
  auto done = dm::finish_readds(dm, e.volume);
  if (!done) {
    log_line(a.to_stderr, LOG_ERR, fmt::format("{}: recording a re-added leg in sync failed: {}", e.volume,
                                               done.error().describe()));
    return;
  }
  for (uint32_t s : *done)
    log_line(a.to_stderr, LOG_NOTICE, fmt::format("{}: slot {} recovered from the write-intent bitmap: in sync",
                                                  e.volume, s));
}

int handle(dm::DmControl& dm, const MonitorArgs& a, const std::vector<dm::MonitorEvent>& events) {
  int bits = 0;
  for (const auto& e : events) {
    const bool bad = e.kind == dm::MonitorEventKind::LegFailed;
    if (bad) bits |= kExitDegraded;
    log_line(a.to_stderr, bad ? LOG_CRIT : LOG_NOTICE, e.detail);
    if (!a.exec.empty()) {
      int rc = run_hook(a.exec, e);
      if (rc != 0) log_line(a.to_stderr, LOG_WARNING, fmt::format("hook '{}' exited {}", a.exec, rc));
    }
    if (bad) take_spare(dm, a, e);
    if (e.kind == dm::MonitorEventKind::SyncFinished) finish_replace(dm, a, e);
    if (e.kind == dm::MonitorEventKind::SyncFinished || e.kind == dm::MonitorEventKind::Appeared)
      finish_readds(dm, a, e);
  }
  finish_pending(dm, a);
  return bits;
}

int run_monitor(const Context& ctx, MonitorArgs a) {
  if (!a.to_stderr) a.to_stderr = ::isatty(STDERR_FILENO);
  if (!a.to_stderr && !stderr_is_journal()) openlog(kIdent, LOG_PID, LOG_DAEMON);
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot monitor", control.error());
  const std::atomic<bool>& stop = *stop_on_signals();
  dm::VolumeMonitor monitor(**control, a.names);
  auto first = monitor.scan();
  if (!first) return report_error(ctx, "cannot monitor", first.error());
  int bits = handle(**control, a, *first);
  if (a.oneshot && ctx.json) {
    Json doc = json_envelope();
    doc["events"] = Json::array();
    for (const auto& e : *first)
      doc["events"].push_back({{"array", e.volume}, {"uuid", e.array_id},
                               {"event", std::string(dm::monitor_event_name(e.kind))},
                               {"slot", e.slot ? Json(*e.slot) : Json(nullptr)}, {"device", e.leg},
                               {"detail", e.detail}});
    doc["exit_code"] = bits;
    print_json(doc);
  }
  if (a.oneshot) return bits;
  log_line(a.to_stderr, LOG_INFO, "watching online volumes");
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(a.interval * 1000));
  while (!stop) {
    auto evs = monitor.wait(timeout);
    if (!evs) {
      if (evs.error().code == ErrorCode::Cancelled) continue;
      return report_error(ctx, "monitor stopped", evs.error());
    }
    handle(**control, a, *evs);   // also after a quiet interval: finish_pending()
  }
  return kExitOk;
}

}  // namespace

Command add_monitor(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<MonitorArgs>();
  CLI::App* sub = app.add_subcommand("monitor", "Watch online volumes: record and report failed legs (daemon)");
  sub->add_option("names", a->names, "Volumes to watch (default: every dmirror volume)");
  sub->add_flag("--oneshot", a->oneshot,
                "Look once (recording legs that already failed) and exit: 0 nothing failed, 2 a leg failed");
  sub->add_option("--exec", a->exec,
                  "Run this shell command for every event, with DMIRROR_ARRAY, DMIRROR_UUID, DMIRROR_EVENT "
                  "(leg-failed, sync-finished, activated, deactivated), DMIRROR_LEG, DMIRROR_DEVICE, DMIRROR_DETAIL");
  sub->add_flag("--no-spares", a->no_spares,
                "Report failed legs only: do not replace them by a spare of the array (default: a spare present "
                "takes over, unless the array's spare take-over is off: dmirrorctl set --spare-takeover)");
  sub->add_flag("--stderr", a->to_stderr, "Log to stderr even when it is not a terminal (default there: syslog)");
  sub->add_option("--interval", a->interval, "Seconds between full rescans when no event arrives")
      ->capture_default_str();
  return {sub, [&ctx, a] { return run_monitor(ctx, *a); }};
}

}  // namespace dmirror::cli
