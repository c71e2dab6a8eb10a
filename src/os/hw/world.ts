import {MT3620_RDB, type Board} from './board.js'
import {isGpioId} from './chip.js'

export type Level = 0 | 1

const MAX_GPIO = 128

/** A change the world reports: a pin changed level (driven by an app or by the outside). */
export interface PinChange {
  gpio: number
  level: Level
  /** `app` when an app drove an output, `external` when the host (a test, the monitor) drove it. */
  source: 'app' | 'external'
}

/**
 * The physical world around the chip: the level of every GPIO pin, what the board's buttons do,
 * and whether its LEDs are lit. Apps change outputs through the kernel; hosts press buttons here.
 */
export class World {
  readonly board: Board
  /** Per GPIO: -1 = never set (reads high), else the level. Arrays keep the syscall path cheap. */
  private readonly levels = new Int8Array(MAX_GPIO).fill(-1)
  private readonly outputs = new Uint8Array(MAX_GPIO)
  private readonly listeners = new Set<(c: PinChange) => void>()

  constructor(board: Board = MT3620_RDB) {
    this.board = board
    // Unconnected inputs read high (pull-ups); buttons are released; LEDs are off (pins high).
  }

  /** Current level of a pin: the driven output level, an external level, or high (pulled up). */
  level(gpio: number): Level {
    const l = this.levels[gpio]
    return l === 0 ? 0 : 1
  }

  /** An app's output drives the pin. */
  driveOutput(gpio: number, level: Level): void {
    this.outputs[gpio] = 1
    if (this.levels[gpio] !== level) this.set(gpio, level, 'app')
  }

  /** The pin is no longer driven by an app (its fd closed): it keeps its last level, as a latch would. */
  releaseOutput(gpio: number): void {
    this.outputs[gpio] = 0
  }

  isDriven(gpio: number): boolean {
    return this.outputs[gpio] === 1
  }

  /** The outside drives a pin (a wire on a header, a sensor). Ignored while an app drives it as output. */
  driveExternal(gpio: number, level: Level): void {
    if (!isGpioId(gpio)) throw new RangeError(`no GPIO ${gpio} on the MT3620`)
    if (this.outputs[gpio] === 1) return
    this.set(gpio, level, 'external')
  }

  pressButton(name: string): void {
    const b = this.button(name)
    this.driveExternal(b.gpio, b.activeLow ? 0 : 1)
  }

  releaseButton(name: string): void {
    const b = this.button(name)
    this.driveExternal(b.gpio, b.activeLow ? 1 : 0)
  }

  buttonPressed(name: string): boolean {
    const b = this.button(name)
    return this.level(b.gpio) === (b.activeLow ? 0 : 1)
  }

  /** Whether an LED (by board name, e.g. `LED1_RED`) is lit. */
  ledOn(name: string): boolean {
    const led = this.board.leds.find((l) => l.name === name)
    if (!led) throw new RangeError(`no LED ${name} on ${this.board.name}`)
    return this.level(led.gpio) === (led.activeLow ? 0 : 1)
  }

  /** Snapshot of every pin that is not at its default (high) level or is driven by an app. */
  snapshot(): {gpio: number; level: Level; driven: boolean}[] {
    const out: {gpio: number; level: Level; driven: boolean}[] = []
    for (let gpio = 0; gpio < MAX_GPIO; gpio++) {
      if (this.levels[gpio] !== -1 || this.outputs[gpio] === 1)
        out.push({gpio, level: this.level(gpio), driven: this.outputs[gpio] === 1})
    }
    return out
  }

  onChange(fn: (c: PinChange) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private button(name: string) {
    const b = this.board.buttons.find((x) => x.name.toUpperCase() === name.toUpperCase())
    if (!b) throw new RangeError(`no button ${name} on ${this.board.name}`)
    return b
  }

  private set(gpio: number, level: Level, source: PinChange['source']): void {
    if (this.levels[gpio] === level) return
    this.levels[gpio] = level
    for (const fn of this.listeners) fn({gpio, level, source})
  }
}
