#!/bin/sh
# install.sh: installs regauth and its npm/npx/pnpm/pnpx/yarn/yarnpkg shims, and optionally routes npm through it in
# your shell profiles. POSIX sh, non-interactive. Run `sh install.sh --help` for the options.
#
# Layout (ROOT = ${REGAUTH_HOME:-$HOME/.regauth}):
#   ROOT/bin/regauth        the binary
#   ROOT/shims/npm, npx, pnpm, pnpx, yarn, yarnpkg   the shim scripts (they carry the marker line the npm search skips)
# With --prefix DIR (system-wide, e.g. /usr/local in images):
#   DIR/bin/regauth, DIR/lib/regauth/shims/npm, npx, pnpm, pnpx, yarn, yarnpkg
#
# Profile edits sit between the marker lines below and are undone by --uninstall, which leaves
# each profile byte-for-byte as it was (a file install.sh created is removed again when nothing
# else was added to it). The real npm is never replaced or edited.
# shellcheck disable=SC2015 # `a && b || die` is meant: die when either fails.
set -eu

BEGIN_MARK='# >>> regauth >>>'
END_MARK='# <<< regauth <<<'
CREATED_FLAG='# regauth: install.sh created this file'
NEWLINE_FLAG='# regauth: install.sh added a newline before this block'
DIR_FLAG='# regauth: install.sh created directory '
SHIM_MARKER='regauth-shim: this file runs regauth'

die() {
    printf 'install.sh: error: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<'EOF'
Usage: sh install.sh [--path | --alias] [options]

Installs regauth into ${REGAUTH_HOME:-$HOME/.regauth}/bin and npm/npx/pnpm/pnpx/yarn/yarnpkg shims into .../shims.
  --path            put the shims dir first on PATH in your shell profiles
  --alias           alias npm, npx, pnpm, pnpx, yarn, yarnpkg to regauth in your profiles (fish: functions)
  (neither)         change no profile; print the line to add yourself
  --prefix DIR      install system-wide: DIR/bin/regauth and DIR/lib/regauth/shims
  --binary PATH     install this prebuilt regauth instead of building with cargo
  --shells LIST     profiles to edit, comma-separated from bash,zsh,fish
                    (default: each shell that is installed or already has a profile)
  --uninstall       remove the binary, the shims and every profile block (give the same
                    --prefix / REGAUTH_HOME as the install)
  --dry-run         print what would be done; change nothing
  -h, --help        show this help
Profiles: bash ~/.bashrc plus the login file bash reads (the first existing of ~/.bash_profile,
~/.bash_login, ~/.profile), zsh ${ZDOTDIR:-~}/.zshrc, fish ${XDG_CONFIG_HOME:-~/.config}/fish/config.fish.
Off switch without uninstalling: REGAUTH=off (regauth then only passes npm through).
EOF
}

# ---------------------------------------------------------------- options

mode_path=0
mode_alias=0
uninstall=0
dry_run=0
prefix=''
binary=''
shells=''

while [ $# -gt 0 ]; do
    case $1 in
        --path) mode_path=1 ;;
        --alias) mode_alias=1 ;;
        --uninstall) uninstall=1 ;;
        --dry-run) dry_run=1 ;;
        --prefix)
            [ $# -ge 2 ] || die "--prefix needs a directory"
            prefix=$2
            shift
            ;;
        --prefix=*) prefix=${1#--prefix=} ;;
        --binary)
            [ $# -ge 2 ] || die "--binary needs a path"
            binary=$2
            shift
            ;;
        --binary=*) binary=${1#--binary=} ;;
        --shells)
            [ $# -ge 2 ] || die "--shells needs a list such as bash,zsh,fish"
            shells=$2
            shift
            ;;
        --shells=*) shells=${1#--shells=} ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown option '$1' (see sh install.sh --help)" ;;
    esac
    shift
done

[ -n "${HOME:-}" ] || die "HOME is not set"
here=$(cd "$(dirname "$0")" && pwd)

if [ -n "$prefix" ]; then
    case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
    root=$prefix
    bindir=$prefix/bin
    shimdir=$prefix/lib/regauth/shims
else
    root=${REGAUTH_HOME:-$HOME/.regauth}
    case $root in /*) ;; *) die "REGAUTH_HOME must be an absolute path, not '$root'" ;; esac
    bindir=$root/bin
    shimdir=$root/shims
fi
target=$bindir/regauth

# Paths go into profiles inside double quotes: refuse the few characters that would break them.
case $root in
    *[\'\"\$\`\\]* | *"
"*) die "the install directory '$root' contains a quote, \$, \` or \\; choose another" ;;
esac

# Lists below are newline-separated so that paths with spaces survive word splitting.
nl='
'
IFS=$nl

for shell_name in $(printf '%s' "$shells" | tr ',' '\n'); do
    case $shell_name in
        bash | zsh | fish) ;;
        *) die "unknown shell '$shell_name' in --shells (expected bash, zsh or fish)" ;;
    esac
done

# ---------------------------------------------------------------- small helpers

say() { printf '%s\n' "$*"; }

# Runs a command, or only prints it under --dry-run.
act() {
    if [ "$dry_run" = 1 ]; then
        printf 'would run:'
        printf ' %s' "$@"
        printf '\n'
    else
        "$@"
    fi
}

# Scratch files live in one directory made here, in the main shell: `$(new_tmp)` runs in a
# subshell, so it could not record files for the cleanup itself.
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/regauth-install.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$work_dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

new_tmp() {
    mktemp "$work_dir/f.XXXXXX" || die "cannot create a temporary file"
}

# The path as written into profiles: $HOME-relative when it lies under HOME, so dotfiles travel.
profile_path() {
    # shellcheck disable=SC2016 # a literal $HOME, expanded by the shell reading the profile
    case $1 in
        "$HOME"/*) printf '$HOME/%s' "${1#"$HOME"/}" ;;
        *) printf '%s' "$1" ;;
    esac
}

# The path as the user should read it in messages.
tilde() {
    # shellcheck disable=SC2088 # a literal ~ for display
    case $1 in
        "$HOME"/*) printf '~/%s' "${1#"$HOME"/}" ;;
        *) printf '%s' "$1" ;;
    esac
}

# True when the file's last byte is a newline (or the file is empty).
ends_with_newline() {
    [ -z "$(tail -c 1 "$1")" ]
}

# The first npm on PATH that is neither a regauth shim nor regauth itself (both carry the marker
# text: the shims as a line, the binary as a string constant).
find_real_npm() {
    old_ifs=$IFS
    IFS=:
    set -f
    for d in $PATH; do
        [ -n "$d" ] || d=.
        candidate=$d/npm
        if [ -f "$candidate" ] && [ -x "$candidate" ] && [ "$d" != "$shimdir" ] &&
            ! grep -q "$SHIM_MARKER" "$candidate" 2>/dev/null; then
            IFS=$old_ifs
            set +f
            printf '%s' "$candidate"
            return 0
        fi
    done
    IFS=$old_ifs
    set +f
    return 1
}

# Fails unless DIR exists and is writable, or could be created (its nearest existing ancestor is
# a writable directory).
check_writable() {
    d=$1
    while [ ! -e "$d" ]; do
        d=$(dirname "$d")
    done
    [ -d "$d" ] && [ -w "$d" ] || die "cannot write to $1 (choose another --prefix or REGAUTH_HOME, or run with the needed permissions)"
}

# ---------------------------------------------------------------- profiles

bash_profiles() {
    say "$HOME/.bashrc"
    # Login bash reads the first of these that exists, and not ~/.bashrc: give that one the block
    # too (the PATH line guards against adding the dir twice when it sources ~/.bashrc). None is
    # created: a new ~/.bash_profile would hide an existing ~/.profile.
    for login in .bash_profile .bash_login .profile; do
        if [ -f "$HOME/$login" ]; then
            say "$HOME/$login"
            return
        fi
    done
}
zsh_profile() { say "${ZDOTDIR:-$HOME}/.zshrc"; }
fish_profile() { say "${XDG_CONFIG_HOME:-$HOME/.config}/fish/config.fish"; }

profiles_of() {
    case $1 in
        bash) bash_profiles ;;
        zsh) zsh_profile ;;
        fish) fish_profile ;;
    esac
}

# Shells whose profiles install edits: --shells, else each one installed or with a profile.
chosen_shells() {
    if [ -n "$shells" ]; then
        printf '%s\n' "$shells" | tr ',' '\n'
        return
    fi
    for s in bash zsh fish; do
        if command -v "$s" >/dev/null 2>&1; then
            say "$s"
        else
            for p in $(profiles_of "$s"); do
                if [ -f "$p" ]; then
                    say "$s"
                    break
                fi
            done
        fi
    done
}

# The body of the block for one shell (without markers and flags).
block_body() {
    shell_name=$1
    shims=$(profile_path "$shimdir")
    bins=$(profile_path "$bindir")
    exe=$(profile_path "$target")
    say "# Routes npm through regauth. Remove with: sh install.sh --uninstall (or delete this block)"
    if [ "$shell_name" = fish ]; then
        if [ "$mode_path" = 1 ]; then
            say "if not contains -- \"$shims\" \$PATH"
            say "    set -gx PATH \"$shims\" \"$bins\" \$PATH"
            say "end"
        else
            say "if not contains -- \"$bins\" \$PATH"
            say "    set -gx PATH \"$bins\" \$PATH"
            say "end"
        fi
        if [ "$mode_alias" = 1 ]; then
            for f in npm npx pnpm pnpx yarn yarnpkg; do
                say "function $f --wraps $f --description '$f through regauth'"
                say "    \"$exe\" $f \$argv"
                say "end"
            done
        fi
    else
        if [ "$mode_path" = 1 ]; then
            say "case \":\$PATH:\" in *\":$shims:\"*) ;; *) export PATH=\"$shims:$bins:\$PATH\" ;; esac"
        else
            say "case \":\$PATH:\" in *\":$bins:\"*) ;; *) export PATH=\"$bins:\$PATH\" ;; esac"
        fi
        if [ "$mode_alias" = 1 ]; then
            for f in npm npx pnpm pnpx yarn yarnpkg; do
                say "alias $f='\"$exe\" $f'"
            done
        fi
    fi
}

# The regauth block currently in a profile, flags included (empty when there is none).
current_block() {
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" '
        $0 == b { inside = 1 }
        inside { print }
        inside && $0 == e { inside = 0 }
    ' "$1"
}

# Writes the profile without any regauth block to stdout, undoing the newline install added.
strip_blocks() {
    file=$1
    if ends_with_newline "$file"; then final_nl=1; else final_nl=0; fi
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v nf="$NEWLINE_FLAG" -v final_nl="$final_nl" '
        $0 == b { inside = 1; next }
        inside && $0 == nf { added_nl = 1; next }
        inside && $0 == e { inside = 0; after = 0; block_seen = 1; next }
        inside { next }
        {
            if (have) printf "%s\n", prev
            prev = $0; have = 1; after++
        }
        END {
            if (!have) exit
            if (block_seen && after == 0) nl = !added_nl
            else nl = final_nl
            printf "%s", prev
            if (nl) printf "\n"
        }
    ' "$file"
}

# Writes a full block to stdout: markers, the given flags, and the body.
full_block() {
    shell_name=$1
    created=$2
    added_nl=$3
    created_dirs=$4
    say "$BEGIN_MARK"
    if [ "$created" = 1 ]; then say "$CREATED_FLAG"; fi
    for d in $created_dirs; do say "$DIR_FLAG$d"; done
    if [ "$added_nl" = 1 ]; then say "$NEWLINE_FLAG"; fi
    block_body "$shell_name"
    say "$END_MARK"
}

# Refuses a profile whose markers do not pair up (an end marker deleted by hand): stripping it
# would drop everything after the begin marker.
check_markers() {
    [ -f "$1" ] || return 0
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" '
        $0 == b { if (inside) bad = 1; inside = 1 }
        $0 == e { if (!inside) bad = 1; inside = 0 }
        END { exit (bad || inside) }
    ' "$1" || die "$(tilde "$1") has unpaired regauth marker lines; fix or remove them by hand"
}

has_flag() {
    current_block "$1" | grep -qxF "$2"
}

# The directories an earlier install created for this profile, from its block.
dir_flags() {
    current_block "$1" | sed -n "s|^$DIR_FLAG||p"
}

# The directories `mkdir -p` would create for a file, deepest first.
missing_dirs() {
    d=$(dirname "$1")
    while [ ! -e "$d" ]; do
        say "$d"
        d=$(dirname "$d")
    done
}

# Adds (or updates) the block in one profile. A block that is already as wanted is left where
# it is, so running install again changes no byte.
install_block() {
    shell_name=$1
    file=$2
    check_markers "$file"
    if [ -f "$file" ] && grep -qxF "$BEGIN_MARK" "$file"; then
        created=0
        added_nl=0
        if has_flag "$file" "$CREATED_FLAG"; then created=1; fi
        if has_flag "$file" "$NEWLINE_FLAG"; then added_nl=1; fi
        existing=$(new_tmp)
        current_block "$file" >"$existing"
        if full_block "$shell_name" "$created" "$added_nl" "$(dir_flags "$file")" | cmp -s - "$existing"; then
            say "unchanged: $(tilde "$file")"
            return
        fi
    fi
    created=0
    created_dirs=''
    stripped=$(new_tmp)
    if [ -f "$file" ]; then
        if has_flag "$file" "$CREATED_FLAG"; then created=1; fi
        created_dirs=$(dir_flags "$file")
        strip_blocks "$file" >"$stripped"
    else
        created=1
        created_dirs=$(missing_dirs "$file")
    fi
    added_nl=0
    if [ -s "$stripped" ] && ! ends_with_newline "$stripped"; then added_nl=1; fi
    if [ "$dry_run" = 1 ]; then
        say "would write the regauth block into $(tilde "$file"):"
        full_block "$shell_name" "$created" "$added_nl" "$created_dirs" | sed 's/^/    /'
        return
    fi
    wanted=$(new_tmp)
    cat "$stripped" >"$wanted"
    if [ "$added_nl" = 1 ]; then printf '\n' >>"$wanted"; fi
    full_block "$shell_name" "$created" "$added_nl" "$created_dirs" >>"$wanted"
    mkdir -p "$(dirname "$file")" || die "cannot create $(dirname "$file")"
    # cat > keeps the file's inode, mode and any symlink (dotfile managers) intact.
    cat "$wanted" >"$file" || die "cannot write $file"
    say "updated: $(tilde "$file")"
}

# Removes the block from one profile, restoring it byte-for-byte; removes a file install.sh
# created when nothing else is left in it.
uninstall_block() {
    file=$1
    [ -f "$file" ] || return 0
    grep -qxF "$BEGIN_MARK" "$file" || return 0
    check_markers "$file"
    created=0
    if has_flag "$file" "$CREATED_FLAG"; then created=1; fi
    created_dirs=$(dir_flags "$file")
    stripped=$(new_tmp)
    strip_blocks "$file" >"$stripped"
    if [ "$created" = 1 ] && [ ! -s "$stripped" ]; then
        act rm -f "$file"
        would_remove=$would_remove$file$nl
        [ "$dry_run" = 1 ] || say "removed: $(tilde "$file") (install.sh had created it)"
        for d in $created_dirs; do remove_dir_if_empty "$d"; done
        return
    fi
    if [ "$dry_run" = 1 ]; then
        say "would remove the regauth block from $(tilde "$file")"
        return
    fi
    cat "$stripped" >"$file" || die "cannot write $file"
    say "restored: $(tilde "$file")"
}

# Every file a block may be in (uninstall looks in all of them, whatever exists now).
all_profiles() {
    for f in .bashrc .bash_profile .bash_login .profile; do say "$HOME/$f"; done
    zsh_profile
    fish_profile
}

# ---------------------------------------------------------------- binary and shims

# The regauth binary to install: --binary, else a prebuilt one next to this script, else a
# release build of this checkout (needs cargo).
source_binary() {
    if [ -n "$binary" ]; then
        [ -f "$binary" ] && [ -x "$binary" ] || die "--binary $binary is not an executable file"
        printf '%s' "$binary"
        return
    fi
    if [ -f "$here/regauth" ] && [ -x "$here/regauth" ]; then
        printf '%s' "$here/regauth"
        return
    fi
    [ -f "$here/Cargo.toml" ] || die "no regauth binary next to install.sh and no Cargo.toml to build one (pass --binary PATH)"
    command -v cargo >/dev/null 2>&1 || die "cargo not found on PATH: install Rust (https://rustup.rs) or pass --binary PATH"
    out=${CARGO_TARGET_DIR:-$here/target}
    case $out in /*) ;; *) out=$here/$out ;; esac
    if [ "$dry_run" = 1 ]; then
        say "would run: sh scripts/release-build.sh (cargo, in $here)" >&2
        printf '%s' "$out/release/regauth"
        return
    fi
    # cargo's own progress follows: a first release build takes a minute or more.
    say "building regauth: sh scripts/release-build.sh (cargo --release, static on Linux with glibc; about a minute the first time)" >&2
    built=$(sh "$here/scripts/release-build.sh") || die "the release build failed (see above)"
    say "built: $(tilde "$built")" >&2
    printf '%s' "$built"
}

# Copies a file into place unless an identical one is there (so a second run changes nothing).
install_file() {
    src=$1
    dest=$2
    if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
        say "unchanged: $(tilde "$dest")"
        return
    fi
    if [ "$dry_run" = 1 ]; then
        say "would install: $(tilde "$dest")"
        return
    fi
    # Copy then rename: replacing a running binary in place would fail with "text file busy".
    cp "$src" "$dest.tmp.$$" && chmod 755 "$dest.tmp.$$" && mv -f "$dest.tmp.$$" "$dest" ||
        die "cannot write $dest"
    say "installed: $(tilde "$dest")"
}

# What --uninstall --dry-run would have removed so far (newline-separated), so that it can
# tell which directories the real run would leave empty and remove.
would_remove=''

remove_if_ours() {
    f=$1
    [ -f "$f" ] || return 0
    if [ "${f##*/}" = regauth ] || grep -q "$SHIM_MARKER" "$f" 2>/dev/null; then
        act rm -f "$f"
        would_remove=$would_remove$f$nl
        [ "$dry_run" = 1 ] || say "removed: $(tilde "$f")"
    else
        say "left alone (not regauth's): $(tilde "$f")"
    fi
}

# True when every entry of directory $1 is something this run removes (or would, under
# --dry-run).
left_empty() {
    for entry in $(ls -A "$1"); do
        case $nl$would_remove in
            *"$nl$1/$entry$nl"*) ;;
            *) return 1 ;;
        esac
    done
}

remove_dir_if_empty() {
    [ -d "$1" ] || return 0
    left_empty "$1" || return 0
    act rmdir "$1"
    would_remove=$would_remove$1$nl
    [ "$dry_run" = 1 ] || say "removed: $(tilde "$1")/"
}

# ---------------------------------------------------------------- main

do_uninstall() {
    for p in $(all_profiles); do
        uninstall_block "$p"
    done
    for f in npm npx pnpm pnpx yarn yarnpkg; do
        remove_if_ours "$shimdir/$f"
    done
    remove_if_ours "$target"
    remove_dir_if_empty "$shimdir"
    if [ -n "$prefix" ]; then
        remove_dir_if_empty "$prefix/lib/regauth"
    else
        remove_dir_if_empty "$bindir"
        remove_dir_if_empty "$root"
    fi
}

print_next_step() {
    shims=$(profile_path "$shimdir")
    bins=$(profile_path "$bindir")
    say ""
    say "regauth is installed but not yet in front of npm. Add this line to your shell profile:"
    case ${SHELL:-} in
        */fish) say "    set -gx PATH \"$shims\" \"$bins\" \$PATH" ;;
        *) say "    export PATH=\"$shims:$bins:\$PATH\"" ;;
    esac
    say "(or run: sh install.sh --path, or --alias; or eval \"\$(regauth init bash)\" in ~/.bashrc)"
}

do_install() {
    check_writable "$bindir"
    check_writable "$shimdir"
    for f in npm npx pnpm pnpx yarn yarnpkg; do
        [ -f "$here/shims/$f" ] || die "shims/$f is missing next to install.sh"
    done
    real_npm=$(find_real_npm) || die "no npm found on PATH ($PATH): install Node.js and npm first"
    src=$(source_binary)
    [ "$dry_run" = 1 ] || [ -x "$src" ] || die "no regauth binary at $src after the build"

    act mkdir -p "$bindir" "$shimdir"
    if [ "$dry_run" = 1 ] && [ ! -x "$src" ]; then
        say "would install: $(tilde "$target")"
    else
        install_file "$src" "$target"
    fi
    for f in npm npx pnpm pnpx yarn yarnpkg; do
        install_file "$here/shims/$f" "$shimdir/$f"
    done

    if [ "$mode_path" = 1 ] || [ "$mode_alias" = 1 ]; then
        for s in $(chosen_shells); do
            for p in $(profiles_of "$s"); do
                install_block "$s" "$p"
            done
        done
        say "done; open a new shell, then check with: type npm; npm --version; regauth doctor"
    else
        print_next_step
    fi
    say "real npm: $real_npm (left untouched)"
}

# A shell that ran npm through the shims remembers where npm was (bash/zsh hash it), and an
# alias lives until the shell ends: say so, or the open shell keeps calling what was removed.
print_open_shells_hint() {
    [ "$dry_run" = 1 ] && return
    say "done; shells already open still remember regauth: run 'hash -r' there (and"
    say "'unalias npm npx pnpm pnpx yarn yarnpkg' after --alias; fish: 'functions -e npm npx pnpm pnpx yarn yarnpkg'), or open a new shell"
}

if [ "$uninstall" = 1 ]; then
    do_uninstall
    print_open_shells_hint
else
    do_install
fi
