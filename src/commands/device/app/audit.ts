import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import type {SphereCapabilityAudit} from '../../../protocol/rest-api.js'

export default class AppAudit extends DeviceCommand<SphereCapabilityAudit> {
  static override summary = 'Least-privilege advisor: manifest capabilities an application used and never used'
  static override description =
    'Compares the capabilities the app manifest declares with those the device saw the app use (every allowed ' +
    'LSM check is recorded, and kept across device restarts) since the image was installed. Prints the used and ' +
    'unused entries and a tightened manifest without the unused ones. Entries the device cannot observe are ' +
    'listed as untracked. Let the app run through all its features first: a capability used only on a rare ' +
    'path shows as unused until that path runs.'
  static override examples = [
    '<%= config.bin %> device app audit --component-id 4d46953f-51d4-43d3-83a2-a808dc36cc53',
    '<%= config.bin %> device app audit -i 4d46953f-51d4-43d3-83a2-a808dc36cc53 --query unused',
    '<%= config.bin %> device app audit -i 4d46953f-51d4-43d3-83a2-a808dc36cc53 --query suggestedManifest -o json > app_manifest.json',
  ]
  static override flags = {
    'component-id': Flags.string({char: 'i', required: true, description: 'Component ID of the installed application'}),
  }
  static override columns = [
    {key: 'componentId', header: 'Component ID'},
    {key: 'name', header: 'Name'},
    {key: 'used', header: 'Used'},
    {key: 'unused', header: 'Declared, never used'},
    {key: 'untracked', header: 'Not observable'},
  ]

  async execute(): Promise<SphereCapabilityAudit> {
    const {flags} = await this.parse(AppAudit)
    const client = await this.client()
    const report = await client.appCapabilities(flags['component-id'])
    if (report.unused.length > 0)
      this.warnLine(
        `${report.unused.length} declared capabilit${report.unused.length === 1 ? 'y was' : 'ies were'} never used: ${report.unused.join(', ')}`,
      )
    return report
  }
}
