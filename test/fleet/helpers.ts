/** Shared by the fleet tests: app packages from test/fixtures (signed with the dev key of a test SPHERE_HOME), the CLI. */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadOrCreateDevKey, packApplication, type AppManifest} from '../../src/image/index.js'
import {ROOT, runCli, type CliResult} from '../helpers/cli.js'

type Wabt = {parseWat(name: string, src: string, features?: Record<string, boolean>): {toBinary(o: object): {buffer: Uint8Array}; destroy(): void}}
let wabt: Wabt | undefined

export const APP_CID = '5ee0a000-0000-4000-8000-00000000f1ee'

/** Assemble test/fixtures/<dir>/<name>.wat. */
export async function assemble(dir: 'os' | 'fleet', name: string): Promise<Uint8Array> {
  wabt ??= (await (await import('wabt')).default()) as unknown as Wabt
  const m = wabt.parseWat(`${name}.wat`, readFileSync(join(ROOT, 'test', 'fixtures', dir, `${name}.wat`), 'utf8'), {
    mutable_globals: true,
    sign_extension: true,
    bulk_memory: true,
  })
  try {
    return new Uint8Array(m.toBinary({}).buffer)
  } finally {
    m.destroy()
  }
}

/** One version of the fleet's app (one component ID; the version is the build date). */
export async function appPackage(home: string, out: string, wat: {dir: 'os' | 'fleet'; name: string}, buildDate: number): Promise<{path: string; imageId: string}> {
  const manifest = {
    SchemaVersion: 1,
    Name: 'fleetapp',
    ComponentId: APP_CID,
    EntryPoint: '/bin/app',
    CmdArgs: [],
    Capabilities: {Gpio: [8, 44]},
    ApplicationType: 'Default',
  } as unknown as AppManifest
  const bytes = packApplication({manifest, files: {'bin/app': await assemble(wat.dir, wat.name)}, key: loadOrCreateDevKey(home), buildDate})
  writeFileSync(out, bytes)
  const {parseImagePackage} = await import('../../src/image/index.js')
  return {path: out, imageId: parseImagePackage(bytes).identity.imageId.toLowerCase()}
}

export function cli(home: string, args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return runCli(args, {env: {SPHERE_HOME: home}, timeoutMs})
}

/** Run a CLI command that prints JSON; its parsed output (the exit status must be `code`). */
export async function cliJson<T>(home: string, args: string[], code = 0): Promise<T> {
  const r = await cli(home, [...args, '-o', 'json'])
  if (r.code !== code) throw new Error(`sphere ${args.join(' ')} exited ${r.code} (wanted ${code}): ${r.stderr.trim()}`)
  return JSON.parse(r.stdout) as T
}

export interface MemberRow {
  index: number
  deviceId: string
  apps: {componentId: string; imageId: string; version: number; state: string}[]
  faults: string[]
  tags: string[]
  crashes: number
}

export async function members(home: string, fleet: string): Promise<MemberRow[]> {
  return (await cliJson<{members: MemberRow[]}>(home, ['fleet', 'status', '--name', fleet, '--members'])).members
}

/** `device image list-installed -o json` (the azsphere shape: the apps, then the OS's own components). */
export interface Installed {
  components: {uid: string; image_type: number; name?: string; images: {uid: string; replica_type: number}[]}[]
}

/** The image the fleet's app runs (its component's active slot, replica 0) in a list-installed answer. */
export function appImage(installed: Installed): string | undefined {
  return installed.components.find((c) => c.uid === APP_CID)?.images.find((i) => i.replica_type === 0)?.uid
}
