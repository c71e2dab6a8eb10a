import {mkdirSync} from 'node:fs'
import {resolve} from 'node:path'
import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {fleetDir, shardSocketPath} from '../../device/fleet.js'
import {runShard} from '../../fleet/run.js'
import {SphereError} from '../../util/errors.js'
import {inputPath} from './start.js'

export default class FleetShard extends SphereCommand<void> {
  static override summary = 'Run one shard of a fleet in the foreground (the process `fleet start --shards K` spawns; a Kubernetes pod)'
  static override description =
    'Boots the devices whose index is INDEX mod COUNT and serves them on one socket multiplexed by device (the fleet shard protocol) until SIGTERM. --index defaults to $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job). The same seed gives every device the same ID, faults and results whatever the shard count.'
  static override examples = [
    '<%= config.bin %> fleet shard --name lab --index 0 --count 4 --devices 1000000 --seed 7',
    'JOB_COMPLETION_INDEX=3 <%= config.bin %> fleet shard --name lab --count 64 --devices 1000000 --socket /run/sphere/shard.sock',
  ]
  static override flags = {
    name: Flags.string({char: 'n', description: 'Fleet name', default: 'default'}),
    index: Flags.integer({description: 'This shard (default: $JOB_COMPLETION_INDEX)', min: 0}),
    count: Flags.integer({description: 'Shards in the fleet', required: true, min: 1, max: 4096}),
    devices: Flags.integer({description: 'Devices in the whole fleet', required: true, min: 1, max: 10_000_000}),
    seed: Flags.string({description: 'Seed of device IDs, faults and rollout order', default: '0'}),
    socket: Flags.string({description: 'Unix socket to serve (default: under the fleet folder of SPHERE_HOME)'}),
    'image-package': Flags.string({char: 'p', description: 'Image package every device gets at its first boot'}),
    world: Flags.string({description: 'World file applied to every device'}),
    scenario: Flags.string({description: 'Fleet scenario file (faults)'}),
    'state-dir': Flags.string({description: 'Keep device state here; default: in memory'}),
  }

  async execute(): Promise<void> {
    const {flags} = await this.parse(FleetShard)
    const env = process.env.JOB_COMPLETION_INDEX
    const index = flags.index ?? (env !== undefined && /^\d+$/.test(env) ? Number(env) : undefined)
    if (index === undefined) throw new SphereError('FLEET_BAD_OPTION', 'Give --index, or run where JOB_COMPLETION_INDEX is set.', {exit: 2})
    const home = sphereHome()
    if (!flags.socket) mkdirSync(fleetDir(home, flags.name), {recursive: true})
    const socket = flags.socket ? resolve(flags.socket) : shardSocketPath(home, flags.name, index)
    const imagePackage = inputPath('image-package', flags['image-package'], 'image package')
    const world = inputPath('world', flags.world, 'world file')
    const scenario = inputPath('scenario', flags.scenario, 'fleet scenario')
    const {stop} = await runShard({
      home,
      fleet: flags.name,
      index,
      count: flags.count,
      devices: flags.devices,
      seed: flags.seed,
      socket,
      ...(imagePackage ? {imagePackage} : {}),
      ...(world ? {world} : {}),
      ...(scenario ? {scenario} : {}),
      ...(flags['state-dir'] ? {stateDir: resolve(flags['state-dir'])} : {}),
      log: (l) => process.stderr.write(`${l}\n`),
    })
    await new Promise<void>((done) => {
      const end = (): void => void stop().finally(done)
      process.once('SIGTERM', end)
      process.once('SIGINT', end)
    })
  }
}
