/**
 * Install policy in one place: both doors of the device API, PUT /update/stage + POST /update/install
 * (sideload) and POST /sphere/updates (over the air), reach the one LSM decision `image.install`, ruled on
 * with the source, the signing key's class, the device capabilities and the manufacturing state. Every
 * decision is audited. Host-side attacks: an over-the-air delivery of a development-signed package to a
 * device that is DeviceComplete, or that lacks appDevelopment.
 */
import {beforeAll, describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {packApplication, type AppManifest, type SigningKey, type TrustAnchor} from '../../src/image/index.js'
import {signingKeyClass, type SigningKeyClass} from '../../src/image/keys.js'
import {Errno} from '../../src/os/kernel/errno.js'
import {Lsm, type InstallSource} from '../../src/os/lsm/lsm.js'
import {compilePolicy, type DeviceCapability, type ManufacturingState} from '../../src/os/lsm/policy.js'
import {createRestServer, DeviceRestBackend, listenUnix} from '../../src/os/rest/index.js'
import {makeSigningKey, request, type Reply, type Target} from '../os/rest/helpers.js'
import {CACHE_DIR, tempDir, wat} from '../os/helpers.js'

const CID = '5e71a100-0000-4000-8000-0000000000a0'

describe('the install decision (LSM image.install)', () => {
  const caps = (s: string): DeviceCapability[] => (s === '-' ? [] : (s.split('+') as DeviceCapability[]))
  // source, key class, device capabilities, manufacturing state -> allowed
  const RULES: [InstallSource, SigningKeyClass, string, ManufacturingState, boolean][] = [
    ['sideload', 'development', 'appDevelopment', 'Blank', true],
    ['sideload', 'sdk-test', 'appDevelopment', 'Module1Complete', true],
    ['sideload', 'cloud', 'appDevelopment', 'Blank', true],
    ['sideload', 'development', '-', 'Blank', false],
    ['sideload', 'cloud', '-', 'Blank', false],
    ['sideload', 'development', 'enableRfTestMode', 'Blank', false],
    ['sideload', 'development', 'fieldServicing', 'Blank', true],
    ['sideload', 'development', 'appDevelopment', 'DeviceComplete', false],
    ['sideload', 'cloud', 'appDevelopment', 'DeviceComplete', false],
    ['sideload', 'development', 'appDevelopment+fieldServicing', 'DeviceComplete', true],
    ['sideload', 'cloud', 'fieldServicing', 'DeviceComplete', true],
    ['ota', 'cloud', '-', 'Blank', true],
    ['ota', 'cloud', '-', 'DeviceComplete', true],
    ['ota', 'cloud', 'appDevelopment', 'DeviceComplete', true],
    ['ota', 'development', 'appDevelopment', 'Blank', true],
    ['ota', 'sdk-test', 'appDevelopment', 'Module1Complete', true],
    ['ota', 'development', '-', 'Blank', false],
    ['ota', 'sdk-test', '-', 'Blank', false],
    ['ota', 'development', 'fieldServicing', 'Blank', false],
    ['ota', 'development', 'appDevelopment', 'DeviceComplete', false],
    ['ota', 'sdk-test', 'appDevelopment', 'DeviceComplete', false],
    ['ota', 'development', 'appDevelopment+fieldServicing', 'DeviceComplete', false],
  ]
  test.each(RULES)(
    '%s of a %s-signed image, capabilities %s, %s: allowed %s',
    (source, keyClass, c, state, allowed) => {
      const lsm = new Lsm()
      lsm.setDeviceCapabilities(caps(c))
      lsm.setManufacturingState(state)
      const d = lsm.check({kind: 'host', name: source}, {op: 'image.install', source, keyClass, componentId: CID})
      expect(d.allowed).toBe(allowed)
      if (!allowed) {
        expect(d.errno).toBe(Errno.EPERM)
        if (state === 'DeviceComplete') expect(d.reason).toMatch(/DeviceComplete/)
      }
      const log = lsm.auditLog()
      expect(log).toHaveLength(1)
      expect(log[0]).toMatchObject({
        subject: `host:${source}`,
        operation: 'image.install',
        object: `source=${source} keyClass=${keyClass} componentId=${CID}`,
        allowed,
      })
    },
  )

  test('an app can never install an image', () => {
    const lsm = new Lsm()
    lsm.setDeviceCapabilities(['appDevelopment', 'fieldServicing'])
    lsm.setPolicy(compilePolicy({Name: 'App', ComponentId: CID, Capabilities: {}}))
    const d = lsm.check(
      {kind: 'app', componentId: CID, pid: 7},
      {op: 'image.install', source: 'sideload', keyClass: 'cloud', componentId: CID},
    )
    expect(d).toMatchObject({allowed: false, errno: Errno.EPERM})
  })

  test('signing key classes: the development key, the SDK test key, keys added to the trust store', () => {
    expect(signingKeyClass('development')).toBe('development')
    expect(signingKeyClass('builtin')).toBe('sdk-test')
    expect(signingKeyClass('public-key')).toBe('cloud')
    expect(signingKeyClass('certificate')).toBe('cloud')
  })
})

describe('both doors of the device API take the one decision', () => {
  let wasm: Uint8Array
  let dev: {key: SigningKey; anchor: TrustAnchor}
  let cloud: {key: SigningKey; anchor: TrustAnchor}
  beforeAll(async () => {
    wasm = await wat('(module (memory (export "memory") 1 1) ;;@lib\n (func (export "_start") (call $sleep_forever)))')
    const d = makeSigningKey()
    dev = {key: d.key, anchor: {...d.anchor, name: 'development key', kind: 'development'}}
    cloud = makeSigningKey()
  })
  const pack = (key: SigningKey, buildDate: number): Uint8Array => {
    const manifest: AppManifest = {
      SchemaVersion: 1,
      Name: 'Policy',
      ComponentId: CID,
      EntryPoint: '/bin/app',
      CmdArgs: [],
      Capabilities: {},
      ApplicationType: 'Default',
    }
    return packApplication({manifest, files: {'bin/app': wasm}, key, buildDate})
  }

  /** A device with these capabilities over an in-process REST server on a Unix socket. */
  async function withDevice(
    capabilities: DeviceCapability[],
    fn: (t: Target, backend: DeviceRestBackend) => Promise<void>,
  ): Promise<void> {
    const tmp = tempDir('sphere-policy-')
    const stateDir = join(tmp.dir, 'state')
    const backend = await DeviceRestBackend.boot({
      stateDir,
      clock: 'realtime',
      capabilities,
      trust: [dev.anchor, cloud.anchor],
      cacheDir: CACHE_DIR,
    })
    const handler = createRestServer(backend, {stateDir, name: 'policy', transport: 'unix'})
    const unix = await listenUnix(handler, join(tmp.dir, 'api.sock'))
    try {
      await fn({kind: 'unix', socketPath: join(tmp.dir, 'api.sock')}, backend)
    } finally {
      handler.controller.close()
      await unix.close()
      await backend.shutdown()
      tmp.cleanup()
    }
  }

  const ota = (t: Target, pkg: Uint8Array): Promise<Reply> => request(t, 'POST', '/sphere/updates', pkg)
  const installedImage = (b: DeviceRestBackend): string | undefined =>
    b.device.apps.installed().find((r) => r.componentId === CID)?.imageId
  const denials = (b: DeviceRestBackend) =>
    b.device.auditLog({deniedOnly: true}).filter((r) => r.operation === 'image.install')

  test('after DeviceComplete, a development-signed update over the air is refused like a sideload; a cloud-signed one installs', async () => {
    await withDevice(['appDevelopment'], async (t, b) => {
      expect(
        (await request(t, 'PUT', '/device/manufacturing_state', {manufacturingState: 'DeviceComplete'})).status,
      ).toBe(200)
      const devPkg = pack(dev.key, 1_700_000_000)
      expect((await request(t, 'PUT', '/update/stage', devPkg)).status).toBe(403)
      const r = await ota(t, devPkg)
      expect(r.status).toBe(403)
      expect(r.json()).toMatchObject({error: 7340050})
      expect(installedImage(b)).toBeUndefined()
      expect(denials(b).at(-1)).toMatchObject({
        subject: 'host:update',
        object: `source=ota keyClass=development componentId=${CID}`,
        errno: Errno.EPERM,
      })
      expect(denials(b).at(-1)!.reason).toMatch(/DeviceComplete/)
      const c = await ota(t, pack(cloud.key, 1_700_000_001))
      expect(c.status).toBe(200)
      expect(c.json()).toMatchObject({componentId: CID, state: 'running'})
    })
  }, 30_000)

  test.each([
    ['no capabilities', [] as DeviceCapability[]],
    ['only fieldServicing', ['fieldServicing'] as DeviceCapability[]],
    ['only enableRfTestMode', ['enableRfTestMode'] as DeviceCapability[]],
  ])(
    'without appDevelopment (%s), a development-signed update over the air is refused; a cloud-signed one installs',
    async (_what, capabilities) => {
      await withDevice(capabilities, async (t, b) => {
        const r = await ota(t, pack(dev.key, 1_700_000_000))
        expect(r.status).toBe(403)
        expect(installedImage(b)).toBeUndefined()
        expect(denials(b).at(-1)).toMatchObject({object: `source=ota keyClass=development componentId=${CID}`})
        const c = await ota(t, pack(cloud.key, 1_700_000_001))
        expect(c.status).toBe(200)
        expect(installedImage(b)).toBeDefined()
        expect(
          b.device
            .auditLog()
            .filter((x) => x.operation === 'image.install' && x.allowed)
            .at(-1),
        ).toMatchObject({
          subject: 'host:update',
          object: `source=ota keyClass=cloud componentId=${CID}`,
        })
      })
    },
    30_000,
  )

  test('a development device takes both doors; the sideload decision is audited for stage and for install', async () => {
    await withDevice(['appDevelopment'], async (t, b) => {
      expect((await request(t, 'PUT', '/update/stage', pack(dev.key, 1_700_000_000))).status).toBe(200)
      expect((await request(t, 'POST', '/update/install', {appControlMode: 'Auto'})).status).toBe(200)
      expect(installedImage(b)).toBeDefined()
      const sideloads = b.device
        .auditLog()
        .filter((x) => x.operation === 'image.install' && x.subject === 'host:sideload')
      expect(sideloads.map((x) => x.allowed)).toEqual([true, true])
      expect((await ota(t, pack(dev.key, 1_700_000_002))).status).toBe(200)
    })
  }, 30_000)
})
