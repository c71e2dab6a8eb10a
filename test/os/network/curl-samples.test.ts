/**
 * Issue 14 acceptance (libcurl): the unmodified HTTPS_Curl_Easy and HTTPS_Curl_Multi samples from
 * Azure/azure-sphere-samples (test/fixtures/samples/Samples/HTTPS, MIT, with their LICENSE.txt) built by the C SDK
 * and run on a fast-forward device against the local internet of test/fixtures/internet/world.yaml: example.com
 * and httpstat.us are HTTPS servers on 127.0.0.x whose certificates the test CA issued, trusted through the CA
 * files in the samples' own image packages (the world file says the test CA stands in for their DigiCert roots).
 * The transfers are real TLS connections made by the OS's libcurl on the host, each one an audited LSM decision;
 * with the host gone from AllowedConnections the sample fails with curl's own error.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device, NS_PER_MS} from '../../../src/os/index.js'
import {applyWorldFile} from '../../../src/os/services/world-file.js'
import {buildApp} from '../../../src/sdk/index.js'
import {copySamples, removeDir, repoRoot, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip
const worldDir = join(repoRoot, 'test', 'fixtures', 'internet')
const page = readFileSync(join(worldDir, 'example.com.html'), 'utf8')

d('libcurl samples on the local internet', () => {
  let root: string
  let home: string
  let env: NodeJS.ProcessEnv
  const devices: Device[] = []

  const boot = async (name: string): Promise<Device> => {
    const dev = await Device.boot({stateDir: join(root, name), clock: 'fast-forward', trust: loadTrustStore(home)})
    devices.push(dev)
    applyWorldFile(dev, readFileSync(join(worldDir, 'world.yaml'), 'utf8'), {baseDir: worldDir})
    await dev.internet.ready()
    return dev
  }

  /** Alternate virtual-time slices with host turns until `done` (bounded). */
  const runUntil = async (dev: Device, done: () => boolean, slices = 400): Promise<boolean> => {
    for (let i = 0; i < slices && !done(); i++) {
      await dev.kernel.runUntil(done, 50 * NS_PER_MS)
      if (!done()) await new Promise((r) => setTimeout(r, 5))
    }
    return done()
  }

  const build = async (sample: string, manifest?: (m: Record<string, unknown>) => void): Promise<Buffer> => {
    const dir = join(root, 'Samples/HTTPS', sample)
    if (manifest) {
      const f = join(dir, 'app_manifest.json')
      const m = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>
      manifest(m)
      writeFileSync(f, JSON.stringify(m, null, 2))
    }
    const built = await buildApp({dir, env, sphereHome: home})
    return readFileSync(built.apps[0]!.imagePackage)
  }

  beforeAll(() => {
    root = tempDir('sphere-curl-')
    home = join(root, 'home')
    copySamples(root)
    env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
  })
  afterAll(async () => {
    for (const dev of devices) await dev.shutdown()
    removeDir(root)
  })

  test('HTTPS_Curl_Easy downloads https://example.com/ over TLS from the local internet; the connection is in the audit log', async () => {
    const pkg = await build('HTTPS_Curl_Easy')
    const dev = await boot('easy')
    const {componentId: cid} = await dev.installPackage(pkg, {start: true})
    const log = (): string => dev.appLog(cid)
    expect(await runUntil(dev, () => log().includes('-===- END-OF-DOWNLOAD -===-'))).toBe(true)
    const text = log()
    expect(text).toContain('cURL easy interface based application starting.')
    expect(text).toContain('-===- START-OF-DOWNLOAD -===-')
    // the page, as the server sent it, printed by the sample's own callbacks
    expect(text).toContain(page)
    expect(text).not.toContain('curl err=')
    // CURLOPT_VERBOSE: curl's lines in the app log, the TLS certificate verified against the package's CA file
    expect(text).toContain('* Connected to example.com (127.0.0.10) port 443')
    expect(text).toContain(' SSL certificate verify ok.')
    expect(text).toContain('> GET / HTTP/1.1')
    expect(text).toContain('> User-Agent: libcurl-agent/1.0')
    expect(text).toContain('< HTTP/1.1 200 OK')
    const audit = dev.auditLog({componentId: cid}).filter((r) => r.operation === 'net.connect')
    expect(audit.length).toBeGreaterThan(0)
    expect(audit[0]).toMatchObject({allowed: true, object: 'host=example.com port=443'})
  }, 240_000)

  test('without example.com in AllowedConnections the download fails with curl error 6 and the denial is audited', async () => {
    const pkg = await build('HTTPS_Curl_Easy', (m) => {
      ;(m.Capabilities as Record<string, unknown>).AllowedConnections = ['other.example']
    })
    const dev = await boot('easy-denied')
    const {componentId: cid} = await dev.installPackage(pkg, {start: true})
    const log = (): string => dev.appLog(cid)
    expect(await runUntil(dev, () => log().includes('-===- END-OF-DOWNLOAD -===-'))).toBe(true)
    expect(log()).toContain("curl_easy_perform (curl err=6, 'Couldn't resolve host name')")
    expect(log()).not.toContain('Example Domain')
    const denied = dev.auditLog({componentId: cid, deniedOnly: true}).filter((r) => r.operation === 'net.connect')
    expect(denied[0]).toMatchObject({allowed: false, object: 'host=example.com port=443'})
  }, 240_000)

  test('HTTPS_Curl_Multi runs both transfers at once from an EventLoop (socket and timer callbacks)', async () => {
    const pkg = await build('HTTPS_Curl_Multi')
    const dev = await boot('multi')
    const {componentId: cid} = await dev.installPackage(pkg, {start: true})
    const log = (): string => dev.appLog(cid)
    expect(await runUntil(dev, () => log().includes('Press SAMPLE_BUTTON_1'))).toBe(true)
    dev.pressButton('A')
    await dev.runFor(300)
    dev.releaseButton('A')
    const done200 = ' -==- https://httpstat.us/200?sleep=5000 download complete'
    const done400 = ' -==- https://httpstat.us/400?sleep=1000 download complete'
    expect(await runUntil(dev, () => log().includes(done200) && log().includes(done400), 1200)).toBe(true)
    const text = log()
    expect(text).toContain('Using libcurl/8.5.0')
    // the 1 s transfer finished first: they ran concurrently, not one after the other
    expect(text.indexOf(done400)).toBeLessThan(text.indexOf(done200))
    expect(text).toContain(' -===- Downloaded content (15 bytes): -===- \n\n400 Bad Request\n')
    expect(text).toContain(' -===- Downloaded content (6 bytes): -===- \n\n200 OK\n')
    expect(text).not.toContain('curl multi err')
    const audit = dev.auditLog({componentId: cid}).filter((r) => r.operation === 'net.connect')
    expect(audit.filter((r) => r.allowed && r.object === 'host=httpstat.us port=443').length).toBeGreaterThan(0)
    // the host sockets of both transfers were given back
    expect(dev.kernel.processes().find((p) => p.componentId === cid)?.hostUsage.sockets).toBe(0)
  }, 240_000)
})
