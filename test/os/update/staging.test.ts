/**
 * The staging area (PUT /update/stage) is bounded: one staged package per component (staging it again
 * replaces the previous one), all of it within the app flash partition (noSpace beyond), and POST
 * /update/install takes each staged package once, however many installs run at the same time.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {existsSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {packApplication, type AppManifest, type SigningKey} from '../../../src/image/index.js'
import {APP_FLASH_BYTES} from '../../../src/os/hw/chip.js'
import {
  createRestServer,
  DeviceRestBackend,
  listenUnix,
  type RestHandler,
  type RestListener,
} from '../../../src/os/rest/index.js'
import {StateStore} from '../../../src/os/storage/state-store.js'
import {makeSigningKey, request, tempDir, type Target} from '../rest/helpers.js'
import {CACHE_DIR, cid, wat} from '../helpers.js'

const KiB = 1024

describe('the staging area', () => {
  let tmp: {dir: string; cleanup: () => void}
  let stateDir: string
  let backend: DeviceRestBackend
  let handler: RestHandler
  let unix: RestListener
  let t: Target
  let key: SigningKey
  let wasm: Uint8Array

  beforeAll(async () => {
    tmp = tempDir('sphere-staging-')
    stateDir = join(tmp.dir, 'state')
    const k = makeSigningKey()
    key = k.key
    backend = await DeviceRestBackend.boot({stateDir, clock: 'realtime', multiApp: true, trust: [k.anchor], cacheDir: CACHE_DIR})
    handler = createRestServer(backend, {stateDir, name: 'staging', transport: 'unix'})
    unix = await listenUnix(handler, join(tmp.dir, 'api.sock'))
    t = {kind: 'unix', socketPath: join(tmp.dir, 'api.sock')}
    wasm = await wat('(module (memory (export "memory") 1 1) ;;@lib\n (func (export "_start") (call $sleep_forever)))')
  })
  afterAll(async () => {
    handler.controller.close()
    await unix.close()
    await backend.shutdown()
    tmp.cleanup()
  })

  const pack = (n: number, blobBytes = 0, name = `Staged${n}`): Uint8Array => {
    const manifest: AppManifest = {
      SchemaVersion: 1,
      Name: name,
      ComponentId: cid(0x5a00 + n),
      EntryPoint: '/bin/app',
      CmdArgs: [],
      Capabilities: {},
      ApplicationType: 'Default',
    }
    const files: Record<string, Uint8Array> = {'bin/app': wasm}
    if (blobBytes > 0) files['data/blob'] = new Uint8Array(blobBytes).map((_, i) => (i * 7 + n) & 0xff)
    return packApplication({manifest, files, key, buildDate: 1_700_000_000})
  }
  const stagedFiles = () => readdirSync(join(stateDir, 'staged'))
  const stagedBytes = () => stagedFiles().reduce((s, f) => s + statSync(join(stateDir, 'staged', f)).size, 0)

  test('300 stagings of one component keep one staged file: the latest package', async () => {
    const first = pack(1, 0, 'First')
    for (let i = 0; i < 299; i++) expect((await request(t, 'PUT', '/update/stage', first)).status).toBe(200)
    const last = pack(1, 0, 'Last')
    expect((await request(t, 'PUT', '/update/stage', last)).status).toBe(200)
    expect(stagedFiles()).toEqual([`${cid(0x5a01)}.pkg`])
    expect(stagedBytes()).toBe(last.length)
    expect((await request(t, 'POST', '/update/install', {appControlMode: 'Manual'})).status).toBe(200)
    expect(stagedFiles()).toEqual([])
    expect(backend.device.apps.installed().map((r) => r.name)).toEqual(['Last'])
    expect((await request(t, 'DELETE', `/app/image/${cid(0x5a01)}`)).status).toBe(200)
  }, 120_000)

  test('staging beyond the app flash is refused with noSpace and writes nothing; a re-staged component counts once', async () => {
    const big = 200 * KiB
    const fits = Math.floor(APP_FLASH_BYTES / pack(10, big).length)
    expect(fits).toBeGreaterThanOrEqual(3)
    for (let n = 10; n < 10 + fits; n++)
      expect((await request(t, 'PUT', '/update/stage', pack(n, big))).status).toBe(200)
    const before = stagedFiles().sort()
    expect(before).toHaveLength(fits)
    const over = await request(t, 'PUT', '/update/stage', pack(10 + fits, big))
    expect(over.status).toBe(409)
    expect(over.json()).toMatchObject({error: 14680082})
    expect(stagedFiles().sort()).toEqual(before)
    expect(stagedBytes()).toBeLessThanOrEqual(APP_FLASH_BYTES)
    // replacing a staged package of the same size needs no more room
    expect((await request(t, 'PUT', '/update/stage', pack(10, big, 'Again'))).status).toBe(200)
    // installed images count too: install them, and a new component still does not fit
    expect((await request(t, 'POST', '/update/install', {appControlMode: 'Manual'})).status).toBe(200)
    expect(backend.device.apps.installed()).toHaveLength(fits)
    const used = backend.device.apps.installed().reduce((n, r) => n + r.sizeBytes, 0)
    expect((await request(t, 'PUT', '/update/stage', pack(10 + fits, APP_FLASH_BYTES - used))).status).toBe(409)
    expect((await request(t, 'PUT', '/update/stage', pack(10 + fits, APP_FLASH_BYTES - used - 16 * KiB))).status).toBe(
      200,
    )
    expect((await request(t, 'PUT', '/update/stage', pack(10 + fits, 0))).status).toBe(200) // replaced: smaller now
    // an update of an installed component replaces its image: it fits
    expect((await request(t, 'PUT', '/update/stage', pack(11, big, 'Update'))).status).toBe(200)
    expect((await request(t, 'POST', '/update/install', {appControlMode: 'Manual'})).status).toBe(200)
    expect(backend.device.apps.installed().find((r) => r.componentId === cid(0x5a00 + 11))?.name).toBe('Update')
    for (const r of backend.device.apps.installed())
      expect((await request(t, 'DELETE', `/app/image/${r.componentId}`)).status).toBe(200)
  }, 120_000)

  test('concurrent installs take each staged package once', async () => {
    const installed: string[] = []
    const off = backend.device.subscribe(
      (e) => {
        if (e.type === 'app' && e.action === 'installed') installed.push(e.componentId)
      },
      ['app'],
    )
    for (let n = 30; n < 36; n++) expect((await request(t, 'PUT', '/update/stage', pack(n))).status).toBe(200)
    const r = await Promise.all(
      Array.from({length: 6}, () => request(t, 'POST', '/update/install', {appControlMode: 'Manual'})),
    )
    off()
    expect(r.map((x) => x.status)).toEqual(Array(6).fill(200))
    expect(installed.sort()).toEqual(Array.from({length: 6}, (_, i) => cid(0x5a00 + 30 + i)).sort())
    expect(stagedFiles()).toEqual([])
  }, 120_000)
})

describe('a claim an interrupted install left behind', () => {
  test('is staged again at the next open, unless the component was staged again meanwhile', () => {
    const tmp = tempDir('sphere-staging-claims-')
    try {
      const store = StateStore.open(tmp.dir)
      store.stage(cid(1), new Uint8Array([1]))
      store.stage(cid(2), new Uint8Array([2]))
      // an install claims both, then the process is killed before either is installed
      expect(store.claimStaged(`${cid(1)}.pkg`)?.bytes).toEqual(new Uint8Array([1]))
      expect(store.claimStaged(`${cid(2)}.pkg`)?.bytes).toEqual(new Uint8Array([2]))
      expect(store.claimStaged(`${cid(2)}.pkg`)).toBeUndefined() // taken already
      store.stage(cid(2), new Uint8Array([3])) // a newer package for the second
      expect(store.stagedEntries().map((e) => e.componentId)).toEqual([cid(2)])
      const again = StateStore.open(tmp.dir)
      expect(
        again
          .stagedEntries()
          .map((e) => [e.componentId, e.sizeBytes])
          .sort(),
      ).toEqual([
        [cid(1), 1],
        [cid(2), 1],
      ])
      expect(again.claimStaged(`${cid(2)}.pkg`)?.bytes).toEqual(new Uint8Array([3]))
      expect(readdirSync(join(tmp.dir, 'staged')).filter((f) => f.endsWith('.installing'))).toHaveLength(1)
    } finally {
      tmp.cleanup()
    }
  })

  test('staging names the component by its ID only', () => {
    const tmp = tempDir('sphere-staging-id-')
    try {
      const store = StateStore.open(tmp.dir)
      expect(() => store.stage('../../escape', new Uint8Array([1]))).toThrow(/not a component ID/)
      expect(existsSync(join(tmp.dir, 'escape.pkg'))).toBe(false)
      writeFileSync(join(tmp.dir, 'staged', 'old-format-1.pkg'), new Uint8Array([9, 9]))
      expect(store.stagedEntries()).toEqual([{name: 'old-format-1.pkg', componentId: undefined, sizeBytes: 2}])
    } finally {
      tmp.cleanup()
    }
  })
})
