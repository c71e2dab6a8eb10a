// The azsphere commands added for parity, each run as the built CLI against a simulator and checked by its
// effect on the device: recover, network show-diagnostics / update-interface / proxy enable|disable (and proxy
// apply without --enable), image-package pack-board-config + sideload, show-sdk-version, get-support-data.
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {inflateRawSync} from 'node:zlib'
import CRC32 from 'crc-32'
import {DeviceClient, simSocketPath} from '../../src/device/index.js'
import type {ProxyConfig} from '../../src/protocol/api/index.js'
import {UpdateAgent} from '../../src/os/services/update-agent.js'
import {OS_VERSION} from '../../src/os/device.js'
import {osImageComponents} from '../../src/os/services/os-images.js'
import {buildFixturePackage} from '../helpers/apps.js'
import {ROOT, runCli, tempHome} from '../helpers/cli.js'

/** Read a zip archive (end record, central directory, local headers), checking every entry's CRC-32. */
function readZip(buf: Buffer): Map<string, Buffer> {
  const end = buf.length - 22
  expect(buf.readUInt32LE(end)).toBe(0x06054b50)
  const count = buf.readUInt16LE(end + 10)
  let p = buf.readUInt32LE(end + 16)
  const out = new Map<string, Buffer>()
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50)
    const method = buf.readUInt16LE(p + 10)
    const crc = buf.readUInt32LE(p + 16)
    const csize = buf.readUInt32LE(p + 20)
    const size = buf.readUInt32LE(p + 24)
    const nlen = buf.readUInt16LE(p + 28)
    const xlen = buf.readUInt16LE(p + 30)
    const clen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8')
    expect(buf.readUInt32LE(local)).toBe(0x04034b50)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const body = buf.subarray(start, start + csize)
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body)
    expect([name, data.length, CRC32.buf(data) >>> 0]).toEqual([name, size, crc])
    out.set(name, data)
    p += 46 + nlen + xlen + clen
  }
  return out
}

describe('azsphere parity commands', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-parity-'))
  const sim = (): DeviceClient => new DeviceClient({kind: 'unix', socketPath: simSocketPath(home, 'default')})
  // GET /images also lists the OS's own components (and gdbserver in development mode); these checks are about
  // what was sideloaded, so they leave those out (their component IDs are the same on every device)
  const OS_COMPONENT_IDS = new Set(osImageComponents(OS_VERSION, true).map((c) => c.uid))
  const sideloaded = async () => (await sim().images()).components.filter((c) => !OS_COMPONENT_IDS.has(c.uid))
  const cli = async (...args: string[]): Promise<unknown> => {
    const r = await runCli([...args, '-o', 'json'], {env})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
  }
  const fails = async (args: string[], code: number): Promise<string> => {
    const r = await runCli(args, {env})
    expect({code: r.code, stdout: r.stdout}).toEqual({code, stdout: ''})
    return r.stderr.split('\n')[0]!
  }
  let app: {path: string; componentId: string}
  const waitUp = async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, 200))
    for (let i = 0; i < 100 && !(await sim().ping(500)); i++) await new Promise((r) => setTimeout(r, 100))
  }

  beforeAll(async () => {
    app = await buildFixturePackage(home, dir, 'blink', {n: 7, name: 'parityblink'})
  })
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('proxy apply without --enable stores a disabled proxy; proxy enable / disable switch it and keep the rest', async () => {
    const applied = await cli('device', 'network', 'proxy', 'apply', '-a', 'proxy.example', '-t', 'basic', '-r', '3128', '-u', 'me', '-p', 'hunter22', '-n', 'a.example b.example')
    expect(applied).toEqual({
      enabled: false,
      address: 'proxy.example',
      port: 3128,
      noProxyAddresses: ['a.example', 'b.example'],
      authenticationType: 'basic',
      username: 'me',
      password: 'hunter22',
    })
    expect(await sim().networkStatus()).toMatchObject({proxy: 'disabled'})
    expect(await cli('device', 'network', 'proxy', 'enable')).toEqual({...(applied as object), enabled: true})
    expect(await sim().proxy()).toEqual({...(applied as object), enabled: true})
    expect(await sim().networkStatus()).toMatchObject({proxy: 'enabled'})
    expect(await cli('device', 'network', 'proxy', 'disable')).toEqual(applied)
    expect(await sim().networkStatus()).toMatchObject({proxy: 'disabled'})
    await sim().deleteProxy()
    expect(await fails(['device', 'network', 'proxy', 'enable'], 1)).toBe(
      "Error: No proxy is configured on simulator 'default': configure one with sphere device network proxy apply.",
    )
    await sim().setProxy({...(applied as ProxyConfig), enabled: true})
  })

  it('update-interface sets the Ethernet MAC address, which persists across a restart; Wi-Fi and bad addresses are refused', async () => {
    const before = (await sim().networkInterface('eth0')).hardwareAddress
    const shown = await cli('device', 'network', 'update-interface', '--interface', 'eth0', '--hardware-address', 'AA:BB:33:DD:EE:FF')
    expect(shown).toMatchObject({interfaceName: 'eth0', hardwareAddress: 'aa:bb:33:dd:ee:ff'})
    expect(before).not.toBe('aa:bb:33:dd:ee:ff')
    await sim().restart()
    await waitUp()
    expect((await sim().networkInterface('eth0')).hardwareAddress).toBe('aa:bb:33:dd:ee:ff')
    const wlan = (await sim().networkInterface('wlan0')).hardwareAddress
    expect(await fails(['device', 'network', 'update-interface', '--interface', 'wlan0', '--hardware-address', '02:00:00:00:00:01'], 1)).toBe(
      'Error: wlan0 is not an Ethernet interface: only the hardware address of an Ethernet interface (eth0) can be set.',
    )
    expect((await sim().networkInterface('wlan0')).hardwareAddress).toBe(wlan)
    expect(await fails(['device', 'network', 'update-interface', '--interface', 'eth0', '--hardware-address', '01:00:5e:00:00:01'], 2)).toBe(
      "Error: Invalid --hardware-address '01:00:5e:00:00:01': a multicast address cannot name one interface.",
    )
    expect(await fails(['device', 'network', 'update-interface', '--interface', 'eth9', '--hardware-address', '02:00:00:00:00:01'], 1)).toBe(
      "Error: The device has no network interface 'eth9' (see sphere device network list-interfaces).",
    )
    // the device checks too: a raw request with a multicast address is refused and changes nothing
    await expect(sim().updateNetworkInterface('eth0', '03:00:00:00:00:01')).rejects.toThrow(/Invalid request URI/)
    expect((await sim().networkInterface('eth0')).hardwareAddress).toBe('aa:bb:33:dd:ee:ff')
  })

  it('show-diagnostics reports why each tried network failed, from the simulated air', async () => {
    const add = async (...a: string[]): Promise<number> => ((await cli('device', 'wifi', 'add', ...a)) as {id: number}).id
    const wrongKey = await add('--ssid', 'SphereSim-PSK', '--psk', 'not-the-key')
    const rightKey = await add('--ssid', 'SphereSim-PSK', '--psk', 'sphere-sim-psk', '--config-name', 'good')
    const hidden = await add('--ssid', 'HiddenLab', '--targeted-scan')
    const mismatch = await add('--ssid', 'SphereSim-Open', '--psk', '12345678')
    const eap = await add('--ssid', 'SphereSim-Enterprise', '--client-cert-id', 'nocert')
    const absent = await add('--ssid', 'FarAway')
    const all = (await cli('device', 'network', 'show-diagnostics')) as {networkId: number; ssid: string; error: string; errorCode: number; configState: string; connectionState: string; timestamp: string}[]
    expect(all.map((d) => [d.networkId, d.ssid, d.error, d.errorCode])).toEqual([
      [wrongKey, 'SphereSim-PSK', 'WrongKey', 4],
      [hidden, 'HiddenLab', 'NetworkNotFound', 2],
      [mismatch, 'SphereSim-Open', 'SecurityTypeMismatch', 6],
      [eap, 'SphereSim-Enterprise', 'AuthenticationFailed', 5],
    ])
    for (const d of all) {
      expect(Object.keys(d).sort()).toEqual(['configState', 'connectionState', 'error', 'errorCode', 'networkId', 'ssid', 'timestamp'])
      expect(Number.isNaN(Date.parse(d.timestamp))).toBe(false)
    }
    expect(await cli('device', 'network', 'show-diagnostics', '--network', String(hidden))).toEqual([all[1]].map((d) => ({...d, timestamp: expect.any(String)})))
    expect(await cli('device', 'network', 'show-diagnostics', '-n', String(rightKey))).toEqual([])
    expect(await cli('device', 'network', 'show-diagnostics', '-n', String(absent))).toEqual([])
    // a disabled network is not tried
    await sim().updateWifiNetwork(hidden, {configState: 'disabled'})
    expect(((await cli('device', 'network', 'show-diagnostics')) as {networkId: number}[]).map((d) => d.networkId)).toEqual([wrongKey, mismatch, eap])
    expect(await fails(['device', 'network', 'show-diagnostics', '--network', '30'], 1)).toMatch(/^Error: .*Network not found/)
  })

  it('pack-board-config builds a package the device installs on sideload: it shows in list-installed --all and deletes by component ID', async () => {
    const pkgPath = join(dir, 'enc28j60.imagepackage')
    const packed = (await cli('image-package', 'pack-board-config', '--preset', 'lan-enc28j60-isu0-int5', '--destination', pkgPath)) as {componentId: string; imageId: string; imageType: number; size: number}
    expect(packed.imageType).toBe(21)
    expect(readFileSync(pkgPath).length).toBe(packed.size)
    expect(await cli('image-package', 'show', '--image-package', pkgPath)).toMatchObject({Identity: {ImageType: 'Board configuration', ComponentId: packed.componentId}, Signature: {Status: expect.stringMatching(/^Verified/)}})
    expect(await cli('device', 'sideload', 'deploy', '-p', pkgPath)).toMatchObject({componentId: packed.componentId, state: 'installed'})
    const listed = (await cli('device', 'image', 'list-installed', '--all')) as {components: {uid: string; image_type: number; name?: string; images: {uid: string}[]}[]}
    expect(listed.components.filter((c) => c.image_type === 21).map((c) => ({uid: c.uid, imageId: c.images[0]?.uid, name: c.name}))).toEqual([
      {uid: packed.componentId, imageId: packed.imageId, name: 'lan-enc28j60-isu0-int5'},
    ])
    // deleting it goes through the device; a repack (new image ID, same component) replaces the installed one
    await cli('device', 'sideload', 'delete', '--component-id', packed.componentId)
    expect((await sideloaded()).map((c) => c.uid)).toEqual([])
    const again = (await cli('image-package', 'pack-board-config', '--preset', 'lan-enc28j60-isu0-int5', '--name', 'EthBoard', '--output-file', pkgPath)) as {imageId: string}
    await cli('device', 'sideload', 'deploy', '-p', pkgPath)
    expect((await sideloaded()).map((c) => [c.uid, c.image_type, c.name, c.images[0]!.uid])).toEqual([[packed.componentId, 21, 'EthBoard', again.imageId]])
    expect(await fails(['image-package', 'pack-board-config', '--preset', 'lan-nothing', '--destination', join(dir, 'x.imagepackage')], 2)).toMatch(/^Error: .*lan-nothing.*lan-enc28j60-isu0-int5/)
    expect(existsSync(join(dir, 'x.imagepackage'))).toBe(false)
  })

  it('show-sdk-version reports the SDK version, target API set and SDK path', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}
    expect(await cli('show-sdk-version')).toEqual({version: pkg.version, targetApiSet: '16', abiVersion: 1, simulatorOsVersion: OS_VERSION, sdkPath: join(ROOT, 'sdk')})
  })

  it('get-support-data writes a zip of logs, audit and a state summary (no secrets); a name without .zip is refused', async () => {
    await cli('device', 'sideload', 'deploy', '-p', app.path)
    const out = join(dir, 'support.zip')
    const r = (await cli('get-support-data', '--output-file', out)) as {outputFile: string; bytes: number; deviceId: string; entries: string[]; unavailable: unknown[]}
    const zip = readFileSync(out)
    expect({file: r.outputFile, bytes: r.bytes, unavailable: r.unavailable}).toEqual({file: out, bytes: zip.length, unavailable: []})
    const files = readZip(zip)
    expect([...files.keys()]).toEqual(r.entries)
    const dev = (await sim().deviceInfo()).deviceId
    expect(r.deviceId).toBe(dev)
    const summary = JSON.parse(files.get('summary.json')!.toString()) as {deviceId: string; osVersion: string; apps: {componentId: string}[]; wifiFailures: number}
    expect(summary).toMatchObject({deviceId: dev, osVersion: OS_VERSION, apps: [{componentId: app.componentId}], wifiFailures: 3})
    expect(files.get('device/log.txt')!.toString()).toContain(`device ${dev}`)
    expect(files.get('device/log.txt')!.toString()).toContain(`app ${app.componentId} parityblink`)
    expect(JSON.parse(files.get(`device/app-logs/${app.componentId}.json`)!.toString())).toEqual(expect.any(Array))
    expect((JSON.parse(files.get('device/audit.json')!.toString()) as unknown[]).length).toBeGreaterThan(0)
    expect(JSON.parse(files.get('device/network/proxy.json')!.toString())).toMatchObject({username: 'me', password: '(removed)'})
    expect(files.get(`host/sims/default/daemon.log`)!.length).toBeGreaterThan(0)
    for (const [name, data] of files) {
      expect([name, data.includes('hunter22'), data.includes('sphere-sim-psk'), data.includes('not-the-key')]).toEqual([name, false, false, false])
    }
    expect(await fails(['get-support-data', '--output-file', join(dir, 'support.txt')], 2)).toBe(`Error: The support data file must end in .zip: '${join(dir, 'support.txt')}'.`)
    expect(existsSync(join(dir, 'support.txt'))).toBe(false)
  })

  it('recover puts the shipped OS back and erases apps, board configuration and configuration; the device ID stays', async () => {
    const id = (await sim().deviceInfo()).deviceId
    // an OS update the device took earlier: staged into the other slot, booted at the next start
    await cli('sim', 'stop')
    new UpdateAgent(join(home, 'sims', 'default', 'state'), OS_VERSION).stageOs('26.01')
    expect(await cli('device', 'show-os-version')).toEqual({osversion: '26.01'})
    expect((await sideloaded()).map((c) => c.image_type).sort()).toEqual([10, 21])
    await cli('device', 'certificate', 'add', '--certificate', 'root1', '--cert-type', 'rootca', '--public-key-file', join(ROOT, 'test', 'fixtures', 'samples', 'Samples', 'HTTPS', 'HTTPS_Curl_Easy', 'certs', 'DigiCertGlobalRootG3.crt.pem'))
    expect((await sim().certificates()).identifiers).toEqual(['root1'])
    const r = await runCli(['device', 'recover', '-o', 'json'], {env})
    expect(r.code).toBe(0)
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'Starting device recovery.',
      'Board found. Sending recovery bootloader.',
      'Erasing flash.',
      expect.stringMatching(/^Sent 1 of 1 images \(\d+ bytes\): os 25\.02 \(slot a\)\.$/),
      'Finished writing images; rebooting board.',
      `Device ID: ${id}`,
      'Device recovered successfully: OS 25.02 (was 26.01).',
    ])
    expect(JSON.parse(r.stdout)).toMatchObject({
      deviceId: id,
      previousOsVersion: '26.01',
      osVersion: OS_VERSION,
      erased: {apps: 1, boardConfigs: 1, wifiNetworks: 6, certificates: 1, proxy: true},
      capabilities: ['appDevelopment'],
      recovered: true,
    })
    expect(await cli('device', 'show-os-version')).toEqual({osversion: OS_VERSION})
    expect(await sideloaded()).toEqual([])
    expect(await sim().apps()).toEqual([])
    expect((await sim().wifiNetworks()).values).toEqual([])
    expect(await sim().proxy()).toEqual({})
    expect((await sim().certificates()).identifiers).toEqual([])
    expect((await sim().networkInterface('eth0')).hardwareAddress).not.toBe('aa:bb:33:dd:ee:ff')
    expect((await sim().deviceInfo()).deviceId).toBe(id)
    // the OS state survives a restart as recovered, and the device takes a sideload again
    await sim().restart()
    await waitUp()
    expect(await sim().osVersion()).toEqual({osversion: OS_VERSION})
    expect(await cli('device', 'sideload', 'deploy', '-p', app.path)).toMatchObject({componentId: app.componentId, state: 'running'})
  })

  it('recover refuses a device that is not a local simulator, touching nothing', async () => {
    expect(await fails(['device', 'recover', '-d', '127.0.0.1:9'], 1)).toBe(
      'Error: Recovery is not supported on device at 127.0.0.1: a board is recovered over its recovery UART, which sphere does not drive; sphere device recover works on a simulator (-d sim or sim:NAME).',
    )
    expect((await sim().apps()).map((a) => a.componentId)).toEqual([app.componentId])
  })
})
