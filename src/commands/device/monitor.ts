import {Flags} from '../../cli/flags.js'
import {colorEnabled} from '../../util/color.js'
import {DeviceCommand} from '../../cli/device-command.js'
import {formatSnapshotText, initialState, launchMonitor, readSnapshot, type MonitorSnapshot} from '../../tui/index.js'

export default class DeviceMonitor extends DeviceCommand<MonitorSnapshot | undefined> {
  static override summary = 'Watch a device live: processes, memory, capabilities, LSM audit, app logs and the board'
  static override description = `A full-screen view of one device, fed by its event stream (nothing is polled): the header (device ID, OS version, uptime, capabilities, manufacturing state, clock), the process table (name, component ID, pid, uid, state, memory now/peak/limit, restarts, cpu share), the selected app's declared capabilities next to those it used, the live LSM audit feed, the app's log tail and the board (LEDs, buttons, pins).

Keys: ↑/↓ or j/k select, Enter details, s start/stop, r restart, d delete (asks to confirm), b/B press button A/B, / filter, ? help, q or Ctrl-C quit.

When stdout is not a terminal, or with --once, it prints one snapshot instead: a table, or {device, apps, world} with -o json|yaml. The view reconnects by itself when the device (or the simulator daemon) restarts. NO_COLOR turns colour off.`
  static override examples = [
    '<%= config.bin %> device monitor',
    '<%= config.bin %> device monitor -d sim:lab --interval 100',
    '<%= config.bin %> device monitor --once',
    '<%= config.bin %> device monitor --once -o json --query "apps[].{name: name, state: state}"',
  ]
  static override flags = {
    once: Flags.boolean({description: 'Print one snapshot and exit (the default when stdout is not a terminal).'}),
    interval: Flags.integer({
      description: 'Minimum milliseconds between two screen refreshes driven by device updates (keys redraw at once).',
      default: 1000,
      min: 20,
      max: 10_000,
    }),
  }

  async execute(): Promise<MonitorSnapshot | undefined> {
    const {flags} = await this.parse(this.constructor as typeof DeviceMonitor)
    const client = await this.client()
    const interactive = !flags.once && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY)
    if (interactive) {
      await launchMonitor({
        source: client,
        label: client.label,
        color: colorEnabled(process.stdout),
        intervalMs: flags.interval,
      })
      // the user quit: leave now, even if a half-closed stream or the terminal's stdin still holds the event loop
      return this.exit(0)
    }
    const snap = await readSnapshot(client)
    const {output, query} = this.globals
    if (query === undefined && (output === undefined || output === 'table')) {
      const state = {
        ...initialState(),
        ...snap,
        connection: {status: 'live' as const, since: Date.now()},
        deviceReceivedAt: Date.now(),
        worldReceivedAt: Date.now(),
      }
      process.stdout.write(formatSnapshotText(state, {width: process.stdout.columns || 100, now: Date.now()}) + '\n')
      return undefined
    }
    return snap
  }
}
