/**
 * The WebAssembly address-space cap at fleet scale (docs/fleet-scale.md): a shard whose devices would not fit
 * the trap handler's reservations is refused before any device boots, in one line naming the count, the room
 * and the fixes; `fleet start` gives such a shard --disable-wasm-trap-handler (or refuses up front on a node
 * without the flag). Checked with counts past the room, which the check computes without booting anything.
 */
import {describe, expect, it} from '@jest/globals'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {shardNodeFlags} from '../../src/device/fleet.js'
import {shardIndices} from '../../src/fleet/shard.js'
import {trapHandlerRoom} from '../../src/util/wasm-address-space.js'
import {shardSize} from '../../src/protocol/fleet.js'
import {tempHome} from '../helpers/cli.js'
import {cli} from './helpers.js'

describe('fleet shard: past the address space', () => {
  it('is refused up front, in one line with the count, the room and the fixes, and boots nothing', async () => {
    const {home, cleanup} = tempHome('sphere-fleet-as-')
    try {
      // the shard process runs with node's defaults (the CLI helper clears NODE_OPTIONS): the trap handler is on
      const devices = trapHandlerRoom() + 1000
      const r = await cli(
        home,
        ['fleet', 'shard', '--name', 'big', '--index', '0', '--count', '1', '--devices', String(devices)],
        30_000,
      )
      expect(r.code).toBe(2)
      const lines = r.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(
        new RegExp(
          `^Error: shard 0/1 of fleet big: ${devices} devices need ${devices} WebAssembly memories but this process has address space for (\\d+) \\(each reserves 10\\.0 GiB\\); run node with --disable-wasm-trap-handler or split the fleet into more shards \\(fleet start --shards, fleet shard --count\\)$`,
        ),
      )
      const room = Number(/address space for (\d+)/.exec(lines[0]!)![1])
      // the room fleet start reckons with (trapHandlerRoom, here) is the shard's own: at least this process's (which
      // may hold memories of earlier tests, each 10 GiB of its address space), and short of the devices asked for
      expect(room).toBeGreaterThanOrEqual(devices - 1000 - 2)
      expect(room).toBeLessThan(devices)
      // nothing booted, nothing served
      const dir = join(home, 'fleets', 'big')
      expect(
        existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sock') || f.endsWith('.ready.json')) : [],
      ).toEqual([])
    } finally {
      cleanup()
    }
  })

  it('a shard holds its share of the fleet: shardSize agrees with the indices it boots', () => {
    for (const [count, size] of [
      [1, 1],
      [3, 301],
      [4, 10],
      [7, 3],
      [100, 1_000_000],
    ] as const)
      for (let i = 0; i < count; i++) expect(shardSize(i, count, size)).toBe(shardIndices(i, count, size).length)
    expect(shardSize(0, 100, 1_000_000)).toBe(10_000)
    expect([0, 1, 2, 3].map((i) => shardSize(i, 4, 10))).toEqual([3, 3, 2, 2])
  })
})

describe('fleet start: node flags per shard', () => {
  const fleet = (devices: number, shards: number) => ({name: 'lab', devices, shards})

  it('node defaults while a shard fits the room; --disable-wasm-trap-handler for a shard past it', () => {
    expect([0, 1, 2].map((i) => shardNodeFlags(fleet(300, 3), i, 100, true))).toEqual([[], [], []])
    // 301 over 3 shards: shard 0 holds 101 > 100, the others 100
    expect([0, 1, 2].map((i) => shardNodeFlags(fleet(301, 3), i, 100, true))).toEqual([
      ['--disable-wasm-trap-handler'],
      [],
      [],
    ])
  })

  it('on a node without the flag, a shard past the room is refused up front with a shard count that fits', () => {
    expect(() => shardNodeFlags(fleet(301, 3), 1, 100, false)).not.toThrow()
    let err: unknown
    try {
      shardNodeFlags(fleet(301, 3), 0, 100, false)
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({
      code: 'FLEET_ADDRESS_SPACE',
      exit: 2,
      message: expect.stringMatching(
        /^Fleet 'lab': shard 0 would hold 101 devices but a node process has address space for 100 WebAssembly memories/,
      ),
      suggestions: expect.arrayContaining(['Use more shards: --shards 4 or more.']),
    })
  })
})
