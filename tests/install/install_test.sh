#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `cmake --install` of a build tree into a temporary DESTDIR, then: the
# installed file list, the SONAMEs, a consumer program built through
# pkg-config and through find_package(dmirror) and run, and every file in
# its standard place. Usage: install_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?source dir} build=${2:?build dir}
tmp=$(mktemp -d /tmp/dmirror-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "install_test: FAIL: $*" >&2; exit 1; }

DESTDIR=$tmp/root cmake --install "$build" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install"; }
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
root=$tmp/root
echo "installed files (prefix $prefix):"
(cd "$root" && find . -type f -o -type l | sort | sed 's|^\.||')

need() { [ -e "$root$1" ] || fail "missing $1"; }
need "$prefix/sbin/dmirrorctl"
need "$prefix/include/dmirror/result.h"
need "$prefix/include/dmirror/dm/dm_names.h"
need "$prefix/$libdir/pkgconfig/dmirror.pc"
need "$prefix/$libdir/pkgconfig/dmirror-kernel.pc"
need "$prefix/$libdir/cmake/dmirror/dmirrorConfig.cmake"
need "$prefix/share/bash-completion/completions/dmirrorctl"
need "$prefix/share/zsh/vendor-completions/_dmirrorctl"
need "$prefix/share/fish/vendor_completions.d/dmirrorctl.fish"
need "$prefix/lib/systemd/system/dmirror-scrub@.service"
need "$prefix/lib/systemd/system/dmirror-scrub@.timer"
need "$prefix/lib/systemd/system/dmirror-scrub-continue@.service"
need "$prefix/lib/systemd/system/dmirror-scrub-continue@.timer"
need "$prefix/lib/systemd/system/dmirror-monitor.service"
need "$prefix/lib/systemd/system/dmirror-volume@.service"
need "$prefix/lib/udev/rules.d/69-dmirror.rules"
need "$prefix/share/doc/dmirror/dmirror-format.md"
need "$prefix/share/doc/dmirror/json.md"
need "$prefix/share/doc/dmirror/recovery.md"
need "$prefix/share/doc/dmirror/examples/cron.d/dmirror"
need "$prefix/share/man/man8/dmirrorctl.8"
need "$prefix/share/man/man8/dmirrorctl-scrub.8"
need "$prefix/share/man/man5/dmirror-format.5"
need "$prefix/share/man/man7/dmirror-recovery.7"

# The units and the udev rule run the dmirrorctl installed with them: the
# configured prefix's, and with `cmake --install --prefix P` P's.
for f in "$prefix/lib/udev/rules.d/69-dmirror.rules" "$prefix/lib/systemd/system/dmirror-scrub@.service"; do
  grep -q "$prefix/sbin/dmirrorctl " "$root$f" || fail "$f does not run $prefix/sbin/dmirrorctl"
done
DESTDIR=$tmp/other cmake --install "$build" --prefix /opt/elsewhere >"$tmp/install-other.log" ||
  { cat "$tmp/install-other.log"; fail "cmake --install --prefix /opt/elsewhere"; }
for f in lib/udev/rules.d/69-dmirror.rules lib/systemd/system/dmirror-scrub@.service \
         lib/systemd/system/dmirror-scrub-continue@.service lib/systemd/system/dmirror-monitor.service; do
  g=$tmp/other/opt/elsewhere/$f
  [ -f "$g" ] || fail "--prefix /opt/elsewhere installed no $f"
  grep -q "/opt/elsewhere/sbin/dmirrorctl " "$g" || fail "$f installed with --prefix /opt/elsewhere does not run /opt/elsewhere/sbin/dmirrorctl"
  if grep -v '^#' "$g" | grep -q "$prefix/sbin/dmirrorctl"; then fail "$f installed with --prefix /opt/elsewhere still names $prefix/sbin"; fi
done

# Libraries: versioned file, SONAME symlink, dev symlink.
for lib in libdmirror libdmirror-kernel; do
  need "$prefix/$libdir/$lib.so"
  soname=$(objdump -p "$root$prefix/$libdir/$lib.so" | awk '/SONAME/ {print $2}')
  [ "$soname" = "$lib.so.0" ] || fail "$lib SONAME is '$soname', expected $lib.so.0"
  need "$prefix/$libdir/$soname"
done
# Nothing may point back into the build or source tree.
if grep -rIl -e "$build" -e "$src/lib" -e "$src/kernel-glue" "$root" >/dev/null; then
  fail "installed files mention the build or source tree: $(grep -rIl -e "$build" -e "$src/lib" "$root" | tr '\n' ' ')"
fi

export LD_LIBRARY_PATH=$root$prefix/$libdir
cxx=${CXX:-c++}

# 1. pkg-config (the .pc files carry the real prefix; the sysroot maps it).
export PKG_CONFIG_PATH=$root$prefix/$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
pkg-config --exists --print-errors dmirror dmirror-kernel || fail "pkg-config cannot resolve dmirror"
[ "$(pkg-config --modversion dmirror)" = "$(pkg-config --modversion dmirror-kernel)" ] || fail "versions differ"
flags=$(pkg-config --cflags --libs dmirror-kernel)
echo "pkg-config --cflags --libs dmirror-kernel: $flags"
# shellcheck disable=SC2086
"$cxx" ${CXXFLAGS:-} -o "$tmp/consumer-pc" "$src/tests/install/consumer/main.cc" $flags || fail "build through pkg-config"
"$tmp/consumer-pc" || fail "consumer built through pkg-config"
unset PKG_CONFIG_SYSROOT_DIR

# 2. find_package(dmirror), from a separate CMake project.
cmake -S "$src/tests/install/consumer" -B "$tmp/consumer-build" -DCMAKE_PREFIX_PATH="$root$prefix" \
      -DCMAKE_CXX_COMPILER="$cxx" >"$tmp/consumer.log" 2>&1 || { cat "$tmp/consumer.log"; fail "find_package(dmirror)"; }
cmake --build "$tmp/consumer-build" >>"$tmp/consumer.log" 2>&1 || { cat "$tmp/consumer.log"; fail "build through find_package"; }
"$tmp/consumer-build/consumer" || fail "consumer built through find_package"

# 3. The installed tool runs from its installed place.
"$root$prefix/sbin/dmirrorctl" --version || fail "installed dmirrorctl does not run"
echo "install_test: passed"
