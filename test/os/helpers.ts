import {readFileSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const FIXTURES = join(here, '..', 'fixtures', 'os')

type Wabt = {
  parseWat(
    name: string,
    src: string,
    features?: Record<string, boolean>,
  ): {toBinary(o: object): {buffer: Uint8Array}; destroy(): void}
}
let wabt: Wabt | undefined

/** Assemble a .wat fixture (test/fixtures/os/NAME.wat) or inline text into a wasm binary. */
export async function wat(nameOrSource: string): Promise<Uint8Array> {
  if (!wabt) wabt = (await (await import('wabt')).default()) as unknown as Wabt
  let src = nameOrSource.includes('(module')
    ? nameOrSource
    : readFileSync(join(FIXTURES, `${nameOrSource}.wat`), 'utf8')
  if (src.includes(';;@lib')) {
    // the prelude's imports go first (imports precede definitions), its functions where ;;@lib is
    const [imports, defs] = readFileSync(join(FIXTURES, 'lib.watinc'), 'utf8').split(';; ---- definitions ----')
    src = src.replace('(module', `(module\n${imports}`).replace(';;@lib', defs!)
  }
  const m = wabt.parseWat('app.wat', src, {mutable_globals: true, sign_extension: true, bulk_memory: true})
  try {
    return new Uint8Array(m.toBinary({}).buffer)
  } finally {
    m.destroy()
  }
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix = 'sphere-os-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** A shared instrumentation cache for the test run (instrumenting is the slow part). */
export const CACHE_DIR = join(tmpdir(), 'sphere-os-test-cache')

import type {AppManifest, UnpackedImage} from '../../src/os/index.js'

/** A component ID derived from a small number, e.g. cid(1) = 00000000-0000-0000-0000-000000000001. */
export function cid(n: number): string {
  return `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`
}

/** An unpacked image for Device.install from a .wat fixture. */
export async function appImage(
  n: number,
  name: string,
  fixture: string,
  caps: AppManifest['Capabilities'] = {},
): Promise<UnpackedImage> {
  const manifest: AppManifest = {
    SchemaVersion: 1,
    Name: name,
    ComponentId: cid(n),
    EntryPoint: '/bin/app',
    CmdArgs: [],
    Capabilities: caps,
    ApplicationType: 'Default',
  }
  return {
    componentId: cid(n),
    imageId: `${cid(n).slice(0, 24)}${(0x100000 + n).toString(16).padStart(12, '0')}`,
    manifest,
    files: new Map([
      ['bin/app', await wat(fixture)],
      ['app_manifest.json', new TextEncoder().encode(JSON.stringify(manifest))],
    ]),
  }
}

/** Lines `label=value` an app logged, as a map of the last value per label. */
export function logged(log: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const m of log.matchAll(/^([a-z0-9_-]+)=(-?\d+)$/gm)) out[m[1]!] = Number(m[2])
  return out
}
