import {DeviceCommand} from '../../../cli/device-command.js'
import type {FirewallRuleset} from '../../../protocol/api/index.js'

export default class NetworkListFirewallRules extends DeviceCommand<FirewallRuleset[]> {
  static override summary = 'List the firewall rules of the attached device, per netfilter hook'
  static override examples = ['<%= config.bin %> device network list-firewall-rules -o json']
  static override columns = [
    {key: 'hook', header: 'Hook'},
    {key: 'isValid', header: 'Valid'},
    {key: 'rules', header: 'Rules'},
  ]

  async execute(): Promise<FirewallRuleset[]> {
    await this.parse(NetworkListFirewallRules)
    return (await (await this.client()).firewallRulesets()).rulesets
  }
}
