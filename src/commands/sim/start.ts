import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {assertSimName, connectSim, liveDaemon, stopDaemon} from '../../device/index.js'
import {SphereError} from '../../util/errors.js'
import {existsSync, statSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

/** The recording file as an absolute path (the daemon runs elsewhere); its folder must exist. */
function recordPath(file: string): string {
  const p = resolve(file)
  if (!existsSync(dirname(p)) || !statSync(dirname(p)).isDirectory())
    throw new SphereError('BAD_RECORD_PATH', `Cannot record to ${file}: the folder ${dirname(p)} does not exist.`, {exit: 2})
  if (existsSync(p) && statSync(p).isDirectory()) throw new SphereError('BAD_RECORD_PATH', `Cannot record to ${file}: it is a folder.`, {exit: 2})
  return p
}

export interface SimStartResult {
  name: string
  pid: number
  started: boolean
  socketPath: string
  serialPath: string | null
  listen: string | null
  deviceId: string | null
  /** The recording file (sim start --record), or null. */
  record: string | null
  /** Several high-level apps side by side (--multi-app; ours, not a real device's). */
  multiApp: boolean
}

export default class SimStart extends SphereCommand<SimStartResult> {
  static override summary = 'Start a simulated MT3620 device in the background'
  static override description =
    'Starts a simulator daemon that keeps running between commands. Device commands auto-start the default simulator, so this is only needed for named simulators, a serial (PTY) link, an HTTPS listener, a world file or the host\'s internet (--internet).'
  static override examples = [
    '<%= config.bin %> sim start',
    '<%= config.bin %> sim start --name lab --serial',
    '<%= config.bin %> sim start --listen 127.0.0.1:8443',
    '<%= config.bin %> sim start --world world.yaml --clock fast-forward',
    '<%= config.bin %> sim start --internet',
    '<%= config.bin %> sim start --name lab --record session.rec',
    '<%= config.bin %> sim start --name suite --multi-app',
  ]
  static override flags = {
    name: Flags.string({char: 'n', description: 'Simulator name', default: 'default'}),
    serial: Flags.boolean({description: 'Also serve the device API on a PTY (made with socat), like a board on its service UART'}),
    'serial-port': Flags.string({description: 'Serve the device API on this existing serial device (USB-serial adapter, null-modem PTY)'}),
    listen: Flags.string({description: 'Also serve the device REST API over HTTPS on HOST:PORT'}),
    port: Flags.integer({description: 'Shorthand for --listen 127.0.0.1:PORT', min: 1, max: 65535}),
    'service-listen': Flags.string({description: 'Serve the device-list service (GET /api/service/devices) on HOST:PORT'}),
    world: Flags.string({description: 'World file (YAML/JSON) describing buttons, sensors and UART peers'}),
    internet: Flags.boolean({
      description:
        "Resolve names the device does not know with the host's resolver, so apps reach real internet hosts (still only names in their AllowedConnections)",
    }),
    clock: Flags.string({description: 'Virtual clock mode', options: ['realtime', 'fast-forward'], default: 'realtime'}),
    record: Flags.string({
      description:
        'Record every input into FILE (and the trace of the run into FILE.trace) for `sphere replay`; a recorded realtime device runs its deterministic clock paced to wall time',
    }),
    'multi-app': Flags.boolean({
      description:
        'Ours, not a real device\'s: let several high-level apps run side by side (an MT3620 runs one; a second one replaces it)',
    }),
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
    const wantsOptions = flags.serial || flags['serial-port'] || listen || flags['service-listen'] || flags.world || flags.internet || flags.record || flags['multi-app'] || flags.clock !== 'realtime'
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
      ...(flags.internet ? {internet: true} : {}),
      ...(flags.record ? {record: recordPath(flags.record)} : {}),
      ...(flags['multi-app'] ? {multiApp: true} : {}),
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
      record: flags.record ? recordPath(flags.record) : null,
      multiApp: info.multiApp ?? false,
    }
  }
}
