import {Flags} from '../../../../cli/flags.js'
import {azColumns} from '../../../../cli/output.js'
import {DeviceCommand} from '../../../../cli/device-command.js'
import {SphereError} from '../../../../util/errors.js'
import type {ProxyConfig} from '../../../../protocol/api/index.js'

export default class ProxyApply extends DeviceCommand<ProxyConfig> {
  static override summary = 'Configure the network proxy of the attached device'
  static override examples = [
    '<%= config.bin %> device network proxy apply --address proxy.example.com --authentication anonymous --port 8080 --enable',
    '<%= config.bin %> device network proxy apply --address proxy.example.com --authentication basic --port 3128 --username u --password p --no-proxy-addresses a.example b.example',
  ]
  static override columns = azColumns('address', 'enabled', 'port', 'authenticationType', 'noProxyAddresses', 'username')
  static override flags = {
    address: Flags.string({char: 'a', description: 'Proxy host', required: true}),
    authentication: Flags.string({char: 't', description: 'Authentication type', options: ['anonymous', 'basic'], required: true}),
    port: Flags.integer({char: 'r', description: 'Proxy port', required: true, min: 1, max: 65535}),
    enable: Flags.boolean({description: 'Enable the proxy', exclusive: ['disable']}),
    disable: Flags.boolean({description: 'Disable the proxy'}),
    'no-proxy-addresses': Flags.string({char: 'n', description: 'Hosts that bypass the proxy', multiple: true}),
    username: Flags.string({char: 'u', description: 'User name (basic authentication)'}),
    password: Flags.string({char: 'p', description: 'Password (basic authentication)'}),
  }

  async execute(): Promise<ProxyConfig> {
    const {flags} = await this.parse(ProxyApply)
    const body: ProxyConfig = {
      // enabled only with --enable (azsphere's default is a disabled proxy); the device needs the field either way
      enabled: flags.enable === true && flags.disable !== true,
      address: flags.address,
      port: flags.port,
      noProxyAddresses: (flags['no-proxy-addresses'] ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean),
      authenticationType: flags.authentication as ProxyConfig['authenticationType'],
    }
    if (flags.authentication === 'basic') {
      if (!flags.username || !flags.password) {
        throw new SphereError('USAGE', 'Basic authentication needs --username and --password.', {exit: 2})
      }
      body.username = flags.username
      body.password = flags.password
    }
    return (await this.client()).setProxy(body)
  }
}
