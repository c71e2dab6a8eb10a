import {Flags} from '../cli/flags.js'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {SphereCommand} from '../cli/base-command.js'
import {sphereHome} from '../cli/config.js'
import {connectSim} from '../device/index.js'
import {loadOrCreateDevKey, parseImagePackage, signImagePackage} from '../image/index.js'
import type {SphereAppInfo, SphereDeviceInfo} from '../protocol/rest-api.js'
import {SphereError} from '../util/errors.js'
import {colorEnabled} from '../util/color.js'

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
    const interactive = flags.monitor && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY)
    // Ink takes most of a second to load: let it load while the simulator starts and the demo is installed.
    const tui = interactive ? await import('../tui/launch.js') : undefined
    void tui?.preloadInk()
    const home = sphereHome()
    const {client} = await connectSim(home, flags.name)
    await client.grantCapabilities(['appDevelopment'])
    const pkg = parseImagePackage(readFileSync(pkgPath))
    const cid = pkg.identity.componentId.toLowerCase()
    // Already installed (same image) and running, e.g. a second `npm start`: leave it running.
    const [images, apps] = await Promise.all([client.images(), client.apps()])
    const installed = images.components.some(
      (c) => c.uid.toLowerCase() === cid && c.images.some((i) => i.uid.toLowerCase() === pkg.identity.imageId.toLowerCase()),
    )
    if (!installed || apps.find((a) => a.componentId === cid)?.state !== 'running') {
      if (!installed) {
        await client.stage(signImagePackage(readFileSync(pkgPath), loadOrCreateDevKey(home)))
        await client.install('Auto')
      } else await client.setAppState(cid, 'start')
    }
    if (tui) {
      await tui.launchMonitor({source: client, label: client.label, color: colorEnabled(process.stdout), intervalMs: 1000})
      process.stdout.write(WHAT_NEXT)
      return this.exit(0)
    }
    await new Promise((r) => setTimeout(r, 1500)) // let the app blink a few times
    const [info, appsNow, world, log] = await Promise.all([client.deviceInfo(), client.apps(), client.world(), client.appLog(cid)])
    const app = appsNow.find((a) => a.componentId === cid)
    return {
      device: {deviceId: info.deviceId, osVersion: info.osVersion, capabilities: info.capabilities, manufacturingState: info.manufacturingState},
      app: {name: pkg.manifest?.Name ?? 'demo', componentId: cid, state: app?.state ?? 'notPresent'},
      apps: appsNow,
      leds: (world as {leds?: unknown}).leds ?? null,
      log: log.slice(-10).map((e) => e.text.trimEnd()),
    }
  }
}

/** Printed after the monitor closes: where to go from here. */
export const WHAT_NEXT = `What next:
  sphere app create MyApp --template c-eventloop && sphere app run MyApp   build and run your own app (see README.md, "A session")
  sphere device world press A        in another terminal: press button A on the simulated board
  sphere device monitor              open the monitor again
  sphere sim stop                    stop the simulator
`
