/**
 * Two Azure Sphere samples that lean on how the device's SDK libraries behave, copied unmodified into
 * test/fixtures/samples:
 * - ExternalMcuLowPower's high-level app defines its own Log_Debug (logging.c: the log line goes to the app log
 *   through Log_DebugVarArgs and to a debug UART). On the device libapplibs is a shared library and the app's
 *   definition interposes; here every applibs API function in libapplibs.a is a weak definition.
 * - LoggingToAzure's utils.c includes applibs/wificonfig.h without applibs_versions.h (the SDK's header defaults
 *   WIFICONFIG_STRUCTS_VERSION to 1) and reads MAC addresses through getifaddrs (AF_PACKET).
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, realpathSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device} from '../../../src/os/index.js'
import {buildApp, requireToolchain, type BuildResult} from '../../../src/sdk/index.js'
import {copySamples, removeDir, repoRoot, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip
const MCU = 'Samples/DeviceToCloud/ExternalMcuLowPower/AzureSphere_HighLevelApp'
const STARTING = 'ExternalMcuLowPower DeviceToCloud application starting.\n'

d('samples that rely on the SDK libraries as the device has them', () => {
  let root: string
  let env: NodeJS.ProcessEnv
  let mcu: BuildResult
  let logging: BuildResult

  beforeAll(async () => {
    root = tempDir('sphere-override-samples-')
    copySamples(root)
    const home = join(root, 'home')
    env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    mcu = await buildApp({dir: join(root, MCU), env, sphereHome: home})
    logging = await buildApp({dir: join(root, 'Samples/LoggingToAzure'), env, sphereHome: home})
  }, 300_000)
  afterAll(() => removeDir(root))

  async function run(built: BuildResult, ms: number) {
    const home = join(root, 'home')
    const dev = await Device.boot({
      stateDir: join(root, `state-${built.apps[0]!.name}`),
      clock: 'fast-forward',
      trust: loadTrustStore(home),
      cacheDir: join(root, 'app-cache'),
    })
    try {
      const st = await dev.installPackage(readFileSync(built.apps[0]!.imagePackage), {start: true})
      await dev.runFor(ms)
      return {log: dev.appLog(st.componentId), debugUartBytes: dev.world.uarts.get('ISU1')!.stats.txBytes}
    } finally {
      await dev.shutdown()
    }
  }

  test('ExternalMcuLowPower builds unchanged and its own Log_Debug writes each line to the log and to the debug UART (ISU1)', async () => {
    expect(mcu.apps).toHaveLength(1)
    const r = await run(mcu, 2_000)
    expect(r.log).toContain(STARTING)
    expect(r.log).toContain('ERROR: Missing scope ID.')
    // the UART got at least the lines before the scope-ID error (the sample's DebugUart_LogVarArgs)
    const logged = r.log.slice(r.log.indexOf('INFO: Power-saver'), r.log.indexOf(STARTING) + STARTING.length)
    expect(r.debugUartBytes).toBeGreaterThanOrEqual(logged.length)
  }, 120_000)

  test('every applibs API function libapplibs.a defines is weak, so an app can define it as on the device', () => {
    const cache = env.SPHERE_SDK_CACHE!
    const sysroot = readdirSync(cache).find((n) => n.startsWith('sysroot-') && !n.includes('.tmp-'))!
    const nm = join(dirname(realpathSync(requireToolchain().clang)), 'llvm-nm')
    const symbols = execFileSync(
      nm,
      ['--defined-only', '--extern-only', join(cache, sysroot, 'lib', 'wasm32-wasi', 'libapplibs.a')],
      {
        encoding: 'utf8',
      },
    )
    const headersDir = join(repoRoot, 'sdk', 'sysroot', 'include', 'applibs')
    const headers = readdirSync(headersDir)
      .map((f) => readFileSync(join(headersDir, f), 'utf8'))
      .join('\n')
    // declared: a top-level, non-static declaration in an applibs header (at the start of a line)
    const declared = (name: string) => new RegExp(`^(?!static\\b)[A-Za-z_][\\w \\t*]*\\b${name}\\(`, 'm').test(headers)
    const strong: string[] = []
    const weak: string[] = []
    for (const m of symbols.matchAll(/^[0-9a-f]+ ([TW]) (\S+)$/gm)) {
      if (!declared(m[2]!)) continue
      ;(m[1] === 'W' ? weak : strong).push(m[2]!)
    }
    expect(strong).toEqual([])
    expect(weak).toEqual(
      expect.arrayContaining(['Log_Debug', 'Log_DebugVarArgs', 'GPIO_OpenAsOutput', 'Networking_IsNetworkingReady']),
    )
    expect(weak.length).toBeGreaterThan(100)
  })

  test('LoggingToAzure builds unchanged and starts its IoT Hub connection', async () => {
    expect(logging.apps).toHaveLength(1)
    const r = await run(logging, 3_000)
    expect(r.log).toContain('IoT Hub Debug Application starting.\n')
    expect(r.log).toContain('Using Direct Connection: Azure IoT Hub Hostname yourhostname.azure-devices.net\n')
  }, 120_000)
})
