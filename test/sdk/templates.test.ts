import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {generateHeader, loadHardwareDefinition, parseImagePackage} from '../../src/image/index.js'
import {buildApp, createApp, listTemplates, templatesDir, type BuildResult} from '../../src/sdk/index.js'
import {abiImportNames, removeDir, tempDir, toolchainPresent, wasmImports} from './helpers.js'
import {intervals, runApp} from './mock-host.js'

describe('sphere app create', () => {
  let dir: string
  beforeAll(() => {
    dir = tempDir('sphere-create-')
  })
  afterAll(() => removeDir(dir))

  test('lists the C templates', () => {
    expect(listTemplates().map((t) => t.name)).toEqual(expect.arrayContaining(['c-blink', 'c-eventloop']))
  })

  test('creates a complete Azure-style project with the name and a fresh component ID substituted', () => {
    const r = createApp({template: 'c-blink', name: 'Blinky', dir})
    expect(r.projectDir).toBe(join(dir, 'Blinky'))
    expect(r.files).toEqual(
      expect.arrayContaining(['CMakeLists.txt', 'CMakePresets.json', 'app_manifest.json', 'main.c', 'applibs_versions.h', 'HardwareDefinitions/mt3620_rdb/template_appliance.json']),
    )
    expect(readFileSync(join(r.projectDir, 'CMakeLists.txt'), 'utf8')).toContain('project(Blinky C)')
    const manifest = JSON.parse(readFileSync(join(r.projectDir, 'app_manifest.json'), 'utf8')) as {Name: string; ComponentId: string}
    expect(manifest.Name).toBe('Blinky')
    expect(manifest.ComponentId).toBe(r.componentId)
    expect(r.componentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(existsSync(join(r.projectDir, 'template.json'))).toBe(false)
    const again = createApp({template: 'c-blink', name: 'Blinky2', dir})
    expect(again.componentId).not.toBe(r.componentId)
  })

  test('refuses an existing directory, an unknown template and a bad name, leaving nothing behind', () => {
    expect(() => createApp({template: 'c-blink', name: 'Blinky', dir})).toThrow(expect.objectContaining({code: 'APP_DIR_EXISTS'}))
    expect(() => createApp({template: 'rust-blink', name: 'X', dir})).toThrow(expect.objectContaining({code: 'APP_UNKNOWN_TEMPLATE', exit: 2}))
    expect(() => createApp({template: 'c-blink', name: '../evil', dir})).toThrow(expect.objectContaining({code: 'APP_BAD_NAME', exit: 2}))
    expect(() => createApp({template: 'c-blink', name: 'Y', dir, componentId: 'nope'})).toThrow(expect.objectContaining({code: 'APP_BAD_COMPONENT_ID'}))
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([])
  })

  test("each template's pre-generated hw header is what generate-header makes from its JSON", () => {
    for (const t of ['c-blink', 'c-eventloop']) {
      const json = join(templatesDir(), t, 'HardwareDefinitions', 'mt3620_rdb', 'template_appliance.json')
      const header = readFileSync(join(templatesDir(), t, 'HardwareDefinitions', 'mt3620_rdb', 'inc', 'hw', 'template_appliance.h'), 'utf8')
      expect(generateHeader(loadHardwareDefinition(json))).toBe(header)
    }
  })
})

const d = toolchainPresent ? describe : describe.skip

d('templates build and run (against the ABI)', () => {
  let dir: string
  let env: NodeJS.ProcessEnv
  let blink: BuildResult
  let loop: BuildResult
  const abi = abiImportNames()

  beforeAll(async () => {
    dir = tempDir('sphere-templates-')
    env = {...process.env, SPHERE_SDK_CACHE: join(dir, 'sdk-cache')}
    blink = await buildApp({dir: createApp({template: 'c-blink', name: 'Blink', dir}).projectDir, env})
    loop = await buildApp({dir: createApp({template: 'c-eventloop', name: 'Loop', dir}).projectDir, env})
  }, 120_000)
  afterAll(() => removeDir(dir))

  test('packages resolve the template names to GPIOs 8 (LED) and 12 (button)', () => {
    const b = parseImagePackage(readFileSync(blink.apps[0]!.imagePackage))
    expect((b.manifest?.Capabilities as {Gpio: unknown[]}).Gpio).toEqual([8])
    const l = parseImagePackage(readFileSync(loop.apps[0]!.imagePackage))
    expect((l.manifest?.Capabilities as {Gpio: unknown[]}).Gpio).toEqual([8, 12])
    for (const r of [blink, loop]) expect(wasmImports(readFileSync(r.apps[0]!.app)).filter((i) => !abi.has(i))).toEqual([])
  })

  test('c-blink toggles every 500 ms and exits 0 with the LED off on SIGTERM (nanosleep interrupted)', () => {
    const r = runApp(readFileSync(blink.apps[0]!.app), {allowedGpios: [8], untilMs: 10_000, events: [{atMs: 2_250, signal: 15}]})
    expect(r.exitCode).toBe(0)
    expect(r.endMs).toBe(2_250)
    expect(intervals(r.writes, 8)).toEqual([0, 500, 500, 500, 500, 250])
    expect(r.writes.pop()).toEqual({t: 2_250, id: 8, value: 1})
    expect(r.log).toContain('Blink exiting (0).')
  })

  test('c-blink without the LED capability exits 1 with EACCES in the log', () => {
    const r = runApp(readFileSync(blink.apps[0]!.app), {allowedGpios: [], untilMs: 1_000})
    expect(r.exitCode).toBe(1)
    expect(r.log).toContain('could not open the LED GPIO: Permission denied (2)')
  })

  test('c-eventloop blinks at 125 ms, a button press switches to 250 ms, SIGTERM exits 1', () => {
    const r = runApp(readFileSync(loop.apps[0]!.app), {
      allowedGpios: [8, 12],
      untilMs: 10_000,
      events: [
        {atMs: 1_000, gpio: 12, value: 0},
        {atMs: 1_050, gpio: 12, value: 1},
        {atMs: 3_000, signal: 15},
      ],
    })
    expect(r.exitCode).toBe(1)
    const led = r.writes.filter((w) => w.id === 8)
    expect(led.filter((w) => w.t > 0 && w.t <= 500).map((w) => w.t)).toEqual([125, 250, 375, 500])
    expect(new Set(intervals(led.filter((w) => w.t >= 1_250 && w.t < 3_000), 8))).toEqual(new Set([250]))
    expect(r.log).toContain('Blink period: 250 ms')
    expect(led.pop()).toEqual({t: 3_000, id: 8, value: 1})
  })
})
