import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {DeviceClient} from '../../src/device/index.js'
import {createSerialTransport, type SerialTransport} from '../../src/device/transport/index.js'
import {loadOrCreateDevKey, packApplication, type AppManifest} from '../../src/image/index.js'
import {startFaultProxy, type FaultProxy} from '../../src/protocol/testing/index.js'
import {SphereError} from '../../src/util/errors.js'
import {assembleFixture, cidOf} from '../helpers/apps.js'
import {runCli, tempHome} from '../helpers/cli.js'

const TRIALS = Number(process.env.SPHERE_FAULT_SIDELOADS ?? 100)

/**
 * Sideloads (HTTPS on 192.168.35.2:443 over SLIP) through a proxy that drops 0.5 % and corrupts 0.5 % of the bytes
 * on the serial line, both ways. Every sideload either installs exactly the package sent or fails with a typed error and leaves
 * the device as it was: never a corrupt or partial install.
 */
describe('sideload over a faulty serial line', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-faults-'))
  let proxy: FaultProxy
  let transport: SerialTransport
  let client: DeviceClient

  beforeAll(async () => {
    proxy = await startFaultProxy({dropRate: 0.005, corruptRate: 0.005, seed: Number(process.env.SPHERE_FAULT_SEED ?? 7)})
    const r = await runCli(['sim', 'start', '--name', 'faulty', '--multi-app', '--serial-port', proxy.serverPath, '-o', 'json'], {env})
    expect(r.code).toBe(0)
    // HTTPS on 443 over the faulty line, the simulator's device CA pinned (as `-d <port>` would find it)
    const ca = await runCli(['sim', 'ca', '--name', 'faulty'], {env})
    expect(ca.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/)
    transport = await createSerialTransport(proxy.clientPath, {ca: ca.stdout, userTimeoutMs: 30_000})
    client = new DeviceClient({kind: 'stream', createConnection: () => transport.createConnection(), describe: 'faulty serial'})
  })
  afterAll(async () => {
    await transport?.close()
    await runCli(['sim', 'stop', '--all'], {env})
    await proxy?.stop()
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it(`${TRIALS} sideloads: 0 corrupt installs, every failure typed, state always consistent`, async () => {
    const wasm = await assembleFixture('blink')
    const key = loadOrCreateDevKey(home)
    const outcome = {ok: 0, failed: {} as Record<string, number>, corrupt: 0}
    // Several components at once: the faulty line is latency-bound (retransmissions), so 4 parallel
    // sideload sequences finish ~4x sooner; each sequence checks its own component's state.
    const WORKERS = 4
    const perWorker = Math.ceil(TRIALS / WORKERS)
    const worker = async (w: number): Promise<void> => {
      const componentId = cidOf(100 + w)
      const manifest = {SchemaVersion: 1, Name: `faulty${w}`, ComponentId: componentId, EntryPoint: '/bin/app', CmdArgs: [], Capabilities: {Gpio: [8 + w]}, ApplicationType: 'Default'} as unknown as AppManifest
      let installedImage: string | null = null
      for (let i = 0; i < perWorker && w * perWorker + i < TRIALS; i++) {
        const imageId = `1a2b3c4d-000${w}-4000-8000-${i.toString(16).padStart(12, '0')}`
        const pkg = packApplication({manifest, files: {'bin/app': wasm}, key, imageId})
        let ok = false
        try {
          await client.stage(pkg)
          await client.install('Manual')
          ok = true
        } catch (e) {
          expect(e).toBeInstanceOf(SphereError)
          const code = (e as SphereError).code
          outcome.failed[code] = (outcome.failed[code] ?? 0) + 1
        }
        // read the device's view (retry: the line is faulty for reads too)
        let images: Awaited<ReturnType<DeviceClient['images']>> | undefined
        for (let a = 0; a < 10 && !images; a++) images = await client.images().catch(() => undefined)
        expect(images).toBeDefined()
        const now = images!.components.find((c) => c.uid === componentId)?.images[0]?.uid ?? null
        if (ok) {
          if (now === imageId) outcome.ok++
          else outcome.corrupt++
        } else if (now !== installedImage && now !== imageId) {
          // a failed sideload may still have completed on the device (the reply was lost): then it is the new image, intact
          outcome.corrupt++
        }
        installedImage = now
      }
    }
    await Promise.all(Array.from({length: WORKERS}, (_, w) => worker(w)))
    const faults = await proxy.stats()
    console.log(`serial faults: ${JSON.stringify(outcome)}; injected ${JSON.stringify(faults)}`)
    expect(outcome.corrupt).toBe(0)
    expect(faults.clientToServer.dropped + faults.clientToServer.corrupted).toBeGreaterThan(TRIALS)
    expect(outcome.ok).toBeGreaterThan(TRIALS / 2)
  }, 1_200_000)
})
