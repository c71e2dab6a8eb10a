import {Args, Flags} from '../cli/flags.js'
import {mkdirSync} from 'node:fs'
import {join, relative} from 'node:path'
import {SphereCommand} from '../cli/base-command.js'
import {sphereHome} from '../cli/config.js'
import {writeFileAtomic} from '../util/atomic-file.js'
import {SphereError} from '../util/errors.js'
import {
  collectScenarioFiles,
  exitCodeFor,
  failureText,
  junitXml,
  loadScenario,
  parseShard,
  runScenario,
  selectShard,
  traceText,
  type Scenario,
  type ScenarioResult,
} from '../scenario/index.js'

export interface TestRow {
  name: string
  file: string
  verdict: string
  virtualTime: string
  wallMs: number
  buildMs: number
  steps: {index: number; step: string; status: string; detail?: string}[]
  failure?: ScenarioResult['failure']
  trace?: string
}

export default class Test extends SphereCommand<TestRow[]> {
  static override summary = 'Run scenario files against a fresh simulated device on the virtual clock'
  static override description =
    'Each scenario (docs/scenarios.md) names the device setup and the apps, then steps: deploy, wait for log lines, press buttons, ' +
    'check LEDs, pins, audit decisions, app states and exits, advance virtual time, send HTTP/UDP, restart or cut the power. ' +
    'A scenario runs in this process on the fast-forward clock: waits are virtual time, so verdicts do not depend on how busy the host is. ' +
    'Exit code: 0 every scenario passed, 1 an expectation failed (or a scenario could not run), 42 a wait timed out (and nothing failed), 2 bad usage or a bad scenario file.'
  static override examples = [
    '<%= config.bin %> test scenarios/blink.yaml',
    '<%= config.bin %> test scenarios/ --junit results.xml',
    '<%= config.bin %> test --shard 2/4 scenarios/ -o json',
    '<%= config.bin %> test --shard 1/4 --list scenarios/',
  ]
  static override strict = false
  static override args = {scenario: Args.string({description: 'Scenario files or folders (searched for *.yaml, *.yml, *.scenario.json)', required: true})}
  static override flags = {
    junit: Flags.string({description: 'Also write the results as JUnit XML to this file (GitHub / GitLab test reports)'}),
    shard: Flags.string({description: 'Run only shard K of N (K/N): a stable hash of each file path decides its shard'}),
    list: Flags.boolean({description: 'List the scenarios (of the shard) without running them'}),
    trace: Flags.string({description: 'Write each scenario\'s trace (JSON Lines: log, audit, pin, process entries at virtual times) into this folder'}),
    'keep-state': Flags.boolean({description: 'Keep each device\'s state folder (printed with --verbose)'}),
  }
  static override columns = [
    {key: 'name', header: 'Scenario'},
    {key: 'verdict', header: 'Verdict'},
    {key: 'virtualTime', header: 'Virtual time'},
    {key: 'wallMs', header: 'Wall ms'},
  ]

  private code = 0

  async execute(): Promise<TestRow[]> {
    const {argv, flags} = await this.parse(Test)
    let files = collectScenarioFiles(argv as string[])
    // an empty suite is a mistake (a wrong folder in CI), not a pass; an empty shard of a suite is fine
    if (files.length === 0)
      throw new SphereError('SCENARIO_NOT_FOUND', `no scenario files (*.yaml, *.yml, *.scenario.json) in ${(argv as string[]).join(', ')}`, {exit: 2})
    if (flags.shard) files = selectShard(files, parseShard(flags.shard))
    // every file is checked before anything runs: a typo in the last file fails fast, nothing half-run
    const scenarios: Scenario[] = files.map((f) => loadScenario(f))
    if (flags.list)
      return scenarios.map((s) => ({name: s.name, file: s.file!, verdict: 'listed', virtualTime: '', wallMs: 0, buildMs: 0, steps: []}))
    const home = sphereHome()
    const builds = new Map<string, string>()
    const results: ScenarioResult[] = []
    const rows: TestRow[] = []
    if (flags.trace) mkdirSync(flags.trace, {recursive: true})
    for (const sc of scenarios) {
      this.verboseLine(`scenario ${sc.name} (${sc.file})`)
      const r = await runScenario(sc, {
        sphereHome: home,
        cacheDir: join(home, 'test-cache'),
        builds,
        keepState: flags['keep-state'],
        onStep: (l) => this.verboseLine(`  ${l}`),
      })
      results.push(r)
      let trace: string | undefined
      if (flags.trace) {
        // named after the file's path, so same-named files in two folders do not overwrite each other
        const stem = relative(process.cwd(), sc.file!).replace(/\.(ya?ml|json)$/i, '').replace(/^(\.\.[\\/])+/, '').replace(/[\\/]/g, '__')
        trace = join(flags.trace, `${stem}.trace.jsonl`)
        writeFileAtomic(trace, traceText(r.trace))
      }
      if (r.failure) process.stderr.write(`${r.verdict.toUpperCase()} ${sc.name} (${sc.file})\n${indent(failureText(r))}\n`)
      rows.push({
        name: r.name,
        file: sc.file!,
        verdict: r.verdict,
        virtualTime: r.virtualTime,
        wallMs: r.wallMs,
        buildMs: r.buildMs,
        steps: r.steps.map((s) => ({index: s.index, step: s.step, status: s.status, ...(s.detail ? {detail: s.detail} : {})})),
        ...(r.failure ? {failure: r.failure} : {}),
        ...(trace ? {trace} : {}),
      })
    }
    if (flags.junit) writeFileAtomic(flags.junit, junitXml(results))
    this.code = exitCodeFor(results)
    return rows
  }

  public override async run(): Promise<TestRow[]> {
    const rows = await super.run()
    if (this.code !== 0) this.exit(this.code)
    return rows
  }
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
}
