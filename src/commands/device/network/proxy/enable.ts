import {DeviceCommand} from '../../../../cli/device-command.js'
import type {ProxyConfig} from '../../../../protocol/api/index.js'

/**
 * `device network proxy enable` and `disable`: one command that turns the configured proxy on or off, keeping its
 * address, port, authentication and bypass list (the device fails when no proxy is configured).
 */
export function proxySwitch(enabled: boolean, description: string) {
  const verb = enabled ? 'enable' : 'disable'
  return class ProxySwitch extends DeviceCommand<ProxyConfig> {
    static override summary = `${enabled ? 'Enable' : 'Disable'} the network proxy configured on the attached device`
    static override description = description
    static override examples = [`<%= config.bin %> device network proxy ${verb}`, `<%= config.bin %> device network proxy ${verb} -o json`]

    async execute(): Promise<ProxyConfig> {
      await this.parse(ProxySwitch)
      return (await this.client()).setProxyEnabled(enabled)
    }
  }
}

export default proxySwitch(
  true,
  'Turns on the proxy that `device network proxy apply` configured, keeping its address, port, authentication and bypass list. Fails when no proxy is configured.',
)
