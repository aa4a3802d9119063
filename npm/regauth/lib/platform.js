// platform.js: which @regauth/* package holds the native regauth binary for this machine.
//
// The `regauth` npm package lists one optional dependency per platform; npm installs only the
// one whose `os`/`cpu`/`libc` fields match (no install script runs). This file is the single
// list of those packages: scripts/npm-pack.sh reads it to write the package.json files.
"use strict";

const fs = require("fs");
const path = require("path");

// npm's `os` / `cpu` values are process.platform / process.arch; `libc` is "glibc" or "musl".
const PLATFORMS = [
  { pkg: "@regauth/linux-x64-gnu", os: "linux", cpu: "x64", libc: "glibc", target: "x86_64-unknown-linux-gnu" },
  { pkg: "@regauth/linux-arm64-gnu", os: "linux", cpu: "arm64", libc: "glibc", target: "aarch64-unknown-linux-gnu" },
  { pkg: "@regauth/linux-x64-musl", os: "linux", cpu: "x64", libc: "musl", target: "x86_64-unknown-linux-musl" },
  { pkg: "@regauth/linux-arm64-musl", os: "linux", cpu: "arm64", libc: "musl", target: "aarch64-unknown-linux-musl" },
  { pkg: "@regauth/darwin-x64", os: "darwin", cpu: "x64", libc: null, target: "x86_64-apple-darwin" },
  { pkg: "@regauth/darwin-arm64", os: "darwin", cpu: "arm64", libc: null, target: "aarch64-apple-darwin" },
  { pkg: "@regauth/win32-x64", os: "win32", cpu: "x64", libc: null, target: "x86_64-pc-windows-msvc" },
];

// The binary's path inside a platform package.
function binaryName(os) {
  return os === "win32" ? "bin/regauth.exe" : "bin/regauth";
}

// "glibc" or "musl" on Linux (as npm decides for the `libc` field), null elsewhere.
function hostLibc() {
  if (process.platform !== "linux") return null;
  try {
    if (process.report && "excludeNetwork" in process.report) process.report.excludeNetwork = true;
    const header = process.report.getReport().header;
    return header.glibcVersionRuntime ? "glibc" : "musl";
  } catch (_) {
    // No report support: musl systems have their dynamic loader under /lib.
    const musl = fs.readdirSync("/lib").some((name) => name.startsWith("ld-musl-"));
    return musl ? "musl" : "glibc";
  }
}

// This machine as npm sees it: "linux-x64 (glibc)", "darwin-arm64".
function hostName(host) {
  const name = `${host.os}-${host.cpu}`;
  return host.libc ? `${name} (${host.libc})` : name;
}

function currentHost() {
  return { os: process.platform, cpu: process.arch, libc: hostLibc() };
}

function platformFor(host) {
  return PLATFORMS.find((p) => p.os === host.os && p.cpu === host.cpu && p.libc === host.libc);
}

// { path } of the native binary, or { error } as one line naming the platform.
function nativeBinary() {
  const host = currentHost();
  const platform = platformFor(host);
  if (!platform) {
    const known = PLATFORMS.map((p) => p.pkg.replace("@regauth/", "")).join(", ");
    return { error: `no prebuilt binary for ${hostName(host)} (there are: ${known}); build from source: cargo install regauth` };
  }
  let manifest;
  try {
    manifest = require.resolve(`${platform.pkg}/package.json`);
  } catch (_) {
    return {
      error: `no prebuilt binary for ${hostName(host)}: ${platform.pkg} is not installed (optional dependencies omitted, or installed on another platform); reinstall with npm install -g regauth on this machine`,
    };
  }
  return { path: path.join(path.dirname(manifest), binaryName(platform.os)) };
}

module.exports = { PLATFORMS, binaryName, currentHost, platformFor, nativeBinary };

// `node platform.js` prints the native binary's path (the GitHub Action links its shims to it).
if (require.main === module) {
  const found = nativeBinary();
  if (found.error) {
    process.stderr.write(`regauth: ${found.error}\n`);
    process.exit(1);
  }
  process.stdout.write(`${found.path}\n`);
}
