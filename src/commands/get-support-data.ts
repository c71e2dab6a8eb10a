import {existsSync, openSync, readSync, closeSync, statSync} from 'node:fs'
import {release} from 'node:os'
import {join, resolve} from 'node:path'
import {Flags} from '../cli/flags.js'
import {DeviceCommand} from '../cli/device-command.js'
import {SphereConfig, sphereHome} from '../cli/config.js'
import {listSimNames, liveDaemon, simDir, type DeviceClient} from '../device/index.js'
import {writeFileAtomic} from '../util/atomic-file.js'
import {usageError} from '../util/errors.js'
import {ABI_VERSION, SIM_OS_VERSION, TARGET_API_SET} from '../util/version.js'
import {zipArchive, type ZipEntry} from '../util/zip.js'

export interface SupportDataResult {
  outputFile: string
  bytes: number
  deviceId: string | null
  entries: string[]
  /** What could not be read, and why. */
  unavailable: {entry: string; error: string}[]
}

/** The tail of a host log file kept in the archive. */
const LOG_TAIL_BYTES = 1024 * 1024

function tail(path: string, max: number): Buffer {
  const size = statSync(path).size
  const n = Math.min(size, max)
  const buf = Buffer.alloc(n)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, buf, 0, n, size - n)
  } finally {
    closeSync(fd)
  }
  return buf
}

export default class GetSupportData extends DeviceCommand<SupportDataResult> {
  static override summary = 'Gather diagnostic data about the local system and the attached device into a .zip file'
  static override description =
    'The archive holds system.json (CLI, SDK, Node.js, platform, settings), summary.json (a state summary of the device and what could not be read), the device\'s diagnostic log, error-report telemetry, audit records, app logs, the images, apps, network, proxy (password removed), Wi-Fi (never a PSK), Wi-Fi diagnostics, firewall and certificate views, and the last MiB of each simulator\'s daemon log. Reading changes nothing on the device. The file is written atomically; it must end in .zip.'
  static override examples = [
    '<%= config.bin %> get-support-data',
    '<%= config.bin %> get-support-data --output-file archive.zip -d sim:lab -o json',
  ]
  static override flags = {
    'output-file': Flags.string({description: 'Path of the .zip file to write (default: support_data.zip in the current directory; alias --destination)', aliases: ['destination']}),
  }
  static override columns = [
    {key: 'outputFile', header: 'File'},
    {key: 'bytes', header: 'Bytes'},
    {key: 'deviceId', header: 'Device ID'},
  ]

  async execute(): Promise<SupportDataResult> {
    const {flags} = await this.parse(GetSupportData)
    const out = resolve(flags['output-file'] ?? 'support_data.zip')
    if (!out.toLowerCase().endsWith('.zip')) throw usageError('BAD_OUTPUT_FILE', `The support data file must end in .zip: '${flags['output-file']}'.`)
    const home = sphereHome()
    const entries: ZipEntry[] = []
    const unavailable: {entry: string; error: string}[] = []
    const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`
    const add = async (name: string, read: () => Promise<unknown> | unknown): Promise<unknown> => {
      try {
        const v = await read()
        entries.push({name, data: v instanceof Uint8Array ? v : json(v)})
        return v
      } catch (e) {
        unavailable.push({entry: name, error: e instanceof Error ? e.message.split('\n')[0]! : String(e)})
        return undefined
      }
    }

    let settings: {key: string; value: string}[] = []
    try {
      settings = (await SphereConfig.open(home)).list()
    } catch {
      // no settings file
    }
    entries.push({
      name: 'system.json',
      data: json({
        cli: this.config.version,
        sdk: {version: this.config.version, targetApiSet: TARGET_API_SET, abiVersion: ABI_VERSION, simulatorOsVersion: SIM_OS_VERSION},
        node: process.versions.node,
        platform: `${process.platform}-${process.arch}`,
        osRelease: release(),
        sphereHome: home,
        settings,
        simulators: listSimNames(home).map((name) => ({name, running: liveDaemon(home, name) !== undefined})),
        time: new Date().toISOString(),
      }),
    })

    let client: DeviceClient | undefined
    try {
      client = await this.client()
    } catch (e) {
      unavailable.push({entry: 'device', error: e instanceof Error ? e.message.split('\n')[0]! : String(e)})
    }
    let deviceId: string | null = null
    const summary: Record<string, unknown> = {}
    if (client) {
      const c = client
      const info = (await add('device/device.json', () => c.deviceInfo())) as {deviceId?: string} | undefined
      const sec = (await add('device/security-state.json', () => c.securityState())) as {deviceIdentifier?: string} | undefined
      deviceId = info?.deviceId ?? sec?.deviceIdentifier ?? null
      const os = (await add('device/os-version.json', () => c.osVersion())) as {osversion?: string} | undefined
      await add('device/capabilities.json', () => c.capabilities())
      await add('device/manufacturing-state.json', () => c.manufacturingState())
      await add('device/log.txt', () => c.deviceLog())
      await add('device/telemetry.bin', () => c.telemetry())
      const images = (await add('device/images.json', () => c.images())) as {components?: {uid: string; image_type: number}[]} | undefined
      const apps = (await add('device/apps.json', () => c.apps())) as {componentId: string; name: string; state: string}[] | undefined
      for (const a of apps ?? []) await add(`device/app-logs/${a.componentId}.json`, () => c.appLog(a.componentId))
      await add('device/audit.json', () => c.audit())
      await add('device/updates.json', () => c.updates())
      await add('device/memory-stats.json', () => c.memoryStats())
      await add('device/network/interfaces.json', () => c.networkInterfaces())
      await add('device/network/status.json', () => c.networkStatus())
      await add('device/network/firewall.json', () => c.firewallRulesets())
      await add('device/network/proxy.json', async () => {
        const p = await c.proxy()
        return 'password' in p ? {...p, password: '(removed)'} : p
      })
      const wifi = (await add('device/wifi/networks.json', () => c.wifiNetworks())) as {values?: unknown[]} | undefined
      await add('device/wifi/interface.json', () => c.wifiInterface())
      const diag = (await add('device/wifi/diagnostics.json', () => c.wifiDiagnostics())) as {values?: unknown[]} | undefined
      await add('device/certificates.json', () => c.certificates())
      Object.assign(summary, {
        deviceId,
        transport: c.label,
        osVersion: os?.osversion ?? null,
        apps: (apps ?? []).map((a) => ({componentId: a.componentId, name: a.name, state: a.state})),
        images: (images?.components ?? []).map((x) => ({componentId: x.uid, imageType: x.image_type})),
        wifiNetworks: wifi?.values?.length ?? null,
        wifiFailures: diag?.values?.length ?? null,
      })
    }
    for (const name of listSimNames(home)) {
      const log = join(simDir(home, name), 'daemon.log')
      if (existsSync(log)) await add(`host/sims/${name}/daemon.log`, () => tail(log, LOG_TAIL_BYTES))
    }
    summary.unavailable = unavailable
    entries.push({name: 'summary.json', data: json(summary)})
    const zip = zipArchive(entries)
    writeFileAtomic(out, zip)
    return {outputFile: out, bytes: zip.length, deviceId, entries: entries.map((e) => e.name), unavailable}
  }
}
