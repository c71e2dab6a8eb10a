/**
 * Recording: the scheduler tap and REST input tap of a recorded device. Every input crosses into the device
 * through here: REST requests that may change it (one at a time, applied between scheduling points), host
 * events (socket bytes and state, serial bytes: queued to the next scheduling point while the kernel runs,
 * applied at once while it is idle) and the time a host wait let pass. Each is written as one line of the
 * recording (recording.ts) before it is applied, stamped with the boot, the scheduling point and the
 * virtual time, so `sphere replay` applies it at the same point of a fresh device.
 */
import {closeSync, openSync, writeSync} from 'node:fs'
import type {Device} from '../device.js'
import type {HostInput, Kernel, SchedulerTap} from '../kernel/kernel.js'
import type {RestInput, RestInputTap} from '../rest/router.js'
import {type RecordingHeader, type RecordLine} from './recording.js'
import {TRACE_EVENTS, traceEntry, traceLine} from './trace.js'

/** Where recording lines go. */
export interface LineSink {
  write(line: string): void
  close(): void
}

/** A file written line by line, synchronously (a daemon killed mid-run keeps every input it applied). */
export function fileSink(path: string, maxBytes = Infinity): LineSink & {readonly bytes: number; readonly full: boolean} {
  const fd = openSync(path, 'w', 0o600)
  let bytes = 0
  let full = false
  let closed = false
  return {
    get bytes() {
      return bytes
    },
    get full() {
      return full
    },
    write(line: string) {
      if (closed || full) return
      const b = Buffer.from(`${line}\n`)
      if (bytes + b.length > maxBytes) {
        // the cap: mark the cut (parseRecording refuses to replay past it) and keep nothing more
        full = true
        writeSync(fd, '{"truncated":true}\n')
        return
      }
      writeSync(fd, b)
      bytes += b.length
    },
    close() {
      if (closed) return
      closed = true
      closeSync(fd)
    },
  }
}

/** Lines kept in memory (snapshots, tests). */
export function memorySink(): LineSink & {lines: string[]} {
  const lines: string[] = []
  return {lines, write: (l) => void lines.push(l), close: () => undefined}
}

/** Collect the trace (trace.ts) of a device across its boots. */
export class TraceCollector {
  private boot = -1
  private off?: () => void
  constructor(private readonly sink: LineSink) {}

  attach(dev: Device, boot = this.boot + 1): void {
    this.off?.()
    this.boot = boot
    this.off = dev.subscribe((e) => {
      const entry = traceEntry(e, boot)
      if (entry) this.sink.write(traceLine(entry))
    }, TRACE_EVENTS)
  }

  close(): void {
    this.off?.()
    this.off = undefined
    this.sink.close()
  }
}

export class InputRecorder implements SchedulerTap, RestInputTap {
  private boot = -1
  private kernel?: Kernel
  private readonly queue: {input: HostInput; apply: () => void}[] = []
  private lock: Promise<void> = Promise.resolve()
  private ended = false
  /** Lines written (the header included). */
  lines = 0

  constructor(
    private readonly sink: LineSink & {readonly full?: boolean},
    header: RecordingHeader | undefined,
  ) {
    if (header) {
      this.sink.write(JSON.stringify(header))
      this.lines++
    }
  }

  /** Record on into `sink` (which holds the past already), from a device at `boot` (a restored snapshot). */
  static resume(sink: LineSink & {readonly full?: boolean}, dev: Device, boot: number, lines: number): InputRecorder {
    const r = new InputRecorder(sink, undefined)
    r.boot = boot
    r.kernel = dev.kernel
    r.lines = lines
    return r
  }

  /** Follow a boot of the device (DeviceBootOptions.onBoot). */
  attach(dev: Device): void {
    this.boot++
    this.kernel = dev.kernel
  }

  get currentBoot(): number {
    return this.boot
  }

  private stamp(k: Kernel): {boot: number; step: number; t: number} {
    return {boot: this.boot, step: k.steps, t: k.now()}
  }

  private write(line: RecordLine): void {
    if (this.ended || this.sink.full) return
    this.sink.write(JSON.stringify(line))
    this.lines++
  }

  point(k: Kernel): void {
    while (this.queue.length > 0) {
      const {input, apply} = this.queue.shift()!
      this.write({in: 'host', ...this.stamp(k), ...input})
      apply()
    }
  }

  idle(): boolean {
    return this.queue.length === 0
  }

  async hostTurn(k: Kernel, wait: () => Promise<number>): Promise<number> {
    const t = await wait()
    this.write({in: 'clock', boot: this.boot, step: k.steps, t})
    return t
  }

  input(k: Kernel, input: HostInput, apply: () => void): void {
    if (k.driving) {
      this.queue.push({input, apply})
      k.interruptHostTurn()
      return
    }
    k.catchUp()
    this.write({in: 'host', ...this.stamp(k), ...input})
    apply()
  }

  async enter(input: RestInput): Promise<() => void> {
    // snapshot requests are not inputs of the device (a restore replaces the device it is applied to)
    const control = /^\/sphere\/(snapshots|recording)(\/|\?|$)/.test(input.url)
    const prev = this.lock
    let unlock!: () => void
    this.lock = new Promise<void>((r) => (unlock = r))
    await prev
    const k = this.kernel
    if (!k) {
      unlock()
      return () => undefined
    }
    const release = k.hold()
    k.catchUp()
    if (!control) this.write({
      in: 'rest',
      ...this.stamp(k),
      method: input.method,
      url: input.url,
      ...(input.contentType !== undefined ? {contentType: input.contentType} : {}),
      ...(input.body !== undefined && input.body.length > 0 ? {body: input.body.toString('base64')} : {}),
      ...(input.transport !== undefined ? {transport: input.transport} : {}),
    })
    return () => {
      release()
      unlock()
    }
  }

  /** Write the end marker (where a replay stops) and close the file. */
  end(): void {
    if (!this.ended && this.kernel) {
      this.kernel.catchUp()
      this.write({end: true, ...this.stamp(this.kernel)})
    }
    this.ended = true
    this.sink.close()
  }
}
