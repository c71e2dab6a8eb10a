import {Duplex} from 'node:stream'

import {type FaultOptions, type FaultStats, faultInjector} from './prng.js'

export interface BytePipeOptions extends FaultOptions {
  /** Deliver bytes in chunks of at most this size (exercises arbitrary read boundaries). */
  maxChunk?: number
}

/**
 * Two connected in-memory byte Duplexes (what one end writes, the other reads), optionally lossy.
 * Delivery is asynchronous (setImmediate), like a real line. Ending one side ends the other's readable side.
 */
export function bytePipe(opts: BytePipeOptions = {}): {
  a: Duplex
  b: Duplex
  stats: {aToB: FaultStats; bToA: FaultStats}
} {
  const stats = {aToB: {bytes: 0, dropped: 0, corrupted: 0}, bToA: {bytes: 0, dropped: 0, corrupted: 0}}
  const injAB = faultInjector({...opts, seed: opts.seed ?? 1}, stats.aToB)
  const injBA = faultInjector({...opts, seed: (opts.seed ?? 1) + 1}, stats.bToA)
  const max = opts.maxChunk ?? Infinity
  const ends: {a?: Duplex; b?: Duplex} = {}
  const make = (peer: () => Duplex, inject: (c: Buffer) => Buffer): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const data = inject(chunk)
        setImmediate(() => {
          const p = peer()
          if (p.destroyed || p.readableEnded) return cb()
          for (let i = 0; i < data.length; i += max) p.push(data.subarray(i, Math.min(data.length, i + max)))
          cb()
        })
      },
      final(cb) {
        setImmediate(() => {
          const p = peer()
          if (!p.destroyed) p.push(null)
          cb()
        })
      },
      destroy(err, cb) {
        const p = peer()
        if (!p.destroyed) p.destroy()
        cb(err)
      },
    })
  const a = make(() => ends.b!, injAB)
  const b = make(() => ends.a!, injBA)
  ends.a = a
  ends.b = b
  return {a, b, stats}
}
