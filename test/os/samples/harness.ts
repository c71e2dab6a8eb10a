/**
 * Samples on a fast-forward device, for the tests that run unmodified Azure Sphere samples: each sample of the
 * file is built once by the C SDK (beforeAll), each test boots its own device (trusting the file's SDK home),
 * installs a sample, presses buttons; the device is shut down after each test and the build tree removed after
 * the file.
 */
import {afterAll, afterEach, beforeAll, expect} from '@jest/globals'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device, type OsEvent} from '../../../src/os/index.js'
import {buildApp, type BuildResult} from '../../../src/sdk/index.js'
import {copySamples, removeDir, tempDir} from '../../sdk/helpers.js'

export interface SampleDevices<K extends string> {
  /** The file's temporary directory (the copied samples, the SDK home, other state). */
  root: () => string
  built: (k: K) => BuildResult
  /** A fresh device named `name`; its events are collected in `events()`. */
  boot: (name: string) => Promise<Device>
  /** Install and start sample `k` (it must come up running); its component ID. */
  install: (device: Device, k: K) => Promise<string>
  /** Press and release `button`, letting the app react for `settleMs` of virtual time after each. */
  press: (device: Device, button: string, settleMs?: number) => Promise<void>
  events: () => OsEvent[]
}

export function sampleDevices<K extends string>(
  prefix: string,
  samples: Record<K, string>,
  opts: {settleMs?: number; beforeShutdown?: (d: Device) => Promise<void>} = {},
): SampleDevices<K> {
  let root = ''
  let dev: Device | undefined
  let events: OsEvent[] = []
  const built = {} as Record<K, BuildResult>
  const home = (): string => join(root, 'home')
  beforeAll(async () => {
    root = tempDir(prefix)
    copySamples(root)
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home()}
    for (const k of Object.keys(samples) as K[]) built[k] = await buildApp({dir: join(root, samples[k]), env, sphereHome: home()})
  }, 300_000)
  afterAll(() => removeDir(root))
  afterEach(async () => {
    if (dev) await opts.beforeShutdown?.(dev)
    await dev?.shutdown()
    dev = undefined
  })
  return {
    root: () => root,
    built: (k) => built[k],
    boot: async (name) => {
      dev = await Device.boot({
        stateDir: join(root, `state-${name}`),
        clock: 'fast-forward',
        trust: loadTrustStore(home()),
        cacheDir: join(root, 'app-cache'),
      })
      events = []
      dev.subscribe((e) => events.push(e))
      return dev
    },
    install: async (device, k) => {
      const st = await device.installPackage(readFileSync(built[k].apps[0]!.imagePackage), {start: true})
      expect(st.state).toBe('running')
      return st.componentId
    },
    press: async (device, button, settleMs = opts.settleMs ?? 300) => {
      device.pressButton(button)
      await device.runFor(300)
      device.releaseButton(button)
      await device.runFor(settleMs)
    },
    events: () => events,
  }
}
