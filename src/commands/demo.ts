import {Flags} from '@oclif/core'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {SphereCommand} from '../cli/base-command.js'
import {sphereHome} from '../cli/config.js'
import {connectSim} from '../device/index.js'
import {loadOrCreateDevKey, parseImagePackage, signImagePackage} from '../image/index.js'
import type {SphereAppInfo, SphereDeviceInfo} from '../protocol/rest-api.js'
import {SphereError} from '../util/errors.js'

export interface DemoResult {
  device: Pick<SphereDeviceInfo, 'deviceId' | 'osVersion' | 'capabilities' | 'manufacturingState'>
  app: {name: string; componentId: string; state: string}
  apps: SphereAppInfo[]
  leds: unknown
  log: string[]
}

/** The bundled demo packages (built from templates/, committed so no C toolchain is needed). */
export function demoPackages(): string[] {
  const dir = fileURLToPath(new URL('../../sdk/demo/', import.meta.url))
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.imagepackage'))
    .sort()
    .map((f) => join(dir, f))
}

export default class Demo extends SphereCommand<DemoResult> {
  static override summary = 'Boot the simulator, install the bundled demo app and show the device'
  static override description =
    'What `npm start` runs: starts (or reuses) the default simulator, grants appDevelopment, sideloads the bundled blink demo signed with your development key, starts it, then opens the monitor on a terminal or prints the device and app state otherwise.'
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --no-monitor -o json']
  static override flags = {
    monitor: Flags.boolean({description: 'Open the monitor on a terminal', default: true, allowNo: true}),
    name: Flags.string({char: 'n', description: 'Simulator name', default: 'default'}),
  }

  async execute(): Promise<DemoResult> {
    const {flags} = await this.parse(Demo)
    const pkgPath = demoPackages()[0]
    if (!pkgPath) throw new SphereError('DEMO_MISSING', 'The bundled demo package (sdk/demo/*.imagepackage) is missing from this install.')
    const home = sphereHome()
    const {client} = await connectSim(home, flags.name)
    await client.grantCapabilities(['appDevelopment'])
    const signed = signImagePackage(readFileSync(pkgPath), loadOrCreateDevKey(home))
    const pkg = parseImagePackage(signed)
    const cid = pkg.identity.componentId.toLowerCase()
    await client.stage(signed)
    await client.install('Auto')
    if (flags.monitor && process.stdout.isTTY && this.config.findCommand('device:monitor')) {
      await this.config.runCommand('device:monitor', ['--device', `sim:${flags.name}`])
      return undefined as unknown as DemoResult
    }
    await new Promise((r) => setTimeout(r, 1500)) // let the app blink a few times
    const [info, apps, world, log] = await Promise.all([client.deviceInfo(), client.apps(), client.world(), client.appLog(cid)])
    const status = await client.appStatus(cid)
    return {
      device: {deviceId: info.deviceId, osVersion: info.osVersion, capabilities: info.capabilities, manufacturingState: info.manufacturingState},
      app: {name: pkg.manifest?.Name ?? 'demo', componentId: cid, state: status.state},
      apps,
      leds: (world as {leds?: unknown}).leds ?? null,
      log: log.slice(-10).map((e) => e.text.trimEnd()),
    }
  }
}
