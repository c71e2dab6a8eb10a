import {Args, Flags} from '../../cli/flags.js'
import {readFile} from 'node:fs/promises'
import {DeviceCommand} from '../../cli/device-command.js'
import {sphereHome} from '../../cli/config.js'
import type {DeviceClient} from '../../device/index.js'
import {isActiveState} from '../../protocol/app-state.js'
import {EXIT_FAILED, EXIT_TIMEOUT} from '../../scenario/exit-codes.js'
import type {SphereAppInfo} from '../../protocol/rest-api.js'
import {buildApp} from '../../sdk/index.js'
import {SphereError} from '../../util/errors.js'

export interface AppRunResult {
  name: string
  componentId: string
  imagePackage: string
  /** The app state word (src/protocol/app-state.ts) when the command ended. */
  state: string
  logLines: number
  /** Why the command ended: started (no follow), exited (the app ended by itself), interrupted (Ctrl-C),
   *  expected (a log line contained the --expect-text). */
  ended: 'started' | 'exited' | 'interrupted' | 'expected'
}

/** How long after a start a crash counts as a failed start (a GPIO another app holds fails within ms). */
const SETTLE_MS = 1000
const POLL_MS = 200

/** How a run ends: the app ended, the timeout passed, the user interrupted, or a log line decided it. */
type RunEnd =
  | {kind: 'app-ended'; app: SphereAppInfo}
  | {kind: 'timeout'}
  | {kind: 'interrupted'}
  | {kind: 'line'; pass: boolean; why: string}

export default class AppRun extends DeviceCommand<AppRunResult> {
  static override summary = 'Build an app, sideload it to the device, start it and, on a terminal, stream its log'
  static override description =
    'The edit-build-run loop in one command: `app build`, then `device sideload deploy`, then (on a terminal) `device app logs --follow`. ' +
    'A start that fails (the app crashes within a second, e.g. on a GPIO another app holds) is reported with its reason and exits 1. ' +
    'The log is followed only when stdout is a terminal, or with --follow; --no-follow returns once the app has started. ' +
    'Following ends with Ctrl-C (the app keeps running; add --stop-on-exit to stop it) or when the app exits (exit 0 if it stopped cleanly, 1 if it crashed). ' +
    'With --timeout N the command waits for the app to exit and fails (exit 1) if it is still running after N seconds. ' +
    `--expect-text T follows the log until a line contains T (exit 0; exit ${EXIT_TIMEOUT} when --timeout passes first, 1 when the app ends first); ` +
    `--fail-text F ends with exit ${EXIT_FAILED} as soon as a line contains F.`
  static override examples = [
    '<%= config.bin %> app run',
    '<%= config.bin %> app run ./MyApp --device sim:lab',
    '<%= config.bin %> app run ./MyApp -o json                    # in a script: returns once the app runs',
    '<%= config.bin %> app run ./MyTest --follow --timeout 30     # a test app: exit 0 when it exits cleanly in time',
    '<%= config.bin %> app run ./MyApp --expect-text "Hello" --fail-text "ERROR" --timeout 30',
  ]
  static override args = {dir: Args.string({description: 'Project directory (default: current directory)', default: '.'})}
  static override flags = {
    preset: Flags.string({char: 'p', description: 'CMake configure preset (default: ARM-Debug, else the first one)'}),
    follow: Flags.boolean({description: 'Stream the log (default: only when stdout is a terminal)', allowNo: true}),
    'stop-on-exit': Flags.boolean({description: 'Stop the app when the command ends (after following, or at the timeout)'}),
    timeout: Flags.integer({description: 'Wait at most this many seconds for the app to exit; still running then = exit 1', min: 1}),
    'expect-text': Flags.string({
      description: `Follow the log until a line contains this text, then exit 0; with --timeout, exit ${EXIT_TIMEOUT} if it does not come in time`,
    }),
    'fail-text': Flags.string({description: `Exit ${EXIT_FAILED} as soon as a log line contains this text`}),
  }
  static override columns = [
    {key: 'name', header: 'App'},
    {key: 'componentId', header: 'Component ID'},
    {key: 'state', header: 'State'},
  ]

  async execute(): Promise<AppRunResult> {
    const {args, flags} = await this.parse(AppRun)
    this.watch_ = new TextWatch(flags['expect-text'], flags['fail-text'])
    const follow = this.watch_.active || (flags.follow ?? Boolean(process.stdout.isTTY))
    const built = await buildApp({
      dir: args.dir,
      ...(flags.preset !== undefined ? {preset: flags.preset} : {}),
      sphereHome: sphereHome(),
      onStep: (step) => this.verboseLine(step),
    })
    const app = built.apps[0]
    if (!app) throw new SphereError('APP_NOTHING_BUILT', `The project in ${args.dir} produced no image package.`)
    if (built.apps.length > 1) this.warnLine(`The project builds ${built.apps.length} apps; running the first, ${app.name}.`)
    const client = await this.client()
    const pkg = await readFile(app.imagePackage)
    const cid = app.componentId.toLowerCase()
    // follow from this run on: the log of an earlier install of the same app is history
    const since = follow ? ((await client.appLog(cid).catch(() => [])).at(-1)?.seq ?? 0) : 0
    await client.stage(pkg)
    await client.install('Auto')

    let lines = 0
    const ac = new AbortController()
    const ends: ((e: RunEnd) => void)[] = []
    const ended = new Promise<RunEnd>((resolve) => ends.push(resolve))
    let finished = false
    const end = (e: RunEnd): void => {
      finished = true
      for (const fn of ends.splice(0)) fn(e)
    }
    const isDone = (): boolean => finished
    const onSignal = (): void => end({kind: 'interrupted'})
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    const timers: NodeJS.Timeout[] = []
    let follower: Promise<void> | undefined
    try {
      if (follow) {
        follower = client
          .followAppLog(
            cid,
            since,
            (e) => {
              lines++
              process.stderr.write(e.text.endsWith('\n') ? e.text : e.text + '\n')
              const decided = this.checkLine(e.text)
              if (decided) end(decided)
            },
            ac.signal,
          )
          .catch(() => undefined)
      }
      // A failed start: the app crashes (or ends) within SETTLE_MS of its start.
      const first = await this.watch(client, cid, SETTLE_MS, end, isDone)
      if (first?.kind === 'app-ended' && first.app.state === 'crashed') throw this.failedStart(app.name, first.app)
      let outcome: RunEnd | undefined = first
      if (outcome === undefined && (follow || flags.timeout !== undefined)) {
        if (flags.timeout !== undefined) timers.push(setTimeout(() => end({kind: 'timeout'}), flags.timeout * 1000 - SETTLE_MS))
        void this.watch(client, cid, Infinity, end, isDone)
        outcome = await ended
      }
      ac.abort()
      await follower
      if (flags['stop-on-exit'] && outcome?.kind !== 'app-ended') await client.setAppState(cid, 'stop')
      const final = (await client.apps()).find((a) => a.componentId === cid)
      const state = final?.state ?? 'notPresent'
      if (outcome?.kind === 'timeout' && this.watch_.expecting)
        throw new SphereError(
          'APP_EXPECT_TIMEOUT',
          `No log line of ${app.name} contained the --expect-text ${JSON.stringify(flags['expect-text'])} within ${flags.timeout} s.`,
          {exit: EXIT_TIMEOUT},
        )
      if (outcome?.kind === 'timeout')
        throw new SphereError('APP_RUN_TIMEOUT', `${app.name} was still ${state} after ${flags.timeout} s (--timeout).`, {
          suggestions: ['Give it longer with --timeout, or leave --timeout out to let it run.'],
        })
      if (outcome?.kind === 'app-ended' && outcome.app.state === 'crashed')
        throw new SphereError('APP_CRASHED', `${app.name} crashed: ${outcome.app.crashReason ?? 'unknown reason'}.`, {
          suggestions: [`See its log: sphere device app logs -i ${cid}`],
        })
      if (outcome?.kind === 'line' && !outcome.pass)
        throw new SphereError('APP_FAIL_TEXT', `${app.name} ${outcome.why}.`, {exit: EXIT_FAILED})
      if (outcome?.kind === 'app-ended' && this.watch_.expecting)
        throw new SphereError(
          'APP_EXPECT_MISSING',
          `${app.name} ended (${outcome.app.state}) before a log line contained the --expect-text ${JSON.stringify(flags['expect-text'])}.`,
        )
      return {
        name: app.name,
        componentId: app.componentId,
        imagePackage: app.imagePackage,
        state,
        logLines: lines,
        ended:
          outcome === undefined
            ? 'started'
            : outcome.kind === 'interrupted'
              ? 'interrupted'
              : outcome.kind === 'line'
                ? 'expected'
                : 'exited',
      }
    } finally {
      ac.abort()
      for (const t of timers) clearTimeout(t)
      end({kind: 'interrupted'}) // stops the watcher
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
    }
  }

  private watch_ = new TextWatch(undefined, undefined)

  /** A log line that decides the run (pass or fail: --expect-text / --fail-text), or undefined. */
  protected checkLine(text: string): RunEnd | undefined {
    return this.watch_.check(text)
  }

  /**
   * Watch the app's state for up to `ms` (until the run ends): resolves with its end when it is no longer running
   * (stopped by itself, crashed), or undefined when the time is up or the run ended otherwise.
   */
  private async watch(client: DeviceClient, cid: string, ms: number, end: (e: RunEnd) => void, done: () => boolean): Promise<RunEnd | undefined> {
    const until = Date.now() + ms
    while (!done() && Date.now() < until) {
      const app = (await client.apps().catch(() => [])).find((a) => a.componentId === cid)
      if (app && !isActiveState(app.state)) {
        const e: RunEnd = {kind: 'app-ended', app}
        end(e)
        return e
      }
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, until - Date.now()))))
    }
    return undefined
  }

  private failedStart(name: string, app: SphereAppInfo): SphereError {
    return new SphereError('APP_START_FAILED', `${name} failed to start: it crashed (${app.crashReason ?? 'unknown reason'}).`, {
      suggestions: [
        `See its log: sphere device app logs -i ${app.componentId}`,
        'A GPIO or other peripheral held by another app makes the open fail: stop that app first (sphere device app show-status).',
      ],
    })
  }
}

/** --expect-text / --fail-text: the one-line version of a scenario's wait-log and fail-log. */
class TextWatch {
  private seen = false

  constructor(
    private readonly expect: string | undefined,
    private readonly fail: string | undefined,
  ) {}

  get active(): boolean {
    return this.expect !== undefined || this.fail !== undefined
  }

  /** An expected text was given and has not been seen yet. */
  get expecting(): boolean {
    return this.expect !== undefined && !this.seen
  }

  /** Feed a log line: the run's end when it decides the run. */
  check(line: string): RunEnd | undefined {
    const text = line.replace(/\n$/, '')
    if (this.fail !== undefined && text.includes(this.fail))
      return {kind: 'line', pass: false, why: `logged ${JSON.stringify(text)}, which contains the --fail-text ${JSON.stringify(this.fail)}`}
    if (this.expect !== undefined && text.includes(this.expect)) {
      this.seen = true
      return {kind: 'line', pass: true, why: 'expected text seen'}
    }
    return undefined
  }
}
