// SPDX-License-Identifier: LGPL-2.1-or-later
// MirrorOptions::allow_degraded arrives with the engine's membership rules
// (FORMAT.md 2.6 rule 11); until then a degraded open is whatever the
// engine does by default and this returns false.
#pragma once

namespace dmirror::oracle {

template <class O>
bool set_allow_degraded(O& o, bool v) {
  if constexpr (requires { o.allow_degraded; }) {
    o.allow_degraded = v;
    return true;
  } else {
    (void)o;
    (void)v;
    return false;
  }
}

}  // namespace dmirror::oracle
