/**
 * The kernel's clock. Time is a number of nanoseconds since boot (monotonic), exact up to ~104 days.
 *
 * - `fast-forward`: time only moves when the kernel says so: by the CPU work apps do (fuel) and by jumps
 *   to the next timer when every app is blocked. Same inputs, same timeline, bit for bit.
 * - `realtime`: time follows the host's monotonic clock from boot.
 *
 * CLOCK_REALTIME = an epoch (fixed in fast-forward so runs replay) + monotonic time + whatever
 * `clock_settime` adjusted.
 */
export type ClockMode = 'realtime' | 'fast-forward'

export const NS_PER_MS = 1_000_000
export const NS_PER_S = 1_000_000_000

/** Default epoch of fast-forward devices: 2025-01-01T00:00:00Z, so runs are reproducible. */
export const DEFAULT_FF_EPOCH_MS = Date.UTC(2025, 0, 1)

export class VirtualClock {
  readonly mode: ClockMode
  private virtualNs = 0
  private readonly wallStart: number
  /** CLOCK_REALTIME at monotonic 0, in ns since 1970. */
  private realtimeBaseNs: number

  constructor(mode: ClockMode, opts: {epochMs?: number} = {}) {
    this.mode = mode
    this.wallStart = performance.now()
    const epochMs = opts.epochMs ?? (mode === 'fast-forward' ? DEFAULT_FF_EPOCH_MS : Date.now())
    this.realtimeBaseNs = epochMs * NS_PER_MS
  }

  /** Monotonic nanoseconds since boot. */
  now(): number {
    if (this.mode === 'realtime') return Math.round((performance.now() - this.wallStart) * NS_PER_MS)
    return this.virtualNs
  }

  /** Fast-forward only: move time forward (never backward). */
  advanceTo(ns: number): void {
    if (this.mode !== 'fast-forward') return
    if (ns > this.virtualNs) this.virtualNs = ns
  }

  /** Wall-clock time (ns since 1970) at monotonic `mono`. */
  realtimeAt(mono: number): number {
    return this.realtimeBaseNs + mono
  }

  /** Set CLOCK_REALTIME so that it reads `realtimeNs` at monotonic `mono`. */
  setRealtime(realtimeNs: number, mono: number): void {
    this.realtimeBaseNs = realtimeNs - mono
  }
}
