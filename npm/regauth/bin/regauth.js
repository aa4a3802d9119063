#!/usr/bin/env node
// regauth.js: the `regauth` command of the npm package. It runs the native binary from the
// matching @regauth/<platform> package with the same arguments, stdio, exit status and signal.
// Only `regauth ...` itself goes through Node: the npm/npx shims that `regauth init` writes
// name the native binary (regauth's own current_exe), so npm calls never pay Node's start-up.
"use strict";

const { spawnSync } = require("child_process");
const { nativeBinary } = require("../lib/platform.js");

const found = nativeBinary();
if (found.error) {
  process.stderr.write(`regauth: ${found.error}\n`);
  process.exit(1);
}
const result = spawnSync(found.path, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  process.stderr.write(`regauth: cannot run ${found.path}: ${result.error.message}\n`);
  process.exit(1);
}
if (result.signal) {
  // Die the way the binary died, so a caller sees the signal rather than an exit code.
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 1 : result.status);
