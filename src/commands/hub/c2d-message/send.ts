import {Flags} from '../../../cli/flags.js'
import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {hubClient, HUB_ROUTES, type C2dRequest} from '../../../hub/index.js'
import {propsArg} from '../../../hub/json-arg.js'

export default class HubC2dSend extends SphereCommand<{deviceId: string; messageId: string}> {
  static override summary = 'Send a cloud-to-device message (queued until the device subscribes)'
  static override examples = [
    "<%= config.bin %> hub c2d-message send --device-id dev1 --data 'hello'",
    "<%= config.bin %> hub c2d-message send -d dev1 --data '{\"on\":1}' --ct application/json --props 'priority=high;src=lab'",
  ]
  static override flags = {
    'device-id': Flags.string({char: 'd', description: 'Target device', required: true}),
    data: Flags.string({description: 'Message body', default: 'Ping from sphere hub'}),
    props: Flags.string({description: 'Application properties: key=value;key2=value2', aliases: ['properties']}),
    'message-id': Flags.string({description: 'Message ID (default: a new GUID)', aliases: ['mid']}),
    'correlation-id': Flags.string({description: 'Correlation ID', aliases: ['cid']}),
    'content-type': Flags.string({description: 'Content type', aliases: ['ct']}),
    'content-encoding': Flags.string({description: 'Content encoding', aliases: ['ce']}),
  }
  static override columns = [
    {key: 'deviceId', header: 'Device'},
    {key: 'messageId', header: 'Message ID'},
  ]

  async execute(): Promise<{deviceId: string; messageId: string}> {
    const {flags} = await this.parse(HubC2dSend)
    const body: C2dRequest = {data: flags.data}
    if (flags.props !== undefined) body.properties = propsArg(flags.props, '--props')
    if (flags['message-id']) body.messageId = flags['message-id']
    if (flags['correlation-id']) body.correlationId = flags['correlation-id']
    if (flags['content-type']) body.contentType = flags['content-type']
    if (flags['content-encoding']) body.contentEncoding = flags['content-encoding']
    const {messageId} = await hubClient(sphereHome()).call(HUB_ROUTES.sendC2d, {deviceId: flags['device-id']}, body)
    return {deviceId: flags['device-id'], messageId}
  }
}
