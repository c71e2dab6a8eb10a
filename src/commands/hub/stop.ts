import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {stopHub} from '../../hub/index.js'

export default class HubStop extends SphereCommand<{stopped: boolean}> {
  static override summary = 'Stop the local IoT hub (its registry, twins and message IDs are kept)'
  static override examples = ['<%= config.bin %> hub stop']
  static override columns = [{key: 'stopped', header: 'Stopped'}]

  async execute(): Promise<{stopped: boolean}> {
    await this.parse(HubStop)
    return {stopped: await stopHub(sphereHome())}
  }
}
