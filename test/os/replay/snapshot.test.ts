import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {SnapshotInfo} from '../../../src/protocol/api/index.js'
import {buildFixturePackage} from '../../helpers/apps.js'
import {DeviceRestBackend, createRestServer, listenUnix} from '../../../src/os/rest/index.js'
import {CACHE_DIR} from '../helpers.js'
import {call, readLines, recordedDevice} from './helpers.js'

let home: string
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'sphere-snap-home-'))
})
afterAll(() => rmSync(home, {recursive: true, force: true}))

type Dev = Awaited<ReturnType<typeof recordedDevice>>

/** One virtual hour of inputs: the clock, button presses, a stop and start of an app. */
async function hour(dev: Dev): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await dev.req('POST', '/sphere/clock/advance', {ms: 9 * 60_000 + i * 1_111})
    expect((await dev.req('POST', '/sphere/world/press', {button: 'A', holdMs: 120})).status).toBe(200)
  }
  expect((await dev.req('POST', '/sphere/clock/advance', {ms: 6 * 60_000 - 6 * 120 - 15 * 1_111})).status).toBe(200)
}

describe('snapshots', () => {
  test('snapshot -> restore -> 1 h virtual gives the trace of running on without the snapshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sphere-snap-'))
    try {
      const file = join(dir, 'snap.rec')
      const blink = await buildFixturePackage(home, dir, 'blink', {n: 1, capabilities: {Gpio: [8]}})
      const button = await buildFixturePackage(home, dir, 'button', {n: 2, capabilities: {Gpio: [12, 15]}})
      const dev = await recordedDevice(home, dir, {file, multiApp: true}) // two high-level apps side by side
      // "provisioning": two sideloads and some running
      for (const p of [blink, button]) {
        expect((await dev.req('PUT', '/update/stage', p.bytes)).status).toBe(200)
        expect((await dev.req('POST', '/update/install', {appControlMode: 'Auto'})).status).toBe(200)
        await dev.req('POST', '/sphere/clock/advance', {ms: 12_345})
      }
      await dev.req('POST', '/sphere/world/press', {button: 'A', holdMs: 80})
      await dev.req('POST', '/sphere/clock/advance', {ms: 333})

      const saved = await dev.req('POST', '/sphere/snapshots', {name: 'provisioned'})
      expect(saved.status).toBe(200)
      const info = saved.json as SnapshotInfo
      expect(info.apps.map((a) => a.componentId).sort()).toEqual([button.componentId, blink.componentId].sort())
      expect(info.apps.every((a) => /^[0-9a-f]{64}$/.test(a.memorySha256))).toBe(true)
      expect(info.virtualTimeMs).toBeGreaterThan(25_000)
      const list = (await dev.req('GET', '/sphere/snapshots')).json as SnapshotInfo[]
      expect(list.map((s) => s.name)).toEqual(['provisioned'])

      const at = readLines(`${file}.trace`).length
      await hour(dev)
      const ranOn = readLines(`${file}.trace`).slice(at)
      expect(ranOn.filter((l) => l.includes('"gpio":8')).length).toBeGreaterThan(7000)

      const restored = await dev.req('POST', '/sphere/snapshots/provisioned/restore')
      expect(restored.status).toBe(200)
      const pos = (await dev.req('GET', '/sphere/recording')).json as {virtualTimeMs: number; step: number}
      expect(pos.virtualTimeMs).toBe(info.virtualTimeMs)
      expect(pos.step).toBe(info.step)
      const before = readLines(`${file}.trace`).length
      await hour(dev)
      const afterRestore = readLines(`${file}.trace`).slice(before)
      expect(afterRestore).toEqual(ranOn)

      // a snapshot of the restored device is a snapshot too: restoring it again lands on the same point
      expect((await dev.req('POST', '/sphere/snapshots', {name: 'later'})).status).toBe(200)
      expect((await dev.req('POST', '/sphere/snapshots/provisioned/restore')).status).toBe(200)
      expect((await dev.req('POST', '/sphere/snapshots/later/restore')).status).toBe(200)
      expect(((await dev.req('GET', '/sphere/recording')).json as {virtualTimeMs: number}).virtualTimeMs).toBe(
        info.virtualTimeMs + 3_600_000,
      )
      await dev.stop()
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 180_000)

  test('a device that keeps no input log (realtime, not recorded) refuses snapshots and says how to get one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sphere-snap-'))
    const backend = await DeviceRestBackend.boot({stateDir: join(dir, 'state'), clock: 'realtime', cacheDir: CACHE_DIR})
    const handler = createRestServer(backend, {stateDir: join(dir, 'state'), transport: 'unix'})
    const sock = join(dir, 'rt.sock')
    const l = await listenUnix(handler, sock)
    try {
      const r = await call(sock, 'POST', '/sphere/snapshots', {name: 'x'})
      expect(r.status).toBe(409)
      expect(JSON.stringify(r.json)).toContain('start it with --clock fast-forward or --record FILE')
      const adv = await call(sock, 'POST', '/sphere/clock/advance', {ms: 10})
      expect(adv.status).toBe(409)
      expect(JSON.stringify(adv.json)).toContain('realtime clock')
      expect(((await call(sock, 'GET', '/sphere/snapshots')).json as unknown[]).length).toBe(0)
    } finally {
      await l.close()
      handler.controller.close()
      await backend.shutdown()
      rmSync(dir, {recursive: true, force: true})
    }
  }, 60_000)

  test('bad names and unknown snapshots are refused with one clear line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sphere-snap-'))
    try {
      const dev = await recordedDevice(home, dir)
      const bad = await dev.req('POST', '/sphere/snapshots', {name: '../escape'})
      expect(bad.status).toBe(400)
      expect(JSON.stringify(bad.json)).toContain("'../escape' is not a snapshot name")
      const missing = await dev.req('POST', '/sphere/snapshots/nope/restore')
      expect(missing.status).toBe(404)
      expect(JSON.stringify(missing.json)).toContain('no snapshot named nope')
      await dev.stop()
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 60_000)
})
