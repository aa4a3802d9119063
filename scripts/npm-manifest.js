// npm-manifest.js: prints the package.json of one npm package of regauth (used by npm-pack.sh).
//   node scripts/npm-manifest.js main VERSION              the `regauth` package
//   node scripts/npm-manifest.js platform VERSION NAME     @regauth/NAME, e.g. linux-x64-gnu
// No package gets install scripts: npm picks the platform package by its os/cpu/libc fields.
"use strict";

const { PLATFORMS, binaryName } = require("../npm/regauth/lib/platform.js");

const common = {
  license: "MIT",
};

function mainManifest(version) {
  const optionalDependencies = {};
  for (const p of PLATFORMS) optionalDependencies[p.pkg] = version;
  return {
    name: "regauth",
    version,
    description: "Runs npm untouched and explains registry authentication failures (401/403, ENEEDAUTH, EOTP)",
    keywords: ["npm", "registry", "authentication", "401", "403", "npmrc", "ci"],
    ...common,
    bin: { regauth: "bin/regauth.js" },
    files: ["bin/regauth.js", "lib/platform.js", "README.md"],
    engines: { node: ">=16" },
    optionalDependencies,
  };
}

function platformManifest(version, name) {
  const p = PLATFORMS.find((q) => q.pkg === `@regauth/${name}`);
  if (!p) throw new Error(`unknown platform ${name}; known: ${PLATFORMS.map((q) => q.pkg).join(", ")}`);
  const manifest = {
    name: p.pkg,
    version,
    description: `The regauth binary for ${p.target}`,
    ...common,
    os: [p.os],
    cpu: [p.cpu],
    files: [binaryName(p.os)],
    // Yarn PnP would otherwise keep the binary inside a zip archive, where it cannot run.
    preferUnplugged: true,
  };
  if (p.libc) manifest.libc = [p.libc];
  return manifest;
}

const [kind, version, name] = process.argv.slice(2);
if (!version || (kind !== "main" && kind !== "platform") || (kind === "platform" && !name)) {
  process.stderr.write("usage: npm-manifest.js main VERSION | platform VERSION NAME\n");
  process.exit(2);
}
const manifest = kind === "main" ? mainManifest(version) : platformManifest(version, name);
process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
