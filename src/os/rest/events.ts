/** The event hub: one backend subscription fanned out to every /sphere/events and log-follow stream. */
import type {ServerResponse} from 'node:http'
import type {SphereEvent} from '../../protocol/rest-api.js'
import type {BackendEvent, RestBackend} from './backend.js'

export interface Stream {
  res: ServerResponse
  onEvent(e: BackendEvent): void
  onCoalesced?(e: SphereEvent): void
}

export class EventHub {
  private readonly streams = new Set<Stream>()
  private unsubscribe: (() => void) | undefined
  private pending = new Set<'apps' | 'device' | 'world'>()
  private timer: NodeJS.Timeout | undefined
  private heartbeat: NodeJS.Timeout | undefined

  constructor(
    private readonly backend: RestBackend,
    private readonly deviceInfo: () => SphereEvent & {type: 'device'},
    private readonly heartbeatMs: number,
  ) {}

  add(s: Stream): () => void {
    this.streams.add(s)
    if (!this.unsubscribe) {
      this.unsubscribe = this.backend.subscribe((e) => this.dispatch(e))
      this.heartbeat = setInterval(() => this.coalesced({type: 'heartbeat', time: Date.now()}), this.heartbeatMs)
      this.heartbeat.unref()
    }
    return () => this.remove(s)
  }

  private remove(s: Stream): void {
    this.streams.delete(s)
    if (this.streams.size === 0) this.stopSubscription()
  }

  private stopSubscription(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.heartbeat = undefined
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.pending.clear()
  }

  /** Push a device snapshot now (capability grant, manufacturing state, network change). */
  deviceChanged(): void {
    this.dispatch({type: 'device'})
  }

  private dispatch(e: BackendEvent): void {
    for (const s of [...this.streams]) s.onEvent(e)
    if (e.type === 'apps' || e.type === 'device' || e.type === 'world' || e.type === 'crash') {
      this.pending.add(e.type === 'crash' ? 'apps' : e.type)
      // coalesce bursts (a memory change per syscall, a process flapping) into one line per 50 ms
      this.timer ??= setTimeout(() => this.flush(), 50)
    }
  }

  private flush(): void {
    this.timer = undefined
    const kinds = [...this.pending]
    this.pending.clear()
    const time = Date.now()
    for (const k of kinds) {
      try {
        if (k === 'apps') this.coalesced({type: 'apps', time, apps: this.backend.apps()})
        else if (k === 'world') this.coalesced({type: 'world', time, world: this.backend.world()})
        else this.coalesced(this.deviceInfo())
      } catch {
        // the backend is restarting: the stream closes anyway
      }
    }
  }

  private coalesced(e: SphereEvent): void {
    for (const s of [...this.streams]) s.onCoalesced?.(e)
  }

  /** End every stream (restart, shutdown). */
  closeAll(): void {
    for (const s of [...this.streams]) s.res.destroy()
    this.streams.clear()
    this.stopSubscription()
  }
}

