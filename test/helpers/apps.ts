import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadOrCreateDevKey, packApplication, type AppManifest} from '../../src/image/index.js'
import {ROOT} from './cli.js'

type Wabt = {parseWat(name: string, src: string, features?: Record<string, boolean>): {toBinary(o: object): {buffer: Uint8Array}; destroy(): void}}
let wabt: Wabt | undefined

/** Assemble a WebAssembly text app from test/fixtures/os/NAME.wat. */
export async function assembleFixture(name: string): Promise<Uint8Array> {
  wabt ??= (await (await import('wabt')).default()) as unknown as Wabt
  let src = readFileSync(join(ROOT, 'test', 'fixtures', 'os', `${name}.wat`), 'utf8')
  if (src.includes(';;@lib')) {
    const [imports, defs] = readFileSync(join(ROOT, 'test', 'fixtures', 'os', 'lib.watinc'), 'utf8').split(';; ---- definitions ----')
    src = src.replace('(module', `(module\n${imports}`).replace(';;@lib', defs!)
  }
  const m = wabt.parseWat(`${name}.wat`, src, {mutable_globals: true, sign_extension: true, bulk_memory: true})
  try {
    return new Uint8Array(m.toBinary({}).buffer)
  } finally {
    m.destroy()
  }
}

/** A component ID from a small number. */
export function cidOf(n: number): string {
  return `5ee0a000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
}

/**
 * Build a signed image package from a .wat fixture, signed with the development key under `home`
 * (the key a simulator started with that SPHERE_HOME trusts). Returns the package path.
 */
export async function buildFixturePackage(
  home: string,
  dir: string,
  fixture: string,
  opts: {n?: number; name?: string; capabilities?: AppManifest['Capabilities']; padTo?: number; buildDate?: number} = {},
): Promise<{path: string; componentId: string; bytes: Uint8Array}> {
  const componentId = cidOf(opts.n ?? 1)
  const manifest = {
    SchemaVersion: 1,
    Name: opts.name ?? fixture,
    ComponentId: componentId,
    EntryPoint: '/bin/app',
    CmdArgs: [],
    Capabilities: opts.capabilities ?? {Gpio: [8, 9, 10]},
    ApplicationType: 'Default',
  } as unknown as AppManifest
  const files: Record<string, Uint8Array> = {'bin/app': await assembleFixture(fixture)}
  if (opts.padTo) files['assets/pad.bin'] = new Uint8Array(opts.padTo).map((_, i) => (i * 31) & 0xff)
  const bytes = packApplication({manifest, files, key: loadOrCreateDevKey(home), buildDate: opts.buildDate})
  const path = join(dir, `${opts.name ?? fixture}-${opts.n ?? 1}.imagepackage`)
  writeFileSync(path, bytes)
  return {path, componentId, bytes}
}
