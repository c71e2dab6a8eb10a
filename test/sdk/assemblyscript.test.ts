/**
 * The AssemblyScript path (issue 5): `sphere app create --template as-blink` + `sphere app build` through the
 * built CLI with no C toolchain on PATH, the module checked against sdk/ABI.md, sideloaded into the simulated
 * device (fast-forward virtual time): LED1 blinks at 500 ms, button A switches to 125 ms, SIGTERM ends it
 * cleanly. Compile errors are one line with file:line:col; the standard library's abort/trace/seed run inside the
 * app, and features needing the JavaScript host are refused.
 */
import {afterAll, afterEach, beforeAll, describe, expect, test} from '@jest/globals'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadHardwareDefinition, loadTrustStore, parseImagePackage} from '../../src/image/index.js'
import {Device, NS_PER_MS, type OsEvent} from '../../src/os/index.js'
import {assemblyScriptHardwareModule, buildApp, createApp, listTemplates, templatesDir, type BuildResult} from '../../src/sdk/index.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {abiImportNames, removeDir, tempDir, wasmImports} from './helpers.js'

type GpioEvent = Extract<OsEvent, {type: 'gpio'}>
const ledTimes = (events: OsEvent[], gpio: number): {t: number; level: number}[] =>
  events.filter((e): e is GpioEvent => e.type === 'gpio' && e.gpio === gpio).map((e) => ({t: Math.round(e.t / NS_PER_MS), level: e.level}))
const gaps = (xs: {t: number}[]): number[] => xs.slice(1).map((x, i) => x.t - xs[i]!.t)

const built = existsSync(join(ROOT, 'dist', 'sdk', 'assemblyscript.js')) && existsSync(join(ROOT, 'dist', 'commands', 'app', 'build.js'))
const withCli = built ? describe : describe.skip

describe('as-blink template and hardware modules', () => {
  test('as-blink is listed with the C templates', () => {
    expect(listTemplates().find((t) => t.name === 'as-blink')?.description).toMatch(/AssemblyScript/)
  })

  test('the generated hw module exports every name of the definition as its GPIO number', () => {
    const def = loadHardwareDefinition(join(templatesDir(), 'as-blink', 'HardwareDefinitions', 'mt3620_rdb', 'template_appliance.json'))
    const text = assemblyScriptHardwareModule(def)
    expect(text).toContain('export const TEMPLATE_LED: i32 = 8\n')
    expect(text).toContain('export const TEMPLATE_BUTTON: i32 = 12\n')
    expect(text).toContain('export const MT3620_RDB_LED1_RED: i32 = 8\n') // imported names too
  })
})

withCli('AssemblyScript apps: CLI create + build (no C toolchain), simulator run', () => {
  let root: string
  let home: string
  let env: NodeJS.ProcessEnv
  let projectDir: string
  let imagePackage: string
  let componentId: string
  let dev: Device | undefined
  let events: OsEvent[] = []

  beforeAll(async () => {
    root = tempDir('sphere-as-')
    home = join(root, 'home')
    const emptyBin = join(root, 'empty-bin')
    mkdirSync(emptyBin)
    // An empty PATH: no clang, wasm-ld, cmake, ninja or wasm-opt can be found (node runs by absolute path).
    env = {SPHERE_HOME: home, PATH: emptyBin}
    const c = await runCli(['app', 'create', '--template', 'as-blink', 'Blinky', '--output-dir', root, '-o', 'json'], {env})
    expect(c.stderr).toBe('')
    expect(c.code).toBe(0)
    const created = JSON.parse(c.stdout) as {projectDir: string; componentId: string; files: string[]}
    expect(created.files).toEqual(expect.arrayContaining(['app_manifest.json', 'asconfig.json', 'assembly/index.ts']))
    projectDir = created.projectDir
    componentId = created.componentId
    const b = await runCli(['app', 'build', projectDir, '-o', 'json'], {env, timeoutMs: 150_000})
    expect(b.stderr).toBe('')
    expect(b.code).toBe(0)
    const rows = JSON.parse(b.stdout) as {name: string; componentId: string; imagePackage: string; packageBytes: number; appBytes: number}[]
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({name: 'Blinky', componentId, imagePackage: join(projectDir, 'out', 'Blinky.imagepackage')})
    imagePackage = rows[0]!.imagePackage
  }, 180_000)
  afterAll(() => removeDir(root))
  afterEach(async () => {
    await dev?.shutdown()
    dev = undefined
  })

  const boot = async (name: string): Promise<Device> => {
    dev = await Device.boot({stateDir: join(root, `state-${name}`), clock: 'fast-forward', trust: loadTrustStore(home)})
    events = []
    dev.subscribe((e) => events.push(e))
    return dev
  }

  test('the package is signed, resolves the template GPIOs, and bin/app imports only sdk/ABI.md names', () => {
    const pkg = parseImagePackage(readFileSync(imagePackage))
    expect(pkg.signature.unsigned).toBe(false)
    expect(pkg.identity.componentId).toBe(componentId)
    expect((pkg.manifest?.Capabilities as {Gpio: unknown[]}).Gpio).toEqual([8, 12])
    const app = pkg.files.get('bin/app')!
    expect(Buffer.from(app).equals(readFileSync(join(projectDir, 'out', 'Blinky.wasm')))).toBe(true)
    const imports = wasmImports(app)
    const abi = abiImportNames()
    expect(imports.filter((i) => !abi.has(i))).toEqual([])
    expect(imports).toEqual(expect.arrayContaining(['applibs.gpio_open_output', 'applibs.gpio_set_value', 'applibs.log_write', 'wasi_snapshot_preview1.poll_oneoff']))
  })

  test('sideloaded: LED1 toggles every 500 ms, button A switches to 125 ms, stop exits 0 with the LED off', async () => {
    const device = await boot('blink')
    const st = await device.installPackage(readFileSync(imagePackage), {start: true})
    expect(st.state).toBe('running')
    await device.runFor(2_600)
    const slow = ledTimes(events, 8)
    expect(slow.map((e) => e.level)).toEqual([1, 0, 1, 0, 1, 0]) // opened high (off), then toggles
    expect(gaps(slow)).toEqual([500, 500, 500, 500, 500])
    device.pressButton('A')
    await device.runFor(100)
    device.releaseButton('A')
    await device.runFor(1_400)
    const fast = ledTimes(events, 8).filter((e) => e.t > 2_600)
    expect(fast.length).toBeGreaterThan(8)
    expect(new Set(gaps(fast))).toEqual(new Set([125]))
    const stopped = await device.stopApp(st.componentId)
    expect(stopped.exitCode).toBe(0)
    expect(ledTimes(events, 8).pop()?.level).toBe(1) // off again
    const log = device.appLog(st.componentId)
    expect(log).toContain('Blink starting.')
    expect(log).toContain('Button A: blinking every 125 ms')
    expect(log).toContain('Blink exiting (0).')
  })

  test('a compile error is one line naming file:line:col (exit 1), with the full log kept', async () => {
    const dir = createApp({template: 'as-blink', name: 'Broken', dir: root}).projectDir
    const src = join(dir, 'assembly', 'index.ts')
    const lines = readFileSync(src, 'utf8').split('\n')
    const at = lines.findIndex((l) => l.includes('Log.debug("Blink starting.'))
    lines.splice(at + 1, 0, '  blinkFaster(2)')
    writeFileSync(src, lines.join('\n'))
    const b = await runCli(['app', 'build', dir], {env, timeoutMs: 150_000})
    expect(b.code).toBe(1)
    const first = b.stderr.split('\n')[0]
    expect(first).toBe(`Error: Build failed: assembly/index.ts:${at + 2}:3: error TS2304: Cannot find name 'blinkFaster'.`)
    expect(readFileSync(join(dir, 'out', 'sphere-build.log'), 'utf8')).toContain("Cannot find name 'blinkFaster'")
    expect(existsSync(join(dir, 'out', 'Broken.imagepackage'))).toBe(false)
  }, 150_000)

  test('an unknown --preset names the asconfig.json targets (exit 2)', async () => {
    const b = await runCli(['app', 'build', projectDir, '--preset', 'ARM-Debug'], {env})
    expect(b.code).toBe(2)
    expect(b.stderr).toContain('asconfig.json has no target "ARM-Debug"')
    expect(b.stderr).toContain('debug, release')
  })
})

describe('AssemblyScript builds in-process (buildApp)', () => {
  let root: string
  let home: string
  let dev: Device | undefined

  beforeAll(() => {
    root = tempDir('sphere-as-api-')
    home = join(root, 'home')
  })
  afterAll(async () => {
    await dev?.shutdown()
    removeDir(root)
  })

  const project = (name: string, source: string): string => {
    const dir = createApp({template: 'as-blink', name, dir: root}).projectDir
    writeFileSync(join(dir, 'assembly', 'index.ts'), source)
    return dir
  }

  test('the standard library\'s host calls run inside the app: abort logs file:line:col and crashes, Math.random and trace work', async () => {
    // No "applibs" import at all: the SDK's abort must still compile in (and be the only way out).
    const aborts = project('Aborts', ['const xs = new StaticArray<i32>(2)', 'let i = 5', 'xs[i] = 1', ''].join('\n'))
    const random = project(
      'Random',
      ['import {Log} from "applibs"', 'const r = Math.random()', 'Log.debug(`random ${r >= 0 && r < 1 ? "in range" : "out of range"}\\n`)', 'trace("hello", 2, 1.5, 2.5)', ''].join('\n'),
    )
    const a: BuildResult = await buildApp({dir: aborts, sphereHome: home, preset: 'release'})
    const r: BuildResult = await buildApp({dir: random, sphereHome: home})
    expect(a.apps[0]!.appBytes).toBeLessThan(16_384)
    const abi = abiImportNames()
    for (const b of [a, r]) expect(wasmImports(readFileSync(b.apps[0]!.wasm)).filter((i) => !abi.has(i))).toEqual([])
    expect(wasmImports(readFileSync(r.apps[0]!.wasm))).toContain('wasi_snapshot_preview1.random_get')
    dev = await Device.boot({stateDir: join(root, 'state'), clock: 'fast-forward', trust: loadTrustStore(home)})
    // one after the other: both are as-blink apps (the same GPIOs), and the second high-level app replaces the first
    const sa = await dev.installPackage(readFileSync(a.apps[0]!.imagePackage), {start: true})
    await dev.runFor(200)
    const abortLog = dev.appLog(sa.componentId)
    expect(abortLog).toMatch(/abort: Index out of range at ~lib\/staticarray\.ts:\d+:\d+\n/)
    expect(abortLog).toMatch(/crashed: trap/)
    const sr = await dev.installPackage(readFileSync(r.apps[0]!.imagePackage), {start: true})
    await dev.runFor(200)
    const randomLog = dev.appLog(sr.componentId)
    expect(randomLog).toContain('random in range')
    expect(randomLog).toContain('trace: hello 1.5, 2.5')
    expect(dev.appStatus(sr.componentId).exitCode).toBe(0)
  }, 150_000)

  test('a standard-library feature that needs the JavaScript host (console.log -> env.console.log) is refused with a hint', async () => {
    const dir = project('Console', 'console.log("hello")\n')
    await expect(buildApp({dir, sphereHome: home})).rejects.toMatchObject({
      code: 'APP_BAD_IMPORT',
      message: expect.stringContaining('imports env.console.log'),
      suggestions: [expect.stringContaining('Log.debug')],
    })
    expect(existsSync(join(dir, 'out', 'Console.imagepackage'))).toBe(false)
  }, 120_000)

  test('a manifest $NAME with no hardware definition in asconfig.json is a one-line error', async () => {
    const dir = project('NoHw', 'import {Log} from "applibs"\nLog.debug("hi\\n")\n')
    const cfg = JSON.parse(readFileSync(join(dir, 'asconfig.json'), 'utf8')) as {sphere?: unknown}
    delete cfg.sphere
    writeFileSync(join(dir, 'asconfig.json'), JSON.stringify(cfg))
    await expect(buildApp({dir, sphereHome: home})).rejects.toMatchObject({code: 'MANIFEST_UNRESOLVED', message: expect.stringContaining('$TEMPLATE_LED')})
  })
})
