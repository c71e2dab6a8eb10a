import {DeviceCommand} from '../../../cli/device-command.js'

export default class NetworkListFirewallRules extends DeviceCommand<Record<string, unknown>[]> {
  static override summary = 'List the firewall rules of the attached device, per netfilter hook'
  static override examples = ['<%= config.bin %> device network list-firewall-rules -o json']
  static override columns = [
    {key: 'hook', header: 'Hook'},
    {key: 'isValid', header: 'Valid'},
    {key: 'rules', header: 'Rules'},
  ]

  async execute(): Promise<Record<string, unknown>[]> {
    await this.parse(NetworkListFirewallRules)
    return (await (await this.client()).json<{rulesets: Record<string, unknown>[]}>('GET', '/net/firewall/rulesets')).rulesets
  }
}
