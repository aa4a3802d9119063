#!/usr/bin/env bash
# npm-pack.sh: builds the npm package tarballs from a release binary: `regauth` (the launcher,
# with optionalDependencies on every @regauth/<platform> package) and the @regauth/<platform>
# package for the binary given. Only this machine's platform can be built here; the others are
# named in regauth's package.json and built the same way on their own machines (or CI runners).
#
#   bash scripts/npm-pack.sh [--binary PATH] [--platform NAME] [--out DIR]
#     --binary PATH    package this binary (default: scripts/release-build.sh, target/release/regauth)
#     --platform NAME  e.g. linux-x64-gnu, darwin-arm64 (default: this machine's)
#     --out DIR        where the .tgz files go (default: target/npm)
# Prints the path of each tarball written, one per line.
set -euo pipefail

die() { echo "npm-pack: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
binary=''
platform=''
out="$root/target/npm"
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --platform) platform=${2:?--platform needs a name}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

command -v node >/dev/null || die "node is not installed"
command -v npm >/dev/null || die "npm is not installed"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
[ -n "$version" ] || die "no version in Cargo.toml"

if [ -z "$binary" ]; then
  binary=$(sh "$root/scripts/release-build.sh" --quiet) || die "the release build failed"
fi
[ -f "$binary" ] && [ -x "$binary" ] || die "$binary is not an executable file"
if [ -z "$platform" ]; then
  platform=$(node -e '
    const p = require(process.argv[1]);
    const found = p.platformFor(p.currentHost());
    if (!found) { process.stderr.write("this machine is none of the npm platforms\n"); process.exit(1); }
    console.log(found.pkg.replace("@regauth/", ""));' "$root/npm/regauth/lib/platform.js") ||
    die "cannot tell this machine's platform package; pass --platform"
fi
binary_name=$(node -e '
  const p = require(process.argv[1]);
  const found = p.PLATFORMS.find((q) => q.pkg === "@regauth/" + process.argv[2]);
  if (!found) process.exit(1);
  console.log(p.binaryName(found.os));' "$root/npm/regauth/lib/platform.js" "$platform") ||
  die "unknown platform $platform (see npm/regauth/lib/platform.js)"

# npm pack must see neither this machine's npm config nor a calling npm script's.
for var in $(env | sed -n 's/^\([Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p'); do unset "$var"; done

stage="$out/stage"
rm -rf "$stage"
mkdir -p "$stage/regauth" "$stage/$platform/$(dirname "$binary_name")"
out=$(cd "$out" && pwd)
stage="$out/stage"

cp -R "$root/npm/regauth/bin" "$root/npm/regauth/lib" "$root/npm/regauth/README.md" "$stage/regauth/"
node "$root/scripts/npm-manifest.js" main "$version" >"$stage/regauth/package.json"
cp "$binary" "$stage/$platform/$binary_name"
chmod 755 "$stage/$platform/$binary_name"
# Symbols are a third of a release binary; nobody debugs from the npm copy.
if command -v strip >/dev/null && [ "${platform%%-*}" = linux ]; then strip "$stage/$platform/$binary_name"; fi
node "$root/scripts/npm-manifest.js" platform "$version" "$platform" >"$stage/$platform/package.json"
cp "$root/npm/regauth/README.md" "$stage/$platform/README.md"

for package in regauth "$platform"; do
  file=$(cd "$stage/$package" && npm pack --userconfig /dev/null --pack-destination "$out" --loglevel=error) ||
    die "npm pack failed in $stage/$package"
  echo "$out/$file"
done
