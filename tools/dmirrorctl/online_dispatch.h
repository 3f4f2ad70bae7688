// SPDX-License-Identifier: LGPL-2.1-or-later
// The online halves of `scrub`, `replace`, `add` and `remove`. The offline commands call
// these first: when a dm device of the array exists the kernel does the
// work (the offline engine must not touch an active array), and the
// returned exit status is final; nullopt means "not active: go offline".
#pragma once

#include "output.h"

#include <optional>
#include <string>
#include <vector>

namespace dmirror::cli {

/// The name of the active volume of the array the arguments designate
/// (a volume name, or leg paths), or nullopt when it is not active or
/// device-mapper is not available.
std::optional<std::string> active_volume_of(const std::vector<std::string>& args);

/// `scrub` on an active volume: the kernel's check; its repair only when
/// `from` (a slot number or a leg's path) names the leg the kernel repairs
/// from. `offline_only` names an option the online scrub does not have
/// (empty: none).
std::optional<int> try_online_scrub(const Context& ctx, const std::vector<std::string>& args, bool check_only,
                                    const std::string& from, const std::string& offline_only);

/// `replace --old --new` on an active volume.
std::optional<int> try_online_replace(const Context& ctx, const std::vector<std::string>& args,
                                      const std::string& old_leg, const std::string& new_dev, bool force);

/// `add --new` on an active volume (online_leg_count.cc).
std::optional<int> try_online_add(const Context& ctx, const std::vector<std::string>& args, const std::string& new_dev,
                                  bool force);

/// `add --spare --new` on an active volume (online_leg_count.cc): our
/// metadata only; the live table does not change.
std::optional<int> try_online_add_spare(const Context& ctx, const std::vector<std::string>& args,
                                        const std::string& new_dev, bool force);

/// `remove --leg` on an active volume (online_leg_count.cc).
std::optional<int> try_online_remove(const Context& ctx, const std::vector<std::string>& args, const std::string& leg,
                                     bool force);

/// `split` / `merge` on an active volume (online_split_merge.cc). merge:
/// `array` names the volume, `split_leg` is the split-off array's leg.
std::optional<int> try_online_split(const Context& ctx, const std::vector<std::string>& args, const std::string& leg,
                                    const std::string& new_name, bool force);
std::optional<int> try_online_merge(const Context& ctx, const std::vector<std::string>& array,
                                    const std::string& split_leg);

}  // namespace dmirror::cli
