/**
 * An app's log costs the host what the OS keeps of it (a 64 KiB ring of lines of at most 1 KiB), however the
 * app writes: a loop of 192 KiB Log_Debug writes once held ~2 GiB, because every kept line was a slice of its
 * whole decoded write and trimmed lines were compacted only every 4,096.
 */
import {describe, expect, test} from '@jest/globals'
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'
import {EventBus} from '../../../src/os/kernel/events.js'
import {AppLogs} from '../../../src/os/services/app-log.js'
import type {StateStore} from '../../../src/os/storage/state-store.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const retainedHeap = (): number => {
  gc()
  return process.memoryUsage().heapUsed
}

const store = {readLog: () => '', writeLog: () => undefined} as unknown as StateStore

describe('app logs: host memory', () => {
  test('3,000 writes of 192 KiB without a newline keep the ring, not the writes', () => {
    const logs = new AppLogs(store, new EventBus(() => 0), () => 0)
    const big = new Uint8Array(192 * 1024).fill(0x42)
    const before = retainedHeap()
    for (let i = 0; i < 3000; i++) logs.append('a', 7, big)
    const grown = retainedHeap() - before
    // what is kept: the ring's lines, each cut at 1 KiB
    const kept = logs.entries('a')
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.every((l) => l.text === 'B'.repeat(1024))).toBe(true)
    expect(kept.reduce((n, l) => n + l.text.length + 1, 0)).toBeLessThanOrEqual(64 * 1024 + 1025)
    expect(grown).toBeLessThan(16 * 1024 * 1024)
  })

  test('lines split across writes and long lines are cut as before', () => {
    const logs = new AppLogs(store, new EventBus(() => 0), () => 0)
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
    logs.append('a', 1, enc('hel'))
    logs.append('a', 1, enc('lo\nwor'))
    logs.append('a', 1, enc('ld\n'))
    logs.append('a', 1, enc(`${'x'.repeat(3000)}\nend\n`))
    logs.append('a', 1, enc('é'.repeat(1500)))
    expect(logs.entries('a').map((l) => l.text)).toEqual(['hello', 'world', 'x'.repeat(1024), 'end', 'é'.repeat(1024)])
  })
})
