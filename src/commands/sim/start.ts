import {Flags} from '@oclif/core'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {assertSimName, connectSim, liveDaemon, stopDaemon} from '../../device/index.js'
import {SphereError} from '../../util/errors.js'

export interface SimStartResult {
  name: string
  pid: number
  started: boolean
  socketPath: string
  serialPath: string | null
  listen: string | null
  deviceId: string | null
}

export default class SimStart extends SphereCommand<SimStartResult> {
  static override summary = 'Start a simulated MT3620 device in the background'
  static override description =
    'Starts a simulator daemon that keeps running between commands. Device commands auto-start the default simulator, so this is only needed for named simulators, a serial (PTY) link, an HTTPS listener or a world file.'
  static override examples = [
    '<%= config.bin %> sim start',
    '<%= config.bin %> sim start --name lab --serial',
    '<%= config.bin %> sim start --listen 127.0.0.1:8443',
    '<%= config.bin %> sim start --world world.yaml --clock fast-forward',
  ]
  static override flags = {
    name: Flags.string({char: 'n', description: 'Simulator name', default: 'default'}),
    serial: Flags.boolean({description: 'Also serve the device API on a PTY (made with socat), like a board on its service UART'}),
    'serial-port': Flags.string({description: 'Serve the device API on this existing serial device (USB-serial adapter, null-modem PTY)'}),
    listen: Flags.string({description: 'Also serve the device REST API over HTTPS on HOST:PORT'}),
    port: Flags.integer({description: 'Shorthand for --listen 127.0.0.1:PORT', min: 1, max: 65535}),
    'service-listen': Flags.string({description: 'Serve the device-list service (GET /api/service/devices) on HOST:PORT'}),
    world: Flags.string({description: 'World file (YAML/JSON) describing buttons, sensors and UART peers'}),
    clock: Flags.string({description: 'Virtual clock mode', options: ['realtime', 'fast-forward'], default: 'realtime'}),
    restart: Flags.boolean({description: 'Restart the simulator if it is already running (to apply new options)'}),
  }
  static override columns = [
    {key: 'name', header: 'Name'},
    {key: 'pid', header: 'PID'},
    {key: 'started', header: 'Started'},
    {key: 'serialPath', header: 'Serial'},
    {key: 'listen', header: 'Listen'},
  ]

  async execute(): Promise<SimStartResult> {
    const {flags} = await this.parse(SimStart)
    assertSimName(flags.name)
    const home = sphereHome()
    const listen = flags.listen ?? (flags.port ? `127.0.0.1:${flags.port}` : undefined)
    if (listen && !/^[^:]+:\d{1,5}$/.test(listen)) {
      throw new SphereError('BAD_LISTEN', `Invalid --listen '${listen}': expected HOST:PORT.`, {exit: 2})
    }
    const running = liveDaemon(home, flags.name)
    const wantsOptions = flags.serial || flags['serial-port'] || listen || flags['service-listen'] || flags.world || flags.clock !== 'realtime'
    if (running && (flags.restart || wantsOptions)) {
      if (!flags.restart) {
        throw new SphereError('SIM_RUNNING', `Simulator '${flags.name}' is already running (pid ${running.pid}).`, {
          suggestions: ['Add --restart to restart it with the new options, or `sphere sim stop` first.'],
        })
      }
      await stopDaemon(home, flags.name)
    }
    const {info, started} = await connectSim(home, flags.name, {
      serial: flags.serial,
      ...(flags['serial-port'] ? {serialPort: flags['serial-port']} : {}),
      ...(listen ? {listen} : {}),
      ...(flags['service-listen'] ? {serviceListen: flags['service-listen']} : {}),
      ...(flags.world ? {world: flags.world} : {}),
      clock: flags.clock as 'realtime' | 'fast-forward',
    })
    return {
      name: info.name,
      pid: info.pid,
      started,
      socketPath: info.socketPath,
      serialPath: info.serialPath ?? null,
      listen: info.listen ?? null,
      deviceId: info.deviceId ?? null,
    }
  }
}
