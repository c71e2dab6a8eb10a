// Shared helpers for the OS benches: assemble .wat apps (npm wabt) and build unpacked images.
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const FIXTURES = join(here, '..', 'test', 'fixtures', 'os')
let wabt

export async function wat(src) {
  wabt ??= await (await import('wabt')).default()
  if (!src.includes('(module')) src = readFileSync(join(FIXTURES, `${src}.wat`), 'utf8')
  if (src.includes(';;@lib')) {
    const [imports, defs] = readFileSync(join(FIXTURES, 'lib.watinc'), 'utf8').split(';; ---- definitions ----')
    src = src.replace('(module', `(module\n${imports}`).replace(';;@lib', defs)
  }
  const m = wabt.parseWat('app.wat', src, {mutable_globals: true, sign_extension: true, bulk_memory: true})
  try {
    return new Uint8Array(m.toBinary({}).buffer)
  } finally {
    m.destroy()
  }
}

export function cid(n) {
  return `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`
}

export function image(n, name, wasm, caps = {}) {
  const manifest = {
    SchemaVersion: 1,
    Name: name,
    ComponentId: cid(n),
    EntryPoint: '/bin/app',
    CmdArgs: [],
    Capabilities: caps,
  }
  return {componentId: cid(n), imageId: cid(0x1000 + n), manifest, files: new Map([['bin/app', wasm]])}
}

/** The compiled OS (npm run bench builds dist/ first; SPHERE_DIST points elsewhere for a side build). */
export async function loadOs() {
  if (process.env.SPHERE_DIST) return import(pathToFileURL(join(process.env.SPHERE_DIST, 'os', 'index.js')).href)
  return import('../dist/os/index.js')
}
