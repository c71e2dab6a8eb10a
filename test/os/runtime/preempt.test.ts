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

describe('preemption by time', () => {
  test('160 KiB writes are charged per byte and never make a blinking neighbour late', async () => {
    const tmp = tempDir()
    const dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR})
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
