import {existsSync, readFileSync, statSync} from 'node:fs'
import {resolve} from 'node:path'
import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {assertFleetName, startFleet} from '../../device/fleet.js'
import {readFleetScenario} from '../../fleet/faults.js'
import {parseImagePackage} from '../../image/index.js'
import {SphereError} from '../../util/errors.js'

export interface FleetStartResult {
  name: string
  devices: number
  shards: number
  seed: string
  /** Wall time from the first shard's spawn until every shard served. */
  bootMs: number
  sockets: string[]
}

/** A file flag as an absolute path (the shards run elsewhere); it must be a readable file. */
export function inputPath(flag: string, file: string | undefined, what: string): string | undefined {
  if (file === undefined) return undefined
  const p = resolve(file)
  if (!existsSync(p) || !statSync(p).isFile()) throw new SphereError('FLEET_BAD_OPTION', `--${flag}: the ${what} ${file} does not exist or is not a file.`, {exit: 2})
  return p
}

export default class FleetStart extends SphereCommand<FleetStartResult> {
  static override summary = 'Start a fleet of simulated devices: one background process per shard, many devices in each'
  static override description =
    'Every device has its own device ID (from the seed and its index), capabilities, manufacturing state, installed images, mutable storage and audit log, on the fast-forward clock. State lives in memory (a tmpfs scratch directory) unless --state-dir keeps it. Every device command reaches a member with --device fleet:NAME/N or fleet:NAME/<device ID>.'
  static override examples = [
    '<%= config.bin %> fleet start --name lab --devices 1000 --image-package blink.imagepackage',
    '<%= config.bin %> fleet start --name lab --devices 10000 --shards 4 --seed 7 --scenario faults.yaml',
  ]
  static override flags = {
    name: Flags.string({char: 'n', description: 'Fleet name', default: 'default'}),
    devices: Flags.integer({description: 'Number of devices', required: true, min: 1, max: 10_000_000}),
    'image-package': Flags.string({char: 'p', description: 'Image package every device gets over the air at its first boot'}),
    world: Flags.string({description: 'World file (YAML/JSON) applied to every device (docs/world.md)'}),
    scenario: Flags.string({description: 'Fleet scenario file: faults and the share of devices each hits (docs/fleet.md)'}),
    seed: Flags.string({description: 'Seed of device IDs, faults and rollout order', default: '0'}),
    'state-dir': Flags.string({description: 'Keep device state here (survives a stop); default: in memory'}),
    shards: Flags.integer({description: 'Shard processes (devices are spread by index mod shards)', default: 1, min: 1, max: 256}),
  }
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'devices', header: 'Devices'},
    {key: 'shards', header: 'Shards'},
    {key: 'seed', header: 'Seed'},
    {key: 'bootMs', header: 'Boot ms'},
  ]

  async execute(): Promise<FleetStartResult> {
    const {flags} = await this.parse(FleetStart)
    assertFleetName(flags.name)
    if (flags.shards > flags.devices) throw new SphereError('FLEET_BAD_OPTION', `--shards ${flags.shards} is more than --devices ${flags.devices}.`, {exit: 2})
    if (!/^[\x21-\x7e]{1,64}$/.test(flags.seed)) throw new SphereError('FLEET_BAD_OPTION', `--seed must be 1 to 64 printable characters without spaces.`, {exit: 2})
    const imagePackage = inputPath('image-package', flags['image-package'], 'image package')
    const world = inputPath('world', flags.world, 'world file')
    const scenario = inputPath('scenario', flags.scenario, 'fleet scenario')
    // what can be checked here is checked before any process starts (one line, exit 2, nothing written)
    if (scenario) readFleetScenario(scenario)
    if (imagePackage) {
      try {
        parseImagePackage(new Uint8Array(readFileSync(imagePackage)))
      } catch (e) {
        throw new SphereError('FLEET_BAD_OPTION', `--image-package: ${flags['image-package']} is not an image package: ${(e as Error).message}`, {exit: 2})
      }
    }
    const progress = this.progress(`Starting fleet ${flags.name}`, flags.shards)
    let shown = 0
    const rec = await startFleet(sphereHome(), flags.name, {
      devices: flags.devices,
      shards: flags.shards,
      seed: flags.seed,
      ...(imagePackage ? {imagePackage} : {}),
      ...(world ? {world} : {}),
      ...(scenario ? {scenario} : {}),
      ...(flags['state-dir'] ? {stateDir: resolve(flags['state-dir'])} : {}),
      onShardReady: (n) => {
        progress.tick(n - shown)
        shown = n
      },
    })
    progress.done()
    return {name: rec.name, devices: rec.devices, shards: rec.shards.length, seed: rec.seed, bootMs: rec.bootMs ?? 0, sockets: rec.shards.map((s) => s.socketPath)}
  }
}
