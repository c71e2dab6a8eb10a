/** Small seeded PRNG (mulberry32) so fault injection is reproducible from a printed seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface FaultOptions {
  /** Fraction of bytes dropped (0..1). */
  dropRate?: number
  /** Fraction of bytes replaced by a different random byte (0..1). */
  corruptRate?: number
  seed?: number
}

export interface FaultStats {
  bytes: number
  dropped: number
  corrupted: number
}

/** Returns a function that applies byte drops/corruption to a chunk, counting into `stats`. */
export function faultInjector(opts: FaultOptions, stats: FaultStats): (chunk: Buffer) => Buffer {
  const drop = opts.dropRate ?? 0
  const corrupt = opts.corruptRate ?? 0
  const rnd = mulberry32(opts.seed ?? 1)
  return (chunk) => {
    stats.bytes += chunk.length
    if (drop === 0 && corrupt === 0) return chunk
    const out = Buffer.allocUnsafe(chunk.length)
    let o = 0
    for (let i = 0; i < chunk.length; i++) {
      const r = rnd()
      if (r < drop) {
        stats.dropped++
        continue
      }
      let b = chunk[i]!
      if (r < drop + corrupt) {
        b = (b ^ (1 + Math.floor(rnd() * 255))) & 0xff
        stats.corrupted++
      }
      out[o++] = b
    }
    return out.subarray(0, o)
  }
}
