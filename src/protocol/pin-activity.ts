/**
 * What a pin (an LED, a GPIO) did, from the counts and times the device records for it (the simulator's world
 * state: `transitions`, `lastChangeMs`, `periodMs`), shared by the device's report, the monitor and `--once`.
 *
 * A level sampled once a frame aliases (8 toggles a second look steady at one frame a second); the device
 * counts every change and keeps the mean time between its recent changes, so a reader can say "blinking 4.0 Hz"
 * however seldom it looks.
 */

/** The activity fields of one pin in the world state. */
export interface PinActivityFields {
  /** Level changes since the world was made. */
  transitions: number
  /** Virtual time (ms since boot) of the last change; null when it never changed. */
  lastChangeMs: number | null
  /** Mean time between its recent changes (ms), when it changed at least 3 times within 5 s; else null. */
  periodMs: number | null
}

/**
 * The blink rate (full on-off cycles per second, i.e. half the changes per second) of a pin at virtual time
 * `nowMs`, or null when it is steady: it has not changed for longer than three of its periods (and at least a
 * second), or too few changes are known to measure one.
 */
export function blinkHz(p: PinActivityFields, nowMs: number): number | null {
  if (p.periodMs === null || p.lastChangeMs === null || !(p.periodMs > 0)) return null
  if (nowMs - p.lastChangeMs > Math.max(1000, 3 * p.periodMs)) return null
  return 500 / p.periodMs
}

/** `4` -> `4.0 Hz`, `0.25` -> `0.25 Hz`, `120` -> `120 Hz`. */
export function formatHz(hz: number): string {
  if (hz >= 100) return `${Math.round(hz)} Hz`
  if (hz >= 1) return `${hz.toFixed(1)} Hz`
  return `${hz.toFixed(2)} Hz`
}
