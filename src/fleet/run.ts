/**
 * Run one shard until a signal: boot its members, serve the socket, write the ready record, and on SIGTERM /
 * SIGINT shut every member down (a scratch state directory is removed). Used by the shard process that
 * `sphere fleet start` spawns (shard-main.ts) and by `sphere fleet shard` in the foreground.
 */
import {readFileSync, rmSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {loadTrustStore, verifyImagePackage} from '../image/index.js'
import {NO_TRAP_HANDLER_FLAG, wasmAddressSpace} from '../util/wasm-address-space.js'
import {FLEET_NAME_RE} from '../protocol/fleet.js'
import {writeFileAtomic} from '../util/atomic-file.js'
import {SphereError} from '../util/errors.js'
import {readFleetScenario} from './faults.js'
import {Shard} from './shard.js'

export interface RunShardOptions {
  home: string
  fleet: string
  index: number
  count: number
  devices: number
  seed: string
  socket: string
  /** Written (JSON: pid, socket, devices) once the shard serves; removed at exit. */
  ready?: string
  imagePackage?: string
  world?: string
  scenario?: string
  stateDir?: string
  log?: (line: string) => void
}

/** Largest fleet one shard command accepts (the whole fleet, over all shards). */
export const MAX_FLEET_DEVICES = 10_000_000

export function checkShardOptions(o: Pick<RunShardOptions, 'fleet' | 'index' | 'count' | 'devices'>): void {
  const bad = (msg: string): SphereError => new SphereError('FLEET_BAD_OPTION', msg, {exit: 2})
  if (!FLEET_NAME_RE.test(o.fleet)) throw bad(`Invalid fleet name '${o.fleet}': use letters, digits, '.', '_' or '-' (max 63).`)
  if (!Number.isInteger(o.devices) || o.devices < 1 || o.devices > MAX_FLEET_DEVICES)
    throw bad(`--devices must be a whole number from 1 to ${MAX_FLEET_DEVICES}, not ${o.devices}.`)
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 4096) throw bad(`--count must be a whole number from 1 to 4096, not ${o.count}.`)
  if (!Number.isInteger(o.index) || o.index < 0 || o.index >= o.count) throw bad(`--index must be 0..${o.count - 1}, not ${o.index}.`)
}

export async function runShard(o: RunShardOptions): Promise<{shard: Shard; stop: () => Promise<void>}> {
  checkShardOptions(o)
  const log = o.log ?? (() => undefined)
  const trust = loadTrustStore(o.home)
  let imagePackage: Uint8Array | undefined
  if (o.imagePackage) {
    imagePackage = new Uint8Array(readFileSync(o.imagePackage))
    const v = verifyImagePackage(imagePackage, trust)
    if (!v.ok) throw new SphereError(v.code, `The image package ${o.imagePackage} was refused: ${v.reason}`)
  }
  const world = o.world ? {text: readFileSync(o.world, 'utf8'), baseDir: dirname(resolve(o.world))} : undefined
  const scenario = o.scenario ? readFleetScenario(o.scenario) : undefined
  const t0 = performance.now()
  const shard = await Shard.boot({
    fleet: o.fleet,
    index: o.index,
    count: o.count,
    size: o.devices,
    seed: o.seed,
    trust,
    cacheDir: resolve(o.home, 'cache'),
    ...(o.stateDir ? {stateDir: resolve(o.stateDir, `shard-${o.index}-of-${o.count}`)} : {}),
    ...(imagePackage ? {imagePackage} : {}),
    ...(world ? {world} : {}),
    ...(scenario ? {scenario} : {}),
  }).catch((e: unknown) => {
    // the address-space refusal is the operator's to fix (node flag or shard count): one line, exit 2
    if ((e as {code?: unknown}).code === 'FLEET_ADDRESS_SPACE') throw new SphereError('FLEET_ADDRESS_SPACE', (e as Error).message, {exit: 2, cause: e})
    throw e
  })
  const ms = performance.now() - t0
  await shard.listen(o.socket)
  const bounds = wasmAddressSpace().trapHandler ? '' : ` (bounds checks: ${NO_TRAP_HANDLER_FLAG})`
  log(`shard ${o.index}/${o.count} of fleet ${o.fleet}: ${shard.members.size} devices booted in ${ms.toFixed(0)} ms${bounds}, serving ${o.socket}`)
  if (o.ready)
    writeFileAtomic(
      o.ready,
      JSON.stringify({pid: process.pid, index: o.index, count: o.count, socketPath: o.socket, devices: shard.members.size, bootMs: Math.round(ms)}) + '\n',
    )
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (o.ready) rmSync(o.ready, {force: true})
      await shard.close()
      rmSync(o.socket, {force: true})
    })())
  return {shard, stop}
}
