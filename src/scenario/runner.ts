/**
 * The scenario runner: builds the apps, boots a fresh simulated device in-process on the fast-forward clock
 * (target.ts), runs the steps one by one and returns a verdict with a readable account of a failure.
 *
 * Waits are in virtual time: a wait that needs 10 virtual minutes costs what the apps compute in them, and the
 * verdict depends only on what the device did (the virtual clock is driven by the apps' fuel, not by the
 * host), never on how loaded the host is. The one wall-clock limit is the whole run's `timeout`, a safety net
 * for a runaway scenario.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import http from 'node:http'
import dgram from 'node:dgram'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {loadHardwareDefinition, loadTrustStore, resolvePeripheral, sdkHardwareDefinitionsDir, type HardwareDefinition} from '../image/index.js'
import {buildApp} from '../sdk/index.js'
import {isSphereError, SphereError} from '../util/errors.js'
import {formatNs, NS_PER_MS, type Scenario, type Step} from './scenario.js'
import {deviceIdFor, InProcessTarget, worldText, type DeviceTarget} from './target.js'
import type {TraceEntry} from './trace.js'

import {EXIT_FAILED, EXIT_PASSED, EXIT_TIMEOUT} from './exit-codes.js'

export {EXIT_FAILED, EXIT_PASSED, EXIT_TIMEOUT}

export type Verdict = 'passed' | 'failed' | 'timeout' | 'error'

export interface StepResult {
  index: number
  step: string
  status: 'passed' | 'failed' | 'timeout' | 'error' | 'skipped'
  /** Virtual time when the step ended (ns since the run began). */
  virtualNs?: number
  /** What was observed (passed steps too: "LED1 blinking at 4.00 Hz"). */
  detail?: string
}

export interface Failure {
  index: number
  step: string
  expectation: string
  actual: string
  /** Virtual time of the failure, ns since the run began, and as text. */
  virtualNs: number
  virtualTime: string
  /** `[12.345s] app: line`, the last lines logged before the failure. */
  lastLog: string[]
  /** `[t] ALLOWED|DENIED subject operation object: reason`, the last audit records. */
  auditTail: string[]
  /** The wall-clock limit of the run ended it (not a virtual wait). */
  wallClock?: boolean
}

export interface ScenarioResult {
  name: string
  file?: string
  verdict: Verdict
  /** Virtual time the run covered (ns) and as text. */
  virtualNs: number
  virtualTime: string
  wallMs: number
  /** Of the run, builds excluded. */
  buildMs: number
  steps: StepResult[]
  failure?: Failure
  /** Everything the device did (trace.ts). */
  trace: TraceEntry[]
}

export interface RunOptions {
  /** SPHERE_HOME: the development signing key (builds sign with it, the device trusts it). */
  sphereHome: string
  /** Instrumented-binary cache shared by runs (default: none, each run instruments again). */
  cacheDir?: string
  /** Environment for app builds. */
  env?: NodeJS.ProcessEnv
  /** Keep the device's state directory (its path is returned through onStep). */
  keepState?: boolean
  /** Progress lines (build steps, each step's verdict). */
  onStep?: (line: string) => void
  /** Wrap the device target (a recorder sees every input this way). */
  wrapTarget?: (t: DeviceTarget) => DeviceTarget
  /** Already built image packages by project directory (a suite builds each project once). */
  builds?: Map<string, string>
  /** Lines of log and audit in a failure report (default 20 and 10). */
  logTail?: number
  auditTail?: number
  /** Waits served in place (DeviceBootOptions.inPlaceWaits; default true; false: the same run, slower). */
  inPlaceWaits?: boolean
}

class StepFailure extends Error {
  constructor(
    readonly expectation: string,
    readonly actual: string,
    readonly kind: 'failed' | 'timeout' = 'failed',
    readonly wallClock = false,
  ) {
    super(`${expectation}: ${actual}`)
  }
}

type NetStep = Step & {action: 'udp' | 'tcp'; port: number; send: string; expectReply?: string}

interface Resolved {
  gpios: number[]
  activeLow: boolean
  name: string
}

/** Build (or reuse) each app of the scenario; returns package paths by app name. */
export async function buildScenarioApps(sc: Scenario, opts: RunOptions): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const a of sc.apps) {
    if (a.package) {
      out.set(a.name, a.package)
      continue
    }
    const dir = a.project!
    const key = `${dir}\0${a.preset ?? ''}`
    let pkg = opts.builds?.get(key)
    if (!pkg) {
      opts.onStep?.(`building ${a.name} (${dir})`)
      const built = await buildApp({
        dir,
        ...(a.preset !== undefined ? {preset: a.preset} : {}),
        sphereHome: opts.sphereHome,
        ...(opts.env ? {env: opts.env} : {}),
        ...(opts.onStep ? {onStep: opts.onStep} : {}),
      })
      const app = built.apps[0]
      if (!app) throw new SphereError('APP_NOTHING_BUILT', `the project ${dir} of app ${a.name} produced no image package`)
      pkg = app.imagePackage
      opts.builds?.set(key, pkg)
    }
    out.set(a.name, pkg)
  }
  return out
}

export async function runScenario(sc: Scenario, opts: RunOptions): Promise<ScenarioResult> {
  const t0 = performance.now()
  let packages: Map<string, string>
  try {
    packages = await buildScenarioApps(sc, opts)
  } catch (e) {
    return errorResult(sc, e, performance.now() - t0)
  }
  const buildMs = performance.now() - t0
  const run = new Run(sc, opts, packages)
  const result = await run.execute()
  return {...result, buildMs: Math.round(buildMs), wallMs: Math.round(performance.now() - t0 - buildMs)}
}

function errorResult(sc: Scenario, e: unknown, ms: number): ScenarioResult {
  const msg = isSphereError(e) ? e.message : String((e as Error).message ?? e)
  return {
    name: sc.name,
    ...(sc.file ? {file: sc.file} : {}),
    verdict: 'error',
    virtualNs: 0,
    virtualTime: formatNs(0),
    wallMs: 0,
    buildMs: Math.round(ms),
    steps: [],
    failure: {index: -1, step: '(setup)', expectation: 'the apps build and the device boots', actual: msg, virtualNs: 0, virtualTime: formatNs(0), lastLog: [], auditTail: []},
    trace: [],
  }
}

class Run {
  private target!: DeviceTarget
  private readonly trace: TraceEntry[] = []
  private readonly runNs = new WeakMap<TraceEntry, number>()
  /** Indexes into `trace` of the log entries. */
  private readonly logIdx: number[] = []
  /** Log entries before this position (in logIdx) were consumed by a wait. */
  private cursor = 0
  private readonly failTexts: string[] = []
  private failHit?: {text: string; entry: TraceEntry}
  private readonly cids = new Map<string, string>()
  private readonly names = new Map<string, string>()
  /** Per app: trace length when it was last started (an exit after it answers expect-exit). */
  private readonly startedAt = new Map<string, number>()
  private hw?: HardwareDefinition
  private wallDeadline = Infinity
  private wallExpired = false
  /** Checks of a run's end so far: the wall clock is read on every 16th (the loop checks several times a wake-up). */
  private endChecks = 0
  private stateDir = ''

  constructor(
    private readonly sc: Scenario,
    private readonly opts: RunOptions,
    private readonly packages: Map<string, string>,
  ) {}

  async execute(): Promise<Omit<ScenarioResult, 'buildMs' | 'wallMs'>> {
    const steps: StepResult[] = []
    let failure: Failure | undefined
    let verdict: Verdict = 'passed'
    this.stateDir = mkdtempSync(join(tmpdir(), 'sphere-test-'))
    try {
      try {
        await this.setUp()
      } catch (e) {
        const r = errorResult(this.sc, e, 0)
        return {...r, trace: this.trace}
      }
      this.wallDeadline = performance.now() + this.sc.timeoutMs
      for (const step of this.sc.steps) {
        if (failure) {
          steps.push({index: step.index, step: step.label, status: 'skipped'})
          continue
        }
        try {
          const detail = await this.step(step)
          this.checkFailLog()
          steps.push({index: step.index, step: step.label, status: 'passed', virtualNs: this.target.now(), ...(detail ? {detail} : {})})
          this.opts.onStep?.(`ok   ${step.label}${detail ? ` (${detail})` : ''}`)
        } catch (e) {
          const f =
            e instanceof StepFailure
              ? e
              : new StepFailure('the step runs', isSphereError(e) ? e.message : String((e as Error).message ?? e), 'failed')
          const kind = e instanceof StepFailure ? f.kind : 'error'
          verdict = kind === 'timeout' ? 'timeout' : kind === 'error' ? 'error' : 'failed'
          steps.push({index: step.index, step: step.label, status: kind, virtualNs: this.target.now(), detail: f.actual})
          failure = this.failureReport(step, f)
          this.opts.onStep?.(`FAIL ${step.label}: ${f.actual}`)
        }
      }
      const virtualNs = this.target.now()
      return {
        name: this.sc.name,
        ...(this.sc.file ? {file: this.sc.file} : {}),
        verdict,
        virtualNs,
        virtualTime: formatNs(virtualNs),
        steps,
        ...(failure ? {failure} : {}),
        trace: this.trace,
      }
    } finally {
      await this.target?.close().catch(() => undefined)
      if (this.opts.keepState) this.opts.onStep?.(`device state kept in ${this.stateDir}`)
      else rmSync(this.stateDir, {recursive: true, force: true})
    }
  }

  private async setUp(): Promise<void> {
    const d = this.sc.device
    if (d.hardware) {
      const base = this.sc.file ? resolve(this.sc.file, '..') : process.cwd()
      const local = resolve(base, d.hardware)
      const sdk = join(sdkHardwareDefinitionsDir(), d.hardware)
      let def: HardwareDefinition | undefined
      for (const p of [local, sdk]) {
        try {
          def = loadHardwareDefinition(p)
          break
        } catch (e) {
          if (!(isSphereError(e) && /not found|ENOENT|cannot read/i.test(e.message))) throw e
        }
      }
      if (!def) throw new SphereError('SCENARIO_INVALID', `device.hardware: no hardware definition ${d.hardware} (next to the scenario or in the SDK's HardwareDefinitions)`)
      this.hw = def
    }
    let inner: DeviceTarget = InProcessTarget.create({
      stateDir: join(this.stateDir, 'device'),
      ...(this.opts.cacheDir ? {cacheDir: this.opts.cacheDir} : {}),
      deviceId: d.id?.toLowerCase() ?? deviceIdFor(this.sc.name),
      ...(d.capabilities ? {capabilities: d.capabilities} : {}),
      ...(d.world !== undefined ? {worldText: worldText(d.world)} : {}),
      trust: loadTrustStore(this.opts.sphereHome),
      ...(this.opts.inPlaceWaits !== undefined ? {inPlaceWaits: this.opts.inPlaceWaits} : {}),
      // each port a step talks to is opened on a free host port (never a clash with the host's own services)
      network: {
        ports: Object.fromEntries(
          this.sc.steps.flatMap((s) => (s.action === 'http' || s.action === 'tcp' || s.action === 'udp' ? [[String(s.port), 0]] : [])),
        ),
      },
    })
    if (this.opts.wrapTarget) inner = this.opts.wrapTarget(inner)
    this.target = inner
    this.target.onTrace((e, runNs) => this.observe(e, runNs))
    await this.target.powerOn()
  }

  /** An entry's run time (virtual ns since the run began; its own `t` counts from its boot). */
  private at(e: TraceEntry): number {
    return this.runNs.get(e) ?? e.t
  }

  private observe(e: TraceEntry, runNs: number): void {
    this.trace.push(e)
    this.runNs.set(e, runNs)
    if (e.kind !== 'log') return
    this.logIdx.push(this.trace.length - 1)
    if (!this.failHit) {
      const hit = this.failTexts.find((t) => e.text.includes(t))
      if (hit) this.failHit = {text: hit, entry: e}
    }
  }

  private checkFailLog(): void {
    if (this.failHit) {
      const e = this.failHit.entry as Extract<TraceEntry, {kind: 'log'}>
      throw new StepFailure(`no log line contains ${JSON.stringify(this.failHit.text)} (fail-log)`, `${this.appName(e.app)} logged ${JSON.stringify(e.text)} at ${formatNs(this.at(e))}`)
    }
  }

  private appName(cid: string): string {
    return this.names.get(cid.toLowerCase()) ?? cid
  }

  private cid(app: string): string {
    const c = this.cids.get(app)
    if (!c) throw new StepFailure(`app ${app} is deployed`, `${app} was not deployed yet (add a deploy step before this one)`)
    return c
  }

  /** Run virtual time until `done` or `ns`; a fail-log hit or the wall-clock limit ends it early. */
  private async run(done: () => boolean, ns: number): Promise<boolean> {
    const ok = await this.target.runUntil(() => {
      if (this.failHit) return true
      if ((++this.endChecks & 15) === 0 && performance.now() > this.wallDeadline) {
        this.wallExpired = true
        return true
      }
      return done()
    }, ns)
    this.checkFailLog()
    if (this.wallExpired)
      throw new StepFailure('the run ends within its wall-clock timeout', `the run took longer than ${formatNs(this.sc.timeoutMs * NS_PER_MS)} of wall time`, 'timeout', true)
    return ok && done()
  }

  private async wait(done: () => boolean, step: Step, what: string): Promise<void> {
    if (done()) return
    if (!(await this.run(done, step.timeoutNs)))
      throw new StepFailure(what, `not within ${formatNs(step.timeoutNs)} (virtual)`, 'timeout')
  }

  private logEntry(i: number): Extract<TraceEntry, {kind: 'log'}> {
    return this.trace[this.logIdx[i]!] as Extract<TraceEntry, {kind: 'log'}>
  }

  private findLog(from: number, match: (line: string) => boolean, app?: string): number {
    const cid = app ? this.cids.get(app) : undefined
    for (let i = from; i < this.logIdx.length; i++) {
      const e = this.logEntry(i)
      if ((!cid || e.app === cid) && match(e.text)) return i
    }
    return -1
  }

  private async step(s: Step): Promise<string | undefined> {
    const t = this.target
    switch (s.action) {
      case 'deploy': {
        const out: string[] = []
        for (const name of s.apps) {
          const st = await t.install(readFileSync(this.packages.get(name)!), {start: s.start})
          const cid = st.componentId.toLowerCase()
          this.cids.set(name, cid)
          this.names.set(cid, name)
          if (s.start) this.startedAt.set(name, this.trace.length)
          out.push(`${name} ${st.state}`)
        }
        return out.join(', ')
      }
      case 'start': {
        this.startedAt.set(s.app!, this.trace.length)
        return t.start(this.cid(s.app!)).state
      }
      case 'stop':
        return (await t.stop(this.cid(s.app!))).state
      case 'wait-log':
      case 'wait-log-regex': {
        const text = 'text' in s ? s.text : undefined
        const regex = 'regex' in s ? s.regex : undefined
        const match = (l: string): boolean => (regex ? regex.test(l) : l.includes(text!))
        const what = `a log line ${regex ? `matches /${regex.source}/` : `contains ${JSON.stringify(text)}`}${s.app ? ` (${s.app})` : ''}`
        let found = -1
        let scanned = this.cursor
        await this.wait(
          () => {
            if (found < 0) {
              found = this.findLog(scanned, match, s.app)
              scanned = this.logIdx.length
            }
            return found >= 0
          },
          s,
          what,
        )
        this.cursor = found + 1
        return `at ${formatNs(this.at(this.logEntry(found)))}`
      }
      case 'expect-log':
      case 'expect-log-regex':
      case 'expect-no-log': {
        const match =
          s.action === 'expect-log-regex' ? (l: string) => s.regex.test(l) : (l: string) => l.includes((s as {text: string}).text)
        const what =
          s.action === 'expect-log-regex' ? `matches /${s.regex.source}/` : `contains ${JSON.stringify((s as {text: string}).text)}`
        const i = this.findLog(0, match, s.app)
        if (s.action === 'expect-no-log') {
          if (i >= 0) throw new StepFailure(`no log line ${what}`, `logged ${JSON.stringify(this.logEntry(i).text)} at ${formatNs(this.at(this.logEntry(i)))}`)
          return undefined
        }
        if (i < 0) throw new StepFailure(`a log line so far ${what}`, `none of the ${this.logIdx.length} lines logged does`)
        return `at ${formatNs(this.at(this.logEntry(i)))}`
      }
      case 'fail-log': {
        this.failTexts.push(s.text)
        const i = this.findLog(0, (l) => l.includes(s.text))
        if (i >= 0) this.failHit = {text: s.text, entry: this.logEntry(i)}
        return undefined
      }
      case 'press': {
        const b = this.button(s.button)
        t.press(b)
        if (s.forNs !== undefined) {
          await this.run(() => false, s.forNs)
          t.release(b)
        }
        return undefined
      }
      case 'release':
        t.release(this.button(s.button))
        return undefined
      case 'set':
        for (const [p, v] of s.values) t.setWorld(p, v)
        return undefined
      case 'expect-led':
        return this.expectLed(s)
      case 'expect-pin': {
        const r = this.resolvePin(s.pin)
        const gpio = r.gpios[0]!
        const want = s.level
        const name = `${s.pin} is ${want ? 'high' : 'low'}`
        if (t.pinLevel(gpio) !== want) throw new StepFailure(name, `it is ${t.pinLevel(gpio) ? 'high' : 'low'}`)
        if (s.forNs !== undefined) {
          let changedAt: number | undefined
          const off = t.onTrace((e, runNs) => {
            if (changedAt === undefined && e.kind === 'pin' && e.gpio === gpio && e.level !== want) changedAt = runNs
          })
          try {
            await this.run(() => changedAt !== undefined, s.forNs)
          } finally {
            off()
          }
          if (changedAt !== undefined) throw new StepFailure(`${name} for ${formatNs(s.forNs)}`, `it changed at ${formatNs(changedAt)}`)
        }
        return undefined
      }
      case 'expect-denied':
      case 'expect-allowed':
        return this.expectAudit(s)
      case 'expect-state': {
        const state = this.appState(s.app!)
        if (state !== s.state) throw new StepFailure(`${s.app} is ${s.state}`, `it is ${state}`)
        return undefined
      }
      case 'expect-exit': {
        const cid = this.cid(s.app!)
        const since = this.startedAt.get(s.app!) ?? 0
        let end: Extract<TraceEntry, {kind: 'process'}> | undefined
        const find = (): boolean => {
          for (let i = since; i < this.trace.length && !end; i++) {
            const e = this.trace[i]!
            if (e.kind === 'process' && e.app === cid && (e.state === 'stopped' || e.state === 'crashed')) end = e
          }
          return end !== undefined
        }
        await this.wait(find, s, `${s.app} exits${s.code !== undefined ? ` with code ${s.code}` : ''}`)
        if (s.code !== undefined && end!.exitCode !== s.code)
          throw new StepFailure(`${s.app} exits with code ${s.code}`, `it ended (${end!.state}) with ${end!.exitCode === undefined ? 'no exit code' : `code ${end!.exitCode}`}${end!.reason ? `: ${end!.reason}` : ''} at ${formatNs(this.at(end!))}`)
        return `${end!.state}${end!.exitCode !== undefined ? `, code ${end!.exitCode}` : ''} at ${formatNs(this.at(end!))}`
      }
      case 'advance':
        await this.run(() => false, s.ns)
        return undefined
      case 'http':
        return this.http(s)
      case 'udp':
        return this.udp(s)
      case 'tcp':
        return this.tcp(s)
      case 'restart-device':
        await t.restart()
        return `boot ${t.boot}`
      case 'power-loss':
        await t.powerLoss(s.offNs)
        return `boot ${t.boot}`
    }
  }

  private appState(app: string): string {
    const cid = this.cid(app)
    const st = this.target.appStatus(cid)
    if (st.state !== 'stopped') return st.state
    for (let i = this.trace.length - 1; i >= 0; i--) {
      const e = this.trace[i]!
      if (e.boot !== this.target.boot) break
      if (e.kind === 'process' && e.app === cid) return e.state === 'crashed' ? 'crashed' : 'stopped'
    }
    return 'stopped'
  }

  private button(name: string): string {
    const board = this.target.board
    const direct = board.buttons.find((b) => b.name.toLowerCase() === name.toLowerCase())
    if (direct) return direct.name
    if (this.hw) {
      const gpio = this.hwGpio(name)
      const b = gpio !== undefined ? board.buttons.find((x) => x.gpio === gpio) : undefined
      if (b) return b.name
      if (gpio !== undefined) throw new StepFailure(`${name} is a button`, `${name} is GPIO ${gpio}, which carries no button on the board (use set: gpio.${gpio}=...)`)
    }
    throw new StepFailure(`${name} is a button`, `no button ${name} (the board has ${board.buttons.map((b) => b.name).join(', ')})`)
  }

  private hwGpio(name: string): number | undefined {
    if (!this.hw || !this.hw.scope.has(name.replace(/^\$/, ''))) return undefined
    const r = resolvePeripheral(this.hw, name)
    const m = /^\((-?[0-9]+)\)$/.exec(r.headerValue)
    return m && r.type === 'Gpio' ? Number(m[1]) : undefined
  }

  /** An LED or pin name: GPIO8 / 8, a board LED (LED1_RED) or group (LED1), a hardware-definition name. */
  private resolvePin(name: string): Resolved {
    const board = this.target.board
    const g = /^(?:gpio)?([0-9]+)$/i.exec(name)
    if (g) {
      const gpio = Number(g[1])
      const led = board.leds.find((l) => l.gpio === gpio)
      return {gpios: [gpio], activeLow: led?.activeLow ?? true, name}
    }
    const upper = name.toUpperCase()
    const leds = board.leds.filter((l) => l.name === upper || l.name.startsWith(`${upper}_`))
    if (leds.length > 0) return {gpios: leds.map((l) => l.gpio), activeLow: leds[0]!.activeLow, name}
    const gpio = this.hwGpio(name)
    if (gpio !== undefined) {
      const led = board.leds.find((l) => l.gpio === gpio)
      return {gpios: [gpio], activeLow: led?.activeLow ?? true, name}
    }
    throw new StepFailure(
      `${name} names an LED or pin`,
      `no such name (board LEDs: ${[...new Set(board.leds.map((l) => l.name.replace(/_(RED|GREEN|BLUE)$/, '')))].join(', ')}; GPIOn${this.hw ? `; or a Gpio of ${this.hw.name}` : '; add device.hardware for the app\'s names'})`,
    )
  }

  private async expectLed(s: Extract<Step, {action: 'expect-led'}>): Promise<string> {
    const r = this.resolvePin(s.led)
    const t = this.target
    const litLevel = r.activeLow ? 0 : 1
    const levels = new Map(r.gpios.map((g) => [g, t.pinLevel(g)]))
    const lit = (): boolean => [...levels.values()].some((l) => l === litLevel)
    if (s.expect.kind === 'lit') {
      const want = s.expect.lit
      const name = `${s.led} is ${want ? 'on' : 'off'}`
      if (lit() !== want) throw new StepFailure(name, `it is ${lit() ? 'on' : 'off'}`)
      if (s.forNs === undefined) return `${want ? 'on' : 'off'}`
      let changedAt: number | undefined
      const off = t.onTrace((e, runNs) => {
        if (e.kind !== 'pin' || !levels.has(e.gpio)) return
        levels.set(e.gpio, e.level as 0 | 1)
        if (changedAt === undefined && lit() !== want) changedAt = runNs
      })
      try {
        await this.run(() => changedAt !== undefined, s.forNs)
      } finally {
        off()
      }
      if (changedAt !== undefined) throw new StepFailure(`${name} for ${formatNs(s.forNs)}`, `it went ${want ? 'off' : 'on'} at ${formatNs(changedAt)}`)
      return `${want ? 'on' : 'off'} for ${formatNs(s.forNs)}`
    }
    const {periodNs, tolerance, text} = s.expect
    const windowNs = s.forNs ?? Math.max(8 * periodNs, 1_000 * NS_PER_MS)
    const rises: number[] = []
    let changes = 0
    const off = t.onTrace((e, runNs) => {
      if (e.kind !== 'pin' || !levels.has(e.gpio)) return
      const before = lit()
      levels.set(e.gpio, e.level as 0 | 1)
      const after = lit()
      if (before !== after) changes++
      if (!before && after) rises.push(runNs)
    })
    const start = t.now()
    try {
      await this.run(() => false, windowNs)
    } finally {
      off()
    }
    const name = `${s.led} blinking ${text}`
    const watched = `over ${formatNs(windowNs)} from ${formatNs(start)}`
    if (rises.length < 2)
      throw new StepFailure(name, `it did not blink ${watched}: ${changes} change${changes === 1 ? '' : 's'}, it is ${lit() ? 'on' : 'off'}`)
    const periods = rises.slice(1).map((x, i) => x - rises[i]!)
    const mean = periods.reduce((a, b) => a + b, 0) / periods.length
    const min = Math.min(...periods)
    const max = Math.max(...periods)
    const seen = `${(1e9 / mean).toFixed(2)} Hz (period ${formatNs(Math.round(mean))}, ${formatNs(min)}..${formatNs(max)} over ${periods.length} cycles ${watched})`
    const lo = periodNs * (1 - tolerance)
    const hi = periodNs * (1 + tolerance)
    if (min < lo || max > hi)
      throw new StepFailure(`${name} (period ${formatNs(periodNs)} ±${+(tolerance * 100).toFixed(2)}%)`, `it blinks at ${seen}`)
    return `blinking at ${seen}`
  }

  private expectAudit(s: Extract<Step, {action: 'expect-denied' | 'expect-allowed'}>): string {
    const allowed = s.action === 'expect-allowed'
    const cid = s.app ? this.cid(s.app) : undefined
    const matches = (e: TraceEntry): e is Extract<TraceEntry, {kind: 'audit'}> => {
      if (e.kind !== 'audit' || e.allowed !== allowed || e.operation !== s.operation) return false
      if (cid && !e.subject.includes(cid)) return false
      const pairs = new Set(e.object.split(' '))
      return s.object.every(([k, v]) => pairs.has(`${k}=${v}`))
    }
    const hit = this.trace.find(matches)
    const what = `the LSM ${allowed ? 'allowed' : 'denied'} ${[s.operation, ...s.object.map(([k, v]) => `${k}=${v}`)].join(' ')}${s.app ? ` for ${s.app}` : ''}`
    if (!hit) {
      const same = this.trace.filter((e): e is Extract<TraceEntry, {kind: 'audit'}> => e.kind === 'audit' && e.operation === s.operation)
      throw new StepFailure(
        what,
        same.length === 0
          ? `no ${s.operation} decision in this run`
          : `the ${s.operation} decisions were: ${same.slice(-5).map((e) => `${e.allowed ? 'allowed' : 'denied'} ${e.object}`).join('; ')}`,
      )
    }
    return `at ${formatNs(this.at(hit))}: ${hit.reason}`
  }

  private async endpoint(protocol: 'tcp' | 'udp', port: number, s: Step): Promise<{host: string; port: number}> {
    let at: {host: string; port: number} | undefined
    await this.wait(
      () => {
        const l = this.target.hostEndpoint(protocol, port)
        if (l) at = {host: l.hostAddress, port: l.hostPort}
        return at !== undefined
      },
      s,
      `an app listens on ${protocol} port ${port}`,
    )
    return at!
  }

  private async http(s: Extract<Step, {action: 'http'}>): Promise<string> {
    const at = await this.endpoint('tcp', s.port, s)
    let res: {status: number; body: string} | undefined
    let err: Error | undefined
    const req = http.request({host: at.host, port: at.port, method: s.method, path: s.path, headers: s.headers, agent: false}, (r) => {
      const chunks: Buffer[] = []
      r.on('data', (c: Buffer) => chunks.push(c))
      r.on('end', () => (res = {status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
      r.on('error', (e) => (err = e))
    })
    req.on('error', (e) => (err = e))
    req.end(s.body)
    const what = `${s.method} ${s.path} on port ${s.port} answers${s.expectStatus !== undefined ? ` ${s.expectStatus}` : ''}`
    try {
      await this.wait(() => res !== undefined || err !== undefined, s, what)
    } finally {
      req.destroy()
    }
    if (err) throw new StepFailure(what, `the request failed: ${err.message}`)
    const r = res!
    if (s.expectStatus !== undefined && r.status !== s.expectStatus) throw new StepFailure(what, `status ${r.status}: ${r.body.slice(0, 200)}`)
    if (s.expectBody !== undefined && !r.body.includes(s.expectBody))
      throw new StepFailure(`${what} with a body containing ${JSON.stringify(s.expectBody)}`, `the body was ${JSON.stringify(r.body.slice(0, 200))}`)
    return `status ${r.status}, ${r.body.length} bytes`
  }

  private async tcp(s: NetStep): Promise<string> {
    const at = await this.endpoint('tcp', s.port, s)
    let reply = ''
    let err: Error | undefined
    let closed = false
    const sock = net.connect({host: at.host, port: at.port})
    sock.setEncoding('utf8')
    sock.on('data', (d: string) => (reply += d))
    sock.on('error', (e) => (err = e))
    sock.on('close', () => (closed = true))
    sock.write(s.send)
    try {
      if (s.expectReply === undefined) {
        await this.run(() => err !== undefined || sock.writableLength === 0, s.timeoutNs)
        if (err) throw new StepFailure(`send to TCP port ${s.port}`, `the connection failed: ${err.message}`)
        return `sent ${Buffer.byteLength(s.send)} bytes`
      }
      const want = s.expectReply
      const what = `the reply from TCP port ${s.port} contains ${JSON.stringify(want)}`
      await this.wait(() => err !== undefined || closed || reply.includes(want), s, what)
      if (!reply.includes(want))
        throw new StepFailure(what, err ? `the connection failed: ${err.message}` : `the app closed the connection after ${JSON.stringify(reply.slice(0, 200))}`)
      return `reply ${JSON.stringify(reply.slice(0, 200))}`
    } finally {
      sock.destroy()
    }
  }

  private async udp(s: NetStep): Promise<string> {
    const at = await this.endpoint('udp', s.port, s)
    const sock = dgram.createSocket('udp4')
    const replies: string[] = []
    let err: Error | undefined
    sock.on('message', (m) => replies.push(m.toString('utf8')))
    sock.on('error', (e) => (err = e))
    try {
      await new Promise<void>((ok, no) => sock.send(Buffer.from(s.send, 'utf8'), at.port, at.host, (e) => (e ? no(e) : ok())))
      if (s.expectReply === undefined) {
        await this.run(() => false, 0)
        return `sent ${Buffer.byteLength(s.send)} bytes`
      }
      const want = s.expectReply
      const what = `a UDP reply from port ${s.port} contains ${JSON.stringify(want)}`
      await this.wait(() => err !== undefined || replies.some((r) => r.includes(want)), s, what)
      if (err) throw new StepFailure(what, `the socket failed: ${err.message}`)
      return `reply ${JSON.stringify(replies.find((r) => r.includes(want)))}`
    } finally {
      sock.close()
    }
  }

  private failureReport(step: Step, f: StepFailure): Failure {
    const virtualNs = this.target ? this.target.now() : 0
    const logN = this.opts.logTail ?? 20
    const auditN = this.opts.auditTail ?? 10
    const lastLog = this.logIdx.slice(-logN).map((i) => {
      const e = this.trace[i] as Extract<TraceEntry, {kind: 'log'}>
      return `[${formatNs(this.at(e))}] ${this.appName(e.app)}: ${e.text}`
    })
    const auditTail = this.trace
      .filter((e): e is Extract<TraceEntry, {kind: 'audit'}> => e.kind === 'audit')
      .slice(-auditN)
      .map((e) => `[${formatNs(this.at(e))}] ${e.allowed ? 'ALLOWED' : 'DENIED'} ${e.subject} ${e.operation} ${e.object}: ${e.reason}`)
    return {
      index: step.index,
      step: step.label,
      expectation: f.expectation,
      actual: f.actual,
      virtualNs,
      virtualTime: formatNs(virtualNs),
      lastLog,
      auditTail,
      ...(f.wallClock ? {wallClock: true} : {}),
    }
  }
}

/** The exit code for a set of results: 0 all passed, 42 if any timed out (and none failed), else 1. */
export function exitCodeFor(results: readonly ScenarioResult[]): number {
  if (results.some((r) => r.verdict === 'failed' || r.verdict === 'error')) return EXIT_FAILED
  if (results.some((r) => r.verdict === 'timeout')) return EXIT_TIMEOUT
  return EXIT_PASSED
}
