/**
 * Preemption by time (sdk/ABI.md, "Preemption"): host work inside syscalls is charged to the caller, and a
 * call that would run past another process's due time waits for its turn, so in fast-forward mode a
 * neighbour's timer fires on time beside an app that only makes heavy calls.
 */
import {describe, expect, test} from '@jest/globals'
import {Device, type OsEvent} from '../../../src/os/index.js'
import {COST} from '../../../src/os/runtime/context.js'
import {CACHE_DIR, appImage, cid, tempDir} from '../helpers.js'

const WRITER = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 4 4)
  ;;@lib
  (func (export "_start")
    (i32.store (i32.const 0x1000) (i32.const 0xa000))
    (i32.store (i32.const 0x1004) (i32.const 163840))
    (loop $l
      (drop (call $fd_write (i32.const 1) (i32.const 0x1000) (i32.const 1) (i32.const 0x1010)))
      (br $l))))`

// 192 KiB random_get calls in a loop (modelled at COST.nsPerRandomByte: ~59 ms of work per call)
const RANDOMIZER = `(module
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 4 4)
  ;;@lib
  (func (export "_start")
    (loop $l
      (drop (call $random (i32.const 0xa000) (i32.const 0x30000)))
      (br $l))))`

// 192 KiB Log_Debug writes in a loop (one call: ~590 us of modelled work)
const LOGGER = `(module
  (import "applibs" "log_write" (func $log (param i32 i32) (result i32)))
  (memory (export "memory") 4 4)
  ;;@lib
  (func (export "_start")
    (loop $l
      (drop (call $log (i32.const 0xa000) (i32.const 0x30000)))
      (br $l))))`

/** Boot a fast-forward device with the blink app beside `others`, run 3 s, return the gaps between its edges (ms). */
async function blinkGapsBeside(others: [number, string, string][]): Promise<number[]> {
  const tmp = tempDir()
  const dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
  const edges: number[] = []
  dev.subscribe((e: OsEvent) => {
    if (e.type === 'gpio' && e.gpio === 8) edges.push(e.t / 1e6)
  }, ['gpio'])
  try {
    for (const [n, name, wat] of others) await dev.install(await appImage(n, name, wat))
    await dev.install(await appImage(0x51, 'Blink', 'blink', {Gpio: [8]}))
    await dev.runFor(3000)
    const blinks = edges.filter((t) => t > 1)
    return blinks.slice(1).map((t, i) => t - blinks[i]!)
  } finally {
    await dev.shutdown()
    tmp.cleanup()
  }
}

describe('preemption by time', () => {
  test('random_get gives way between small chunks: a neighbour wakes on time beside 192 KiB calls', async () => {
    // one call is ~59 ms of modelled work: it must give way between chunks, whatever the chunk size
    const gaps = await blinkGapsBeside([[0x53, 'Randomizer', RANDOMIZER]])
    expect(gaps.length).toBeGreaterThanOrEqual(4)
    for (const g of gaps) expect([g, Math.abs(g - 500) < 0.1]).toEqual([g, true])
  })

  test('heavy calls of two apps that take turns giving way never run past a sleeper due inside them', async () => {
    // the retry of a call that had given way used to run its work unchecked: with another app always ready the
    // logger gave way on every call, and its unchecked retries made the neighbour ~0.36 ms late at every wake
    const gaps = await blinkGapsBeside([
      [0x53, 'Randomizer', RANDOMIZER],
      [0x54, 'Logger', LOGGER],
    ])
    expect(gaps.length).toBeGreaterThanOrEqual(4)
    for (const g of gaps) expect([g, Math.abs(g - 500) < 0.1]).toEqual([g, true])
  })

  test('160 KiB writes are charged per byte and never make a blinking neighbour late', async () => {
    const tmp = tempDir()
    const dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
    const edges: number[] = []
    dev.subscribe((e: OsEvent) => {
      if (e.type === 'gpio' && e.gpio === 8) edges.push(e.t / 1e6)
    }, ['gpio'])
    try {
      await dev.install(await appImage(0x52, 'Writer', WRITER))
      await dev.install(await appImage(0x51, 'Blink', 'blink', {Gpio: [8]}))
      await dev.runFor(3000)
      const writer = dev.apps.process(cid(0x52))!
      // each write is charged its bytes: the writer's CPU time is its host work, not 1 us per call
      expect(writer.syscalls).toBeGreaterThan(100)
      expect(writer.cpuNs).toBeGreaterThanOrEqual(writer.syscalls * 163840 * COST.nsPerByte * 0.5)
      // the blink app sleeps 500 ms between edges: beside the writer it wakes within 0.1 ms of that
      // (edges in the first ms are the open and the first toggle, before any sleep)
      const blinks = edges.filter((t) => t > 1)
      const gaps = blinks.slice(1).map((t, i) => t - blinks[i]!)
      expect(gaps.length).toBeGreaterThanOrEqual(4)
      for (const g of gaps) expect([g, Math.abs(g - 500) < 0.1]).toEqual([g, true])
    } finally {
      await dev.shutdown()
      tmp.cleanup()
    }
  })
})
