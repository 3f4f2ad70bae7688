// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl monitor [NAME...] [--oneshot] [--exec CMD]`: watch online
// volumes for failed legs and finished syncs. Failures are recorded in the
// array's superblocks, logged (stderr on a terminal or with --stderr, else
// syslog), and handed to the --exec hook with DMIRROR_ARRAY, DMIRROR_UUID,
// DMIRROR_EVENT, DMIRROR_LEG and DMIRROR_DEVICE in its environment. A
// failed leg is replaced by a spare of the array when one is present
// (spare_takeover.h; report only with --no-spares, or for an array whose
// spare take-over is off: `set --spare-takeover off`); the replace is finished
// once the kernel's rebuild has ended (checked after every look). Every
// metadata write is made under the array lock, and waits while another
// command holds the array. Runs until SIGINT/SIGTERM, so it can be a
// systemd service (Type=simple).
#include "array_lock_cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "journal_log.h"
#include "stop_signal.h"

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/monitor.h>
#include <dmirror/dm/online/online_readd.h>
#include <dmirror/dm/online/online_status.h>
#include <dmirror/dm/online/spare_takeover.h>

#include <fmt/format.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
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

// The monitor's writes wait for no one: while another command holds an
// array (an admin's replace, a scrub), what the monitor would write is
// deferred and tried again after every look, so the two never write the
// same metadata at once (FORMAT.md 2.6 rule 16).
struct Deferred {
  std::set<std::string> finish;                              // replaces to finish once the kernel is done
  std::set<std::pair<std::string, uint32_t>> takeover;       // failed slots waiting to take a spare
  std::set<std::string> readds;                              // re-adds to record in sync
};
Deferred g_deferred;

// The array lock of the active volume, as the monitor takes it; nullopt
// when it is busy (logged once per array and reason).
std::optional<std::optional<ArrayLock>> lock_for(dm::DmControl& dm, const MonitorArgs& a, const std::string& volume,
                                                 const std::string& what) {
  static std::set<std::string> told;   // said once per holder, until the array is free again
  auto held = lock_active_volume(dm, volume);
  if (held) {
    std::erase_if(told, [&](const std::string& l) { return l.rfind(volume + ": ", 0) == 0; });
    return std::move(*held);
  }
  const std::string line = fmt::format("{}: {} waits: {}", volume, what, held.error().message);
  if (told.insert(line).second) log_line(a.to_stderr, LOG_NOTICE, line);
  return std::nullopt;
}

// The kernel syncing the volume, or not yet at its table's leg count.
bool kernel_busy(dm::DmControl& dm, const std::string& volume) {
  auto st = dm::online_status_by_name(dm, volume);
  return st && (st->raid.action != dm::SyncAction::Idle || st->raid.positions_pending());
}

// A line logged once (a retry after every look says nothing new).
void log_once(const MonitorArgs& a, int priority, const std::string& line) {
  static std::set<std::string> said;
  if (said.insert(line).second) log_line(a.to_stderr, priority, line);
}

// A failed leg recorded: a spare of the array takes over, if one is here
// and neither the array's spare policy nor --no-spares says report only.
void take_spare(dm::DmControl& dm, const MonitorArgs& a, const std::string& volume, uint32_t slot) {
  auto held = lock_for(dm, a, volume, "taking a spare");
  if (!held) {
    g_deferred.takeover.insert({volume, slot});
    return;
  }
  g_deferred.takeover.erase({volume, slot});
  auto t = dm::take_spare(dm, volume, slot, !a.no_spares);
  if (!t) {
    log_line(a.to_stderr, LOG_ERR, fmt::format("{}: a spare could not replace slot {}: {}", volume, slot,
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
                           volume, slot, volume, slot, volume));
      return;
    case dm::TakeoverChoice::ReplaceInProgress:
      // Taken up again after every look: once the replace is finished (or
      // undone), the spare takes over if the slot is still failed.
      log_once(a, LOG_WARNING,
               fmt::format("{}: a replace is in progress; slot {} is replaced by a spare once it is finished",
                           volume, slot));
      g_deferred.takeover.insert({volume, slot});
      return;
    case dm::TakeoverChoice::NotFailed:
      return;
    case dm::TakeoverChoice::NoSpare:
      log_line(a.to_stderr, LOG_WARNING, fmt::format("{}: no spare present to replace slot {}", volume, slot));
      return;
    case dm::TakeoverChoice::Take:
      break;
  }
  if (!t->started) {
    log_line(a.to_stderr, LOG_WARNING, fmt::format("{}: no spare present to replace slot {}", volume, slot));
    return;
  }
  log_line(a.to_stderr, LOG_NOTICE,
           fmt::format("{}: spare {} (slot {}) is replacing failed slot {}; the kernel rebuilds it", volume,
                       t->spare_path, t->spare_slot, slot));
  g_deferred.finish.insert(volume);
}

// A sync action ended (or a look after one): a replace the kernel has
// rebuilt is recorded finished. Also one an interrupted `replace` left:
// whoever holds the array lock first finishes it, the other finds it done.
void finish_replace(dm::DmControl& dm, const MonitorArgs& a, const std::string& volume) {
  if (a.no_spares) return;
  // The array is taken only once the kernel is idle: while it rebuilds, the
  // lock would only keep the administrator's commands out.
  if (kernel_busy(dm, volume)) {
    g_deferred.finish.insert(volume);
    return;
  }
  auto held = lock_for(dm, a, volume, "finishing the replace");
  if (!held) {
    g_deferred.finish.insert(volume);
    return;
  }
  auto done = dm::finish_replace(dm, volume);
  if (!done)
    log_line(a.to_stderr, LOG_ERR, fmt::format("{}: finishing the replace failed: {}", volume,
                                               done.error().describe()));
  else if (*done == dm::ReplaceProgress::Finished)
    log_line(a.to_stderr, LOG_NOTICE, fmt::format("{}: the replace is finished: redundancy restored", volume));
  // Rebuilding: the kernel's own superblock may lag its status by a moment;
  // tried again after every look until the replace is done or gone.
  if (done && *done == dm::ReplaceProgress::Rebuilding) g_deferred.finish.insert(volume);
  else g_deferred.finish.erase(volume);
}

// A sync action ended: a leg re-added from the bitmap that the kernel has
// recovered is recorded in sync (activate --incremental stopped waiting).
void finish_readds(dm::DmControl& dm, const MonitorArgs& a, const std::string& volume) {
  auto held = lock_for(dm, a, volume, "recording a re-added leg");
  if (!held) {
    g_deferred.readds.insert(volume);
    return;
  }
  g_deferred.readds.erase(volume);
  auto done = dm::finish_readds(dm, volume);
  if (!done) {
    log_line(a.to_stderr, LOG_ERR, fmt::format("{}: recording a re-added leg in sync failed: {}", volume,
                                               done.error().describe()));
    return;
  }
  for (uint32_t s : *done)
    log_line(a.to_stderr, LOG_NOTICE, fmt::format("{}: slot {} recovered from the write-intent bitmap: in sync",
                                                  volume, s));
}

// After every look: what waited for an array, or for the kernel.
void retry_deferred(dm::DmControl& dm, const MonitorArgs& a) {
  const Deferred now = g_deferred;
  for (const auto& [volume, slot] : now.takeover)   // a replace in progress ends idle
    if (!a.no_spares && !kernel_busy(dm, volume)) take_spare(dm, a, volume, slot);
  for (const auto& volume : now.finish) finish_replace(dm, a, volume);
  for (const auto& volume : now.readds) finish_readds(dm, a, volume);
}

int handle(dm::DmControl& dm, const MonitorArgs& a, const std::vector<dm::MonitorEvent>& events) {
  int bits = 0;
  for (const auto& e : events) {
    const bool bad = e.kind == dm::MonitorEventKind::LegFailed;
    if (bad) bits |= kExitDegraded;
    log_line(a.to_stderr, bad && !e.late ? LOG_CRIT : LOG_NOTICE, e.detail);
    if (!a.exec.empty() && !e.late) {   // a late record was announced (and hooked) when it failed
      int rc = run_hook(a.exec, e);
      if (rc != 0) log_line(a.to_stderr, LOG_WARNING, fmt::format("hook '{}' exited {}", a.exec, rc));
    }
    if (bad && e.recorded && e.slot && !a.no_spares) take_spare(dm, a, e.volume, *e.slot);
    if (e.kind == dm::MonitorEventKind::SyncFinished) finish_replace(dm, a, e.volume);
    if (e.kind == dm::MonitorEventKind::SyncFinished || e.kind == dm::MonitorEventKind::Appeared)
      finish_readds(dm, a, e.volume);
    if (e.kind == dm::MonitorEventKind::Disappeared) {
      g_deferred.finish.erase(e.volume);
      std::erase_if(g_deferred.takeover, [&](const auto& t) { return t.first == e.volume; });
      g_deferred.readds.erase(e.volume);
    }
  }
  retry_deferred(dm, a);
  return bits;
}

int run_monitor(const Context& ctx, MonitorArgs a) {
  if (!a.to_stderr) a.to_stderr = ::isatty(STDERR_FILENO);
  if (!a.to_stderr && !stderr_is_journal()) openlog(kIdent, LOG_PID, LOG_DAEMON);
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot monitor", control.error());
  const std::atomic<bool>& stop = *stop_on_signals();
  dm::DmControl& dm = **control;
  auto writer_lock = [&dm, &a](const std::string& volume) -> Result<std::shared_ptr<void>> {
    DMIRROR_ASSIGN_OR_RETURN(auto held, lock_active_volume(dm, volume));
    return std::shared_ptr<void>(std::make_shared<std::optional<ArrayLock>>(std::move(held)));
  };
  dm::VolumeMonitor monitor(dm, a.names, writer_lock);
  auto first = monitor.scan();
  if (!first) return report_error(ctx, "cannot monitor", first.error());
  // What the kernel finished before the monitor started (a replace or a
  // re-add whose command stopped waiting) is recorded now.
  for (const auto& volume : monitor.volumes()) {
    g_deferred.finish.insert(volume);
    g_deferred.readds.insert(volume);
  }
  int bits = handle(dm, a, *first);
  if (a.oneshot && ctx.json) {
    Json doc = json_envelope();
    doc["events"] = Json::array();
    for (const auto& e : *first)
      doc["events"].push_back({{"array", e.volume}, {"uuid", e.array_id},
                               {"event", std::string(dm::monitor_event_name(e.kind))},
                               {"slot", e.slot ? Json(*e.slot) : Json(nullptr)}, {"device", e.leg},
                               {"detail", e.detail}, {"recorded", e.recorded}});
    doc["exit_code"] = bits;
    print_json(doc);
  }
  if (a.oneshot) return bits;
  log_line(a.to_stderr, LOG_INFO, "watching online volumes");
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(a.interval * 1000));
  while (!stop) {
    auto evs = monitor.wait(timeout, stop_signal_fd());
    if (!evs) {
      if (evs.error().code == ErrorCode::Cancelled) continue;
      return report_error(ctx, "monitor stopped", evs.error());
    }
    handle(dm, a, *evs);   // also after a quiet interval: what was deferred is tried again
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
