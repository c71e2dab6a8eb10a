/**
 * The shard process `sphere fleet start` spawns (one per shard, detached):
 *   node dist/fleet/shard-main.js --home H --fleet NAME --index I --count K --devices N --seed S --socket PATH
 *                                 --ready FILE [--image-package P] [--world FILE] [--scenario FILE] [--state-dir D]
 * It logs to stdout (the fleet's shard-I.log) and its last line on a failure is `fatal: ...`.
 */
import {parseArgs} from 'node:util'
import {runShard} from './run.js'

function log(msg: string): void {
  process.stdout.write(`${new Date().toISOString()} ${msg}\n`)
}

async function main(): Promise<void> {
  const {values: v} = parseArgs({
    options: {
      home: {type: 'string'},
      fleet: {type: 'string'},
      index: {type: 'string'},
      count: {type: 'string'},
      devices: {type: 'string'},
      seed: {type: 'string', default: '0'},
      socket: {type: 'string'},
      ready: {type: 'string'},
      'image-package': {type: 'string'},
      world: {type: 'string'},
      scenario: {type: 'string'},
      'state-dir': {type: 'string'},
    },
  })
  if (!v.home || !v.fleet || !v.socket || !v.devices) throw new Error('--home, --fleet, --devices and --socket are required')
  const {stop} = await runShard({
    home: v.home,
    fleet: v.fleet,
    index: Number(v.index ?? 0),
    count: Number(v.count ?? 1),
    devices: Number(v.devices),
    seed: v.seed ?? '0',
    socket: v.socket,
    ...(v.ready ? {ready: v.ready} : {}),
    ...(v['image-package'] ? {imagePackage: v['image-package']} : {}),
    ...(v.world ? {world: v.world} : {}),
    ...(v.scenario ? {scenario: v.scenario} : {}),
    ...(v['state-dir'] ? {stateDir: v['state-dir']} : {}),
    log,
  })
  const onSignal = (sig: string): void => {
    log(`stopping (${sig})`)
    const hard = setTimeout(() => process.exit(1), 15_000)
    hard.unref()
    void stop().finally(() => process.exit(0))
  }
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  process.on('SIGINT', () => onSignal('SIGINT'))
  process.on('SIGHUP', () => onSignal('SIGHUP'))
}

main().catch((e: unknown) => {
  const code = (e as {code?: unknown}).code
  log(typeof code === 'string' && /^[A-Z_]+$/.test(code) ? `fatal: ${code}: ${(e as Error).message}` : `fatal: ${(e as Error).stack ?? String(e)}`)
  process.exit(1)
})
