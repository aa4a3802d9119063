#!/bin/sh
# release-build.sh: the release binary that ships (install.sh, scripts/npm-pack.sh) and that the
# benchmarks measure, printed as its path. On Linux with glibc it is linked statically and
# position-dependent: regauth starts on every npm call, and the dynamic loader (three
# libraries, symbol binding, libgcc_s's CPUID probe) costs about 0.3 ms of CPU per call
# (bench/README.md). Only the binary's own link gets the flags (`cargo rustc`): in RUSTFLAGS
# they would reach the proc-macro crates, which cannot be static. Without glibc's static
# libraries (e.g. Fedora without glibc-static) it falls back to the normal build.
#
#   sh scripts/release-build.sh [--quiet]     (extra arguments go to cargo)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${CARGO_TARGET_DIR:-$root/target}
case $out in /*) ;; *) out=$root/$out ;; esac
host=$(rustc -vV | sed -n 's/^host: //p')
cd "$root"
case $host in
*-linux-gnu*)
    if cargo rustc --release --locked --bin regauth "$@" -- \
        -C target-feature=+crt-static -C relocation-model=static >&2; then
        printf '%s\n' "$out/release/regauth"
        exit 0
    fi
    echo "release-build.sh: the static link failed (glibc's static libraries missing?); building the dynamic binary" >&2
    ;;
esac
cargo build --release --locked "$@" >&2
printf '%s\n' "$out/release/regauth"
