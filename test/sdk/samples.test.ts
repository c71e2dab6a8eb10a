/**
 * Acceptance (issue 5): HelloWorld_HighLevelApp and GPIO_HighLevelApp from Azure/azure-sphere-samples, copied
 * unmodified into test/fixtures/samples, configure with their own CMakePresets.json via this SDK, build to a wasm +
 * image package that imports only what sdk/ABI.md lists, and behave as the samples intend when run against the
 * ABI (mock host: test/sdk/mock-host.ts).
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseImagePackage} from '../../src/image/index.js'
import {buildApp, type BuildResult} from '../../src/sdk/index.js'
import {abiImportNames, copySamples, removeDir, tempDir, toolchainPresent, wasmImports} from './helpers.js'
import {intervals, runApp} from './mock-host.js'

const d = toolchainPresent ? describe : describe.skip

d('Azure Sphere samples build unchanged with the sphere SDK', () => {
  let root: string
  let env: NodeJS.ProcessEnv
  let hello: BuildResult
  let gpio: BuildResult
  const abi = abiImportNames()

  beforeAll(async () => {
    root = tempDir('sphere-samples-')
    copySamples(root)
    env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: join(root, 'home')}
    hello = await buildApp({dir: join(root, 'Samples/HelloWorld/HelloWorld_HighLevelApp'), env, sphereHome: join(root, 'home')})
    gpio = await buildApp({dir: join(root, 'Samples/GPIO/GPIO_HighLevelApp'), env, sphereHome: join(root, 'home')})
  }, 120_000)
  afterAll(() => removeDir(root))

  test('both use the ARM-Debug preset and produce <target>.wasm and <target>.imagepackage', () => {
    for (const [r, name] of [
      [hello, 'HelloWorld_HighLevelApp'],
      [gpio, 'GPIO_HighLevelApp'],
    ] as const) {
      expect(r.preset).toBe('ARM-Debug')
      expect(r.binaryDir).toMatch(/out\/ARM-Debug$/)
      expect(r.apps).toHaveLength(1)
      expect(r.apps[0]!.wasm).toBe(join(r.binaryDir, `${name}.wasm`))
      expect(r.apps[0]!.imagePackage).toBe(join(r.binaryDir, `${name}.imagepackage`))
      expect(r.apps[0]!.name).toBe(name)
    }
  })

  test('the wasm imports only what sdk/ABI.md lists', () => {
    for (const r of [hello, gpio]) {
      const imports = wasmImports(readFileSync(r.apps[0]!.app))
      expect(imports.filter((i) => !abi.has(i))).toEqual([])
    }
    const gpioImports = wasmImports(readFileSync(gpio.apps[0]!.app))
    expect(gpioImports).toEqual(expect.arrayContaining(['applibs.gpio_open_input', 'sphere.timerfd_create', 'sphere.epoll_wait', 'sphere.sig_register']))
  })

  test('the image package holds bin/app and the manifest with $SAMPLE_LED resolved to GPIO 8', () => {
    const pkg = parseImagePackage(readFileSync(hello.apps[0]!.imagePackage))
    expect([...pkg.files.keys()]).toContain('bin/app')
    expect(Buffer.from(pkg.files.get('bin/app')!).equals(readFileSync(hello.apps[0]!.app))).toBe(true)
    expect(pkg.manifest?.ComponentId).toBe('1689d8b2-c835-2e27-27ad-e894d6d15fa9')
    expect((pkg.manifest?.Capabilities as {Gpio: unknown[]}).Gpio).toEqual([8])
    const g = parseImagePackage(readFileSync(gpio.apps[0]!.imagePackage))
    expect((g.manifest?.Capabilities as {Gpio: unknown[]}).Gpio).toEqual([12, 8])
    expect(hello.apps[0]!.packageBytes).toBe(readFileSync(hello.apps[0]!.imagePackage).length)
  })

  test('a second build is incremental and gives the same bin/app', async () => {
    const before = readFileSync(hello.apps[0]!.app)
    const again = await buildApp({dir: hello.projectDir, env})
    expect(readFileSync(again.apps[0]!.app).equals(before)).toBe(true)
    expect(readFileSync(again.logFile, 'utf8')).toMatch(/--build/)
  })

  test('HelloWorld toggles the LED (GPIO 8) every second', () => {
    const r = runApp(readFileSync(hello.apps[0]!.app), {allowedGpios: [8], untilMs: 5_500})
    expect(r.halted).toBe(true)
    expect(r.log).toContain('Starting CMake Hello World application...')
    const led = r.writes.filter((w) => w.id === 8)
    expect(led[0]).toEqual({t: 0, id: 8, value: 1}) // opened High
    expect(led.slice(1, 6).map((w) => w.value)).toEqual([0, 1, 0, 1, 0])
    // Opened High at 0, set Low at once, then a write every 1000 ms until the 5.5 s limit.
    expect(intervals(r.writes, 8)).toEqual([0, 1000, 1000, 1000, 1000, 1000])
  })

  test('HelloWorld without the LED in its manifest: GPIO_OpenAsOutput fails with EACCES and the sample exits 1', () => {
    const r = runApp(readFileSync(hello.apps[0]!.app), {allowedGpios: [], untilMs: 5_000})
    expect(r.exitCode).toBe(1)
    expect(r.log).toContain('Error opening GPIO: Permission denied (2). Check that app_manifest.json includes the GPIO used.')
  })

  test('GPIO blinks every 125 ms; pressing button A (GPIO 12) changes the period to 250 ms', () => {
    const r = runApp(readFileSync(gpio.apps[0]!.app), {
      allowedGpios: [12, 8],
      untilMs: 3_000,
      events: [
        {atMs: 1_000, gpio: 12, value: 0},
        {atMs: 1_100, gpio: 12, value: 1},
      ],
    })
    expect(r.halted).toBe(true)
    const led = r.writes.filter((w) => w.id === 8)
    const before = led.filter((w) => w.t > 0 && w.t <= 1_000).map((w) => w.t)
    expect(before.slice(0, 4)).toEqual([125, 250, 375, 500])
    const after = intervals(led.filter((w) => w.t > 1_300), 8)
    expect(after.length).toBeGreaterThan(3)
    expect(new Set(after)).toEqual(new Set([250]))
  })

  test('GPIO exits with ExitCode_TermHandler_SigTerm (1) on SIGTERM and leaves the LED off', () => {
    const r = runApp(readFileSync(gpio.apps[0]!.app), {allowedGpios: [12, 8], untilMs: 5_000, events: [{atMs: 600, signal: 15}]})
    expect(r.exitCode).toBe(1)
    expect(r.endMs).toBe(600)
    expect(r.writes.filter((w) => w.id === 8).pop()).toEqual({t: 600, id: 8, value: 1})
    expect(r.log).toContain('Application exiting.')
  })

  test('GPIO without the LED in its manifest: the sample exits with ExitCode_Init_Led (10), no trap', () => {
    const r = runApp(readFileSync(gpio.apps[0]!.app), {allowedGpios: [12], untilMs: 5_000})
    expect(r.exitCode).toBe(10)
    expect(r.log).toContain('ERROR: Could not open SAMPLE_LED GPIO: Permission denied (2).')
  })

  test('a compile error fails with a one-line summary and the full log on disk', async () => {
    const dir = join(root, 'Samples/HelloWorld/HelloWorld_HighLevelApp')
    const main = join(dir, 'main.c')
    const original = readFileSync(main)
    writeFileSync(main, Buffer.concat([original, Buffer.from('\nint broken(void) { return undeclared_thing; }\n')]))
    try {
      await expect(buildApp({dir, env})).rejects.toMatchObject({
        code: 'APP_BUILD_FAILED',
        message: expect.stringMatching(/^Build failed: main\.c:\d+:\d+: error: use of undeclared identifier 'undeclared_thing'$/),
        suggestions: [expect.stringMatching(/^Full log: .*sphere-build\.log$/)],
      })
      expect(readFileSync(join(dir, 'out/ARM-Debug/sphere-build.log'), 'utf8')).toContain('1 error generated.')
    } finally {
      writeFileSync(main, original)
    }
  })
})
