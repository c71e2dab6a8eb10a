/** Helpers for the networking tests: the socket test app (net-app.wat), its images, fast-forward devices. */
import {afterAll, afterEach, beforeAll} from '@jest/globals'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Device, NS_PER_MS, type AppManifest, type DeviceBootOptions, type UnpackedImage} from '../../../src/os/index.js'
import {CACHE_DIR, cid, tempDir, wat} from '../helpers.js'

const here = dirname(fileURLToPath(import.meta.url))

let bin: Uint8Array | undefined
export async function netAppBinary(): Promise<Uint8Array> {
  bin ??= await wat(readFileSync(join(here, 'net-app.wat'), 'utf8'))
  return bin
}

/** The little-endian u32 of an IPv4 address's bytes (how net-app.wat takes its address argument). */
export function ipArg(ip: string): number {
  return ip.split('.').reduce((v, b, i) => v + Number(b) * 256 ** i, 0)
}

export const Mode = {tcpClient: 0, tcpServer: 1, udpEcho: 2, udpClient: 3} as const

/** An image of net-app.wat: `mode`, `port`, `ip` become its CmdArgs. */
export async function netImage(
  n: number,
  mode: number,
  port: number,
  ip: string,
  caps: AppManifest['Capabilities'],
  imageN = n,
): Promise<UnpackedImage> {
  const manifest: AppManifest = {
    SchemaVersion: 1,
    Name: `net${n}`,
    ComponentId: cid(n),
    EntryPoint: '/bin/app',
    CmdArgs: [String(mode), String(port), String(ipArg(ip))],
    Capabilities: caps,
    ApplicationType: 'Default',
  }
  return {
    componentId: cid(n),
    imageId: `${cid(n).slice(0, 24)}${(0x200000 + imageN).toString(16).padStart(12, '0')}`,
    manifest,
    files: new Map([
      ['bin/app', await netAppBinary()],
      ['app_manifest.json', new TextEncoder().encode(JSON.stringify(manifest))],
    ]),
  }
}

/**
 * Fast-forward devices for one test file: `boot()` gives a fresh device in its own state directory (after
 * `prepare`, e.g. a world file), shut down after each test; the socket app is compiled once up front.
 */
export function deviceHarness(
  prefix: string,
  prepare: (d: Device) => void | Promise<void> = () => {},
): {boot: (opts?: Partial<DeviceBootOptions>) => Promise<Device>; dir: () => string} {
  let tmp: {dir: string; cleanup: () => void} | undefined
  let dev: Device | undefined
  let n = 0
  beforeAll(async () => {
    tmp = tempDir(prefix)
    await netAppBinary()
  })
  afterAll(() => tmp?.cleanup())
  afterEach(async () => {
    await dev?.shutdown()
    dev = undefined
  })
  return {
    boot: async (opts = {}) => {
      dev = await Device.boot({stateDir: join(tmp!.dir, `d${++n}`), clock: 'fast-forward', cacheDir: CACHE_DIR, ...opts})
      await prepare(dev)
      return dev
    },
    /** The file's temporary directory (for other state: a REST backend's, sockets). */
    dir: () => tmp!.dir,
  }
}

/**
 * Alternate slices of virtual time with host turns until `until` holds, so bytes in flight on the host (to a
 * test client or server) arrive too. Bounded: `slices` slices of `sliceMs` virtual ms. Returns whether it held.
 */
export async function runUntil(d: Device, until: () => boolean, slices = 100, sliceMs = 200): Promise<boolean> {
  for (let i = 0; i < slices && !until(); i++) {
    await d.kernel.runUntil(until, sliceMs * NS_PER_MS)
    if (!until()) await new Promise((r) => setTimeout(r, 5))
  }
  return until()
}
