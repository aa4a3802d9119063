#!/bin/sh
# Dev Container Feature "regauth": installs the regauth binary into /usr/local/bin and its npm/npx
# shims into /usr/local/lib/regauth/shims. devcontainer-feature.json puts that shims dir before
# /usr/local/bin on PATH (containerEnv); the image's own /usr/local/bin/npm is never touched.
#
# Options arrive as environment variables (BINARY). REGAUTH_FEATURE_ROOT installs under a scratch
# root instead of / (how the tests run this script without a container engine).
# shellcheck disable=SC2015 # `a && b || die` is meant: die when either fails.
set -eu

die() {
    printf 'regauth feature: error: %s\n' "$*" >&2
    exit 1
}

here=$(cd "$(dirname "$0")" && pwd)
root=${REGAUTH_FEATURE_ROOT:-}
binary=${BINARY:-}
[ -n "$binary" ] || binary=$here/regauth
bindir=$root/usr/local/bin
shimdir=$root/usr/local/lib/regauth/shims

[ -f "$binary" ] && [ -x "$binary" ] ||
    die "no regauth binary at $binary: copy a Linux build of regauth next to this install.sh, or set the feature's binary option"
for f in npm npx pnpm pnpx yarn yarnpkg; do
    [ -f "$here/shims/$f" ] || die "shims/$f is missing next to this install.sh"
done
"$binary" --version >/dev/null 2>&1 || die "$binary does not run here (built for another architecture or libc?)"

mkdir -p "$bindir" "$shimdir" || die "cannot create $bindir and $shimdir"
cp "$binary" "$bindir/regauth.tmp.$$" && chmod 755 "$bindir/regauth.tmp.$$" &&
    mv -f "$bindir/regauth.tmp.$$" "$bindir/regauth" || die "cannot write $bindir/regauth"
for f in npm npx pnpm pnpx yarn yarnpkg; do
    cp "$here/shims/$f" "$shimdir/$f" && chmod 755 "$shimdir/$f" || die "cannot write $shimdir/$f"
done

printf 'regauth feature: installed %s/regauth and %s/{npm,npx,pnpm,pnpx,yarn,yarnpkg}\n' "$bindir" "$shimdir"
if ! command -v npm >/dev/null 2>&1; then
    printf 'regauth feature: note: no npm on PATH yet; the shims find it once node is installed\n'
fi
