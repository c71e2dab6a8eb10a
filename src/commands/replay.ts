import {Args, Flags} from '../cli/flags.js'
import {existsSync} from 'node:fs'
import {resolve} from 'node:path'
import {SphereCommand} from '../cli/base-command.js'
import {sphereHome} from '../cli/config.js'
import {runReplay, type ReplayReport} from '../device/replay.js'
import {SphereError} from '../util/errors.js'

export default class Replay extends SphereCommand<ReplayReport> {
  static override summary = 'Replay a recorded device run on a fresh device and compare the traces'
  static override description =
    'Boots a fresh simulated device from the state a recording started from (`sphere sim start --record FILE`) and applies every recorded input (REST calls, world changes, host network and serial bytes, host waits) at the scheduling point and virtual time it was applied at. The trace of the replay (app logs, audit records, pin changes, process states, with virtual timestamps) is compared with FILE.trace, or --expect. Exit 0 when the traces match, 1 when they differ (the first difference is reported). See docs/replay.md.'
  static override examples = [
    '<%= config.bin %> replay session.rec',
    '<%= config.bin %> replay session.rec --trace replayed.trace -o json',
    '<%= config.bin %> replay session.rec --expect golden.trace',
  ]
  static override args = {file: Args.string({description: 'Recording file (sim start --record FILE)', required: true})}
  static override flags = {
    trace: Flags.string({description: 'Write the trace of the replay to this file (JSON Lines)'}),
    expect: Flags.string({description: 'Compare with this trace instead of FILE.trace'}),
    compare: Flags.boolean({description: 'Compare with the expected trace (default when FILE.trace exists)', default: true, allowNo: true}),
  }
  static override columns = [
    {key: 'inputs', header: 'Inputs'},
    {key: 'boots', header: 'Boots'},
    {key: 'virtualTimeMs', header: 'Virtual ms'},
    {key: 'traceEntries', header: 'Trace'},
    {key: 'match', header: 'Match'},
    {key: 'difference', header: 'Difference'},
  ]

  async execute(): Promise<ReplayReport> {
    const {args, flags} = await this.parse(Replay)
    const file = resolve(args.file)
    if (!existsSync(file)) throw new SphereError('RECORDING_NOT_FOUND', `No recording at ${args.file}.`, {exit: 1})
    if (flags.expect && !existsSync(flags.expect)) throw new SphereError('TRACE_NOT_FOUND', `No trace at ${flags.expect}.`, {exit: 1})
    const {report, exitCode} = await runReplay(sphereHome(), file, {
      ...(flags.trace ? {trace: resolve(flags.trace)} : {}),
      ...(flags.expect ? {expect: resolve(flags.expect)} : {}),
      compare: flags.compare,
    })
    if (exitCode !== 0) process.exitCode = 1
    return report
  }
}
