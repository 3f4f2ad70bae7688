#!/usr/bin/env bash
# The two set-up commands of README.md:
#   scripts/setup.sh demo   install, build, and run the demo on image files
#   scripts/setup.sh test   install, build, and run every test tier
# Build directory: ./build (override with BUILD_DIR).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
what=${1:-}
case "$what" in
  demo|test) ;;
  *) echo "usage: $0 demo|test" >&2; exit 16 ;;
esac
"$top/scripts/install-deps.sh"
# Line tables only (-g1): backtraces and sanitizer reports keep file:line,
# and the build takes about a third less CPU time than with full -g.
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
if [ "$what" = demo ]; then
  cmake --build "$build" -j"$(nproc)"
  exec "$top/scripts/demo.sh" "$build"
fi
# run-tests.sh builds what each tier needs, in the order that lets the VM
# tiers start first.
exec "$top/scripts/run-tests.sh" "$build"
