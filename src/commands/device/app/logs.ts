import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import type {SphereLogEntry} from '../../../protocol/rest-api.js'

export default class AppLogs extends DeviceCommand<SphereLogEntry[] | undefined> {
  static override summary = "Show an application's output (stdout/stderr and Log_Debug)"
  static override description = 'With --follow, streams new lines until Ctrl-C (plain text).'
  static override examples = [
    '<%= config.bin %> device app logs -i 4d46953f-51d4-43d3-83a2-a808dc36cc53',
    '<%= config.bin %> device app logs -i 4d46953f-51d4-43d3-83a2-a808dc36cc53 --follow',
  ]
  static override flags = {
    'component-id': Flags.string({char: 'i', description: 'Component ID of the application', required: true}),
    follow: Flags.boolean({char: 'f', description: 'Keep streaming new output'}),
    since: Flags.integer({description: 'Only entries after this sequence number', default: 0, min: 0}),
  }
  static override columns = [
    {key: 'seq', header: 'Seq'},
    {key: 'stream', header: 'Stream'},
    {key: 'text', header: 'Text'},
  ]

  async execute(): Promise<SphereLogEntry[] | undefined> {
    const {flags} = await this.parse(AppLogs)
    const client = await this.client()
    if (!flags.follow) return client.appLog(flags['component-id'], flags.since)
    const ac = new AbortController()
    const stop = (): void => ac.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    await client.followAppLog(flags['component-id'], flags.since, (e) => process.stdout.write(e.text.endsWith('\n') ? e.text : e.text + '\n'), ac.signal)
    return undefined
  }
}
