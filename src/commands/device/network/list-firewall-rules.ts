import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'
import type {FirewallRuleset} from '../../../protocol/api/index.js'

export default class NetworkListFirewallRules extends DeviceCommand<{rulesets: FirewallRuleset[]}> {
  static override summary = 'List the firewall rules of the attached device, per netfilter hook'
  static override examples = [
    '<%= config.bin %> device network list-firewall-rules -o json',
    '<%= config.bin %> device network list-firewall-rules --query "rulesets[?hook==\'OUTPUT\'].rules[]"',
  ]
  static override tableRows = 'rulesets'
  static override columns = azColumns('hook', 'isValid', 'rules')

  async execute(): Promise<{rulesets: FirewallRuleset[]}> {
    await this.parse(NetworkListFirewallRules)
    return {rulesets: (await (await this.client()).firewallRulesets()).rulesets}
  }
}
