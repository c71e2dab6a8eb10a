/**
 * The least-privilege advisor in-process: declared vs used capabilities, the tightened manifest, untracked
 * keys, and the used-capabilities record surviving a restart (and starting afresh for a new image).
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {Device, auditCapabilities, declaredCapabilities, tighten, type AppManifest} from '../../../src/os/index.js'
import {CACHE_DIR, cid, logged, tempDir} from '../helpers.js'
import {Mode, netAppBinary, netImage} from '../network/helpers.js'

let tmp: {dir: string; cleanup: () => void}
beforeAll(async () => {
  tmp = tempDir('sphere-advisor-')
  await netAppBinary()
})
afterAll(() => tmp.cleanup())

const manifest = (caps: AppManifest['Capabilities']): AppManifest => ({
  SchemaVersion: 1,
  Name: 'm',
  ComponentId: cid(1),
  EntryPoint: '/bin/app',
  Capabilities: caps,
})

describe('report', () => {
  test('declared entries, unused ones, untracked keys and the tightened manifest', () => {
    const m = manifest({
      Gpio: [8, 9],
      AllowedConnections: ['API.contoso.test', '10.0.0.1'],
      AllowedTcpServerPorts: [80],
      MutableStorage: {SizeKB: 8},
      NetworkConfig: true,
      WifiConfig: false,
      DeviceAuthentication: '00000000-0000-0000-0000-000000000000',
    })
    expect(declaredCapabilities(m)).toEqual([
      'Gpio:8',
      'Gpio:9',
      'AllowedConnections:api.contoso.test',
      'AllowedConnections:10.0.0.1',
      'AllowedTcpServerPorts:80',
      'MutableStorage',
      'NetworkConfig',
      'DeviceAuthentication',
    ])
    const r = auditCapabilities(
      {componentId: cid(1), name: 'm', imageId: 'i', manifest: m},
      ['Gpio:9', 'AllowedConnections:api.contoso.test', 'MutableStorage'],
      '2025-01-01T00:00:00.000Z',
    )
    expect(r.used).toEqual(['Gpio:9', 'AllowedConnections:api.contoso.test', 'MutableStorage'])
    expect(r.unused).toEqual(['Gpio:8', 'AllowedConnections:10.0.0.1', 'AllowedTcpServerPorts:80', 'NetworkConfig'])
    expect(r.untracked).toEqual(['DeviceAuthentication'])
    expect(r.suggestedManifest.Capabilities).toEqual({
      Gpio: [9],
      AllowedConnections: ['API.contoso.test'],
      MutableStorage: {SizeKB: 8},
      WifiConfig: false,
      DeviceAuthentication: '00000000-0000-0000-0000-000000000000',
    })
    expect(tighten(m, new Set()).Capabilities).toEqual(m.Capabilities)
  })
})

describe('the used-capabilities record', () => {
  test('survives a restart, and starts afresh when a new image of the app is installed', async () => {
    const stateDir = join(tmp.dir, 'd')
    const caps = {AllowedTcpServerPorts: [4800], AllowedUdpServerPorts: [4801], Gpio: [8]}
    let d = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR, network: {ports: {'4800': 0}}})
    await d.install(await netImage(1, Mode.tcpServer, 4800, '0.0.0.0', caps))
    for (let i = 0; i < 50 && logged(d.appLog(cid(1))).listen === undefined; i++) {
      await d.kernel.runUntil(() => logged(d.appLog(cid(1))).listen !== undefined, 100_000_000)
      await new Promise((r) => setTimeout(r, 5))
    }
    expect(d.auditCapabilities(cid(1)).used).toEqual(['AllowedTcpServerPorts:4800'])
    const since = d.auditCapabilities(cid(1)).since
    await d.shutdown()

    // a restart without running the app: the record is still there
    d = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR, autostart: false})
    const r = d.auditCapabilities(cid(1))
    expect(r.used).toEqual(['AllowedTcpServerPorts:4800'])
    expect(r.unused).toEqual(['AllowedUdpServerPorts:4801', 'Gpio:8'])
    expect(r.since).toBe(since)

    // a new image: its own record
    await d.install(await netImage(1, Mode.tcpServer, 4800, '0.0.0.0', caps, 2), {start: false})
    expect(d.auditCapabilities(cid(1)).used).toEqual([])
    await d.uninstall(cid(1))
    expect(() => d.auditCapabilities(cid(1))).toThrow(/no application/)
    await d.shutdown()
  })
})
