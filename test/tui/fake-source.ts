// A scripted MonitorSource for the monitor's tests: push events by hand, record the actions taken.
import type {
  SphereAppInfo,
  SphereAuditRecord,
  SphereDeviceInfo,
  SphereEvent,
  SphereLogEntry,
  SphereWorldState,
} from '../../src/protocol/rest-api.js'
import type {MonitorSource} from '../../src/tui/index.js'

export const CID = {
  blink: '4d46953f-51d4-43d3-83a2-a808dc36cc53',
  sensor: '11111111-2222-4333-8444-555555555555',
  spin: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  storage: '99999999-8888-4777-8666-555555555555',
}

export function makeApp(name: keyof typeof CID, over: Partial<SphereAppInfo> = {}): SphereAppInfo {
  return {
    componentId: CID[name],
    name,
    state: 'running',
    sched: over.state !== undefined && over.state !== 'running' ? null : 'S',
    pid: 10 + Object.keys(CID).indexOf(name),
    uid: 1000 + Object.keys(CID).indexOf(name),
    memory: {currentBytes: 64 * 1024, peakBytes: 96 * 1024, limitBytes: 256 * 1024},
    restarts: 0,
    cpuShare: 0.25,
    capabilities: name === 'blink' ? ['Gpio:8', 'Gpio:9', 'Gpio:12'] : name === 'storage' ? ['MutableStorage'] : [],
    ...over,
  }
}

export function makeDevice(over: Partial<SphereDeviceInfo> = {}): SphereDeviceInfo {
  return {
    deviceId: 'ab'.repeat(64),
    osVersion: '25.04',
    uptime: 3725,
    capabilities: ['appDevelopment'],
    manufacturingState: 'Blank',
    clock: {mode: 'realtime', virtualTimeMs: 0, speed: 1},
    ...over,
  }
}

const rgb = (prefix: string, r: number, g: number, b: number) => [
  {name: `${prefix}_RED`, gpio: r, on: false, color: 'red'},
  {name: `${prefix}_GREEN`, gpio: g, on: false, color: 'green'},
  {name: `${prefix}_BLUE`, gpio: b, on: false, color: 'blue'},
]

export function makeWorld(lit: string[] = [], pressed: string[] = []): SphereWorldState {
  const leds = [
    ...rgb('LED1', 8, 9, 10),
    ...rgb('LED2', 15, 16, 17),
    ...rgb('LED3', 18, 19, 20),
    ...rgb('LED4', 21, 22, 23),
    ...rgb('STATUS_LED', 45, 46, 47),
    ...rgb('NETWORKING_LED', 48, 14, 11),
  ]
  for (const l of leds) l.on = lit.includes(l.name)
  return {
    leds,
    buttons: [
      {name: 'A', gpio: 12, pressed: pressed.includes('A')},
      {name: 'B', gpio: 13, pressed: pressed.includes('B')},
    ],
    gpios: [
      {id: 8, level: lit.includes('LED1_RED') ? 0 : 1, direction: 'out', owner: CID.blink},
      {id: 12, level: pressed.includes('A') ? 0 : 1, direction: 'in', owner: CID.blink},
    ],
  }
}

export function snapshot(
  apps: SphereAppInfo[] = [makeApp('blink'), makeApp('sensor', {state: 'stopped', pid: null, cpuShare: 0})],
  over: {device?: Partial<SphereDeviceInfo>; world?: SphereWorldState} = {},
): SphereEvent {
  return {type: 'snapshot', time: 0, device: makeDevice(over.device), apps, world: over.world ?? makeWorld()}
}

export function auditRecord(
  seq: number,
  cid: string,
  operation: string,
  object: string,
  allowed: boolean,
  reason = allowed ? 'ok' : 'not in manifest',
): SphereAuditRecord {
  return {seq, time: seq, subject: `app:${cid}`, operation, object, allowed, reason}
}

export function logEntry(seq: number, text: string, stream: SphereLogEntry['stream'] = 'stdout'): SphereLogEntry {
  return {seq, time: seq, stream, text}
}

type Call = [string, ...unknown[]]

/** A fake device. `emit` sends an event on the open stream; `drop` ends it (as when the daemon dies). */
export class FakeSource implements MonitorSource {
  calls: Call[] = []
  auditHistory: SphereAuditRecord[] = []
  logHistory: Record<string, SphereLogEntry[]> = {}
  /** Snapshot sent when a stream opens (undefined: the stream opens but stays silent). */
  onConnect: SphereEvent | undefined = snapshot()
  /** When set, opening the stream fails with this error (device gone). */
  refuse: Error | undefined
  /** When set, actions fail with this error. */
  actionError: Error | undefined
  connects = 0
  private listener: ((e: Record<string, unknown>) => void) | undefined
  private end: ((err?: Error) => void) | undefined

  events(onEvent: (e: Record<string, unknown>) => void, signal?: AbortSignal): Promise<void> {
    this.connects++
    if (this.refuse) return Promise.reject(this.refuse)
    return new Promise<void>((resolve, reject) => {
      this.listener = onEvent
      this.end = (err) => {
        this.listener = undefined
        this.end = undefined
        if (err) reject(err)
        else resolve()
      }
      signal?.addEventListener('abort', () => this.end?.())
      if (this.onConnect) {
        const first = this.onConnect
        queueMicrotask(() => this.listener?.(first as unknown as Record<string, unknown>))
      }
    })
  }

  get connected(): boolean {
    return this.listener !== undefined
  }

  emit(e: SphereEvent): void {
    if (!this.listener) throw new Error('no open event stream')
    this.listener(e as unknown as Record<string, unknown>)
  }

  /** End the open stream: cleanly, or with an error (connection lost). */
  drop(err?: Error): void {
    this.end?.(err)
  }

  private action(name: string, ...args: unknown[]): Promise<unknown> {
    this.calls.push([name, ...args])
    return this.actionError ? Promise.reject(this.actionError) : Promise.resolve({})
  }
  setAppState(cid: string, trigger: 'start' | 'stop'): Promise<unknown> {
    return this.action('setAppState', cid, trigger)
  }
  deleteApp(cid: string): Promise<unknown> {
    return this.action('deleteApp', cid)
  }
  press(button: string): Promise<unknown> {
    return this.action('press', button)
  }
  async appLog(cid: string, since = 0): Promise<SphereLogEntry[]> {
    this.calls.push(['appLog', cid, since])
    return this.logHistory[cid] ?? []
  }
  async audit(since = 0): Promise<SphereAuditRecord[]> {
    this.calls.push(['audit', since])
    return this.auditHistory.filter((r) => r.seq > since)
  }
}

/** Wait until `cond` holds (polling every 5 ms, at most `ms`). */
export async function until(cond: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
