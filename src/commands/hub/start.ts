import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {ensureHub, hubClient, HUB_ROUTES, liveHub, stopHub, type HubStatus} from '../../hub/index.js'
import {SphereError} from '../../util/errors.js'

export default class HubStart extends SphereCommand<HubStatus & {started: boolean}> {
  static override summary = 'Start the local IoT hub (with DPS) in the background'
  static override description =
    'An IoT Hub-compatible service on MQTT 3.1.1 over TLS: device registry with X.509 authentication, telemetry, cloud-to-device messages, direct methods, device twins and DPS registration. Its state is kept in the hub folder of SPHERE_HOME and survives a restart; the port chosen on the first start is kept. See docs/hub.md.'
  static override examples = [
    '<%= config.bin %> hub start',
    '<%= config.bin %> hub start --port 8883',
    '<%= config.bin %> hub start --host-name myhub.azure-devices.net',
  ]
  static override flags = {
    port: Flags.integer({
      description: 'MQTT/TLS port (default: the one kept from the last start, or a free one)',
      min: 0,
      max: 65535,
    }),
    'host-name': Flags.string({
      description: "The hub's host name (kept for later starts; default sphere-hub.azure-devices.net)",
    }),
    restart: Flags.boolean({description: 'Restart the hub if it is running (to apply a new port or host name)'}),
  }
  static override columns = [
    {key: 'started', header: 'Started'},
    {key: 'pid', header: 'PID'},
    {key: 'endpoint.hostName', header: 'Host name'},
    {key: 'endpoint.port', header: 'Port'},
    {key: 'endpoint.idScope', header: 'ID scope'},
    {key: 'devices', header: 'Devices'},
  ]

  async execute(): Promise<HubStatus & {started: boolean}> {
    const {flags} = await this.parse(HubStart)
    const home = sphereHome()
    const running = liveHub(home)
    if (running && (flags.port !== undefined || flags['host-name'])) {
      const differs =
        (flags.port !== undefined && flags.port !== 0 && flags.port !== running.endpoint.port) ||
        (flags['host-name'] && flags['host-name'] !== running.endpoint.hostName)
      if (differs && !flags.restart)
        throw new SphereError(
          'HUB_RUNNING',
          `The local hub is already running on port ${running.endpoint.port} as ${running.endpoint.hostName}.`,
          {
            suggestions: ['Add --restart to apply the new options'],
          },
        )
      if (differs) await stopHub(home)
    } else if (running && flags.restart) await stopHub(home)
    const {started} = await ensureHub(home, {
      ...(flags.port !== undefined ? {port: flags.port} : {}),
      ...(flags['host-name'] ? {hostName: flags['host-name']} : {}),
    })
    const status = await hubClient(home).call(HUB_ROUTES.status)
    return {started, ...status}
  }
}
