import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {hubClient, HUB_ROUTES, type MethodResult} from '../../hub/index.js'
import {jsonArg} from '../../hub/json-arg.js'

export default class HubInvokeDeviceMethod extends SphereCommand<MethodResult> {
  static override summary = "Invoke a device's direct method and show its status and payload"
  static override examples = [
    `<%= config.bin %> hub invoke-device-method --device-id dev1 --method-name TriggerAlarm --method-payload '{"level":2}'`,
    '<%= config.bin %> hub invoke-device-method -d dev1 --mn reboot --timeout 10',
  ]
  static override flags = {
    'device-id': Flags.string({char: 'd', description: 'Target device', required: true}),
    'method-name': Flags.string({description: 'Method to invoke', required: true, aliases: ['mn']}),
    'method-payload': Flags.string({description: 'JSON payload passed to the method', default: '{}', aliases: ['mp']}),
    timeout: Flags.integer({
      description: 'Seconds to wait for the device to answer',
      default: 30,
      min: 5,
      max: 300,
      aliases: ['to'],
    }),
  }
  static override columns = [
    {key: 'status', header: 'Status'},
    {key: 'payload', header: 'Payload'},
  ]

  async execute(): Promise<MethodResult> {
    const {flags} = await this.parse(HubInvokeDeviceMethod)
    const payload = jsonArg(flags['method-payload'], '--method-payload')
    return await hubClient(sphereHome()).call(
      HUB_ROUTES.invokeMethod,
      {deviceId: flags['device-id']},
      {methodName: flags['method-name'], payload, responseTimeoutInSeconds: flags.timeout},
      {timeoutMs: (flags.timeout + 5) * 1000},
    )
  }
}
