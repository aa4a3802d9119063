// What the installed npm makes of many configuration situations, in one node process: for each
// JSON line on stdin ({id, cwd, env, args, packages}) it loads npm's own @npmcli/config (from
// the npm found at argv[2]) exactly as npm's CLI does, runs npm's validation, and for each
// package asks npm-registry-fetch and pacote's rules where the packument request goes and which
// credential it carries. One JSON line per situation on stdout. Used by the differential tests
// (tests/config_random.rs); spawning npm once per situation would cost ~150 ms each.
'use strict'
const path = require('path')
const readline = require('readline')

const npmDir = process.argv[2]
const req = (m) => require(path.join(npmDir, 'node_modules', m))
const Config = req('@npmcli/config')
const { definitions, flatten, nerfDarts, shorthands } = req('@npmcli/config/lib/definitions')
const fetch = req('npm-registry-fetch')
const npa = req('npm-package-arg')

function header (auth, url) {
  if (auth.token) return 'bearer'
  if (auth.auth) return 'basic'
  try {
    const u = new URL(url)
    if (u.username || u.password) return 'basic-url'
  } catch {}
  return 'none'
}

function route (flat, name) {
  const spec = npa(name)
  const registry = fetch.pickRegistry(spec, flat)
  const url = `${String(registry).replace(/\/+$/, '')}/${spec.escapedName}`
  let parsed
  try {
    parsed = new URL(url)
  } catch {
    return { package: name, error: 'ERR_INVALID_URL' }
  }
  if (!/^https?:$/.test(parsed.protocol)) return { package: name, error: 'NOT_HTTP' }
  const auth = fetch.getAuth(url, { ...flat, spec: name })
  const key = auth.regKey && auth.authKey ? `${auth.regKey}:${auth.authKey}` : null
  return { package: name, url: parsed.href, key, header: header(auth, parsed.href) }
}

async function situation (s) {
  const out = { id: s.id }
  const savedCwd = process.cwd()
  const savedHome = process.env.HOME
  try {
    process.chdir(s.cwd)
    process.env.HOME = s.env.HOME || ''
    const config = new Config({
      npmPath: npmDir,
      definitions,
      flatten,
      nerfDarts,
      shorthands,
      argv: ['node', 'npm', ...s.args],
      env: s.env,
      cwd: s.cwd,
      execPath: process.execPath,
      warn: false,
    })
    try {
      await config.load()
    } catch (e) {
      out.error = /double-loading/.test(e.message) ? 'DOUBLE_LOADING' : `LOAD:${e.message}`
      return out
    }
    const flat = config.flat
    out.registry = String(flat.registry)
    out.userconfig = config.get('userconfig')
    out.globalconfig = config.get('globalconfig')
    try {
      config.validate()
    } catch (e) {
      out.error = e.code === 'ERR_INVALID_AUTH' ? 'ERR_INVALID_AUTH' : (e.code || e.message)
      if (e.code !== 'ERR_INVALID_AUTH') return out
    }
    out.routes = (s.packages || []).map((p) => route(flat, p))
    return out
  } finally {
    process.chdir(savedCwd)
    process.env.HOME = savedHome
  }
}

async function main () {
  const lines = readline.createInterface({ input: process.stdin })
  for await (const line of lines) {
    if (!line.trim()) continue
    let result
    try {
      result = await situation(JSON.parse(line))
    } catch (e) {
      result = { id: JSON.parse(line).id, error: `ORACLE:${e.message}` }
    }
    process.stdout.write(JSON.stringify(result) + '\n')
  }
}

main()
