import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {HubClient, HUB_ROUTES, liveHub, type HubStatus} from '../../hub/index.js'

export default class HubStatusCommand extends SphereCommand<HubStatus | {running: false}> {
  static override summary = 'Show whether the local IoT hub runs, its endpoint and counts'
  static override examples = ['<%= config.bin %> hub status', '<%= config.bin %> hub status --query endpoint.port']
  static override columns = [
    {key: 'running', header: 'Running'},
    {key: 'endpoint.hostName', header: 'Host name'},
    {key: 'endpoint.port', header: 'Port'},
    {key: 'endpoint.idScope', header: 'ID scope'},
    {key: 'devices', header: 'Devices'},
    {key: 'connectedDevices', header: 'Connected'},
    {key: 'acceptedMessages', header: 'Messages'},
  ]

  async execute(): Promise<HubStatus | {running: false}> {
    await this.parse(HubStatusCommand)
    const info = liveHub(sphereHome())
    if (!info) return {running: false}
    return await new HubClient(info.socketPath).call(HUB_ROUTES.status).catch(() => ({running: false as const}))
  }
}
