import {Flags} from '../../../cli/flags.js'
import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {hubClient, HUB_ROUTES, type Twin} from '../../../hub/index.js'
import {jsonArg} from '../../../hub/json-arg.js'
import {usageError} from '../../../util/errors.js'

export default class HubDeviceTwinUpdate extends SphereCommand<Twin> {
  static override summary =
    "PATCH a device's desired properties and tags (null removes a key); a connected device gets the patch"
  static override examples = [
    `<%= config.bin %> hub device-twin update --device-id dev1 --desired '{"StatusLED":{"value":true}}'`,
    `<%= config.bin %> hub device-twin update -d dev1 --tags '{"site":"lab"}'`,
  ]
  static override flags = {
    'device-id': Flags.string({char: 'd', description: 'Device', required: true}),
    desired: Flags.string({description: 'Desired properties patch (JSON object)'}),
    tags: Flags.string({description: 'Tags patch (JSON object)'}),
  }

  async execute(): Promise<Twin> {
    const {flags} = await this.parse(HubDeviceTwinUpdate)
    if (flags.desired === undefined && flags.tags === undefined)
      throw usageError('HUB_NOTHING_TO_UPDATE', 'Give --desired or --tags (a JSON object) to update the twin.')
    const body: {desired?: Record<string, unknown>; tags?: Record<string, unknown>} = {}
    if (flags.desired !== undefined)
      body.desired = jsonArg(flags.desired, '--desired', {object: true}) as Record<string, unknown>
    if (flags.tags !== undefined) body.tags = jsonArg(flags.tags, '--tags', {object: true}) as Record<string, unknown>
    return await hubClient(sphereHome()).call(HUB_ROUTES.updateTwin, {deviceId: flags['device-id']}, body)
  }
}
