/**
 * The commands and the plain-CMake path, through the built CLI (bin/run.js over dist/; `npm test` builds first).
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {parseImagePackage} from '../../src/image/index.js'
import {sdkDir} from '../../src/sdk/index.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {copySamples, removeDir, tempDir, toolchainPresent} from './helpers.js'

const built = existsSync(join(ROOT, 'dist', 'commands', 'app', 'build.js')) && existsSync(join(ROOT, 'dist', 'commands', 'image-package', 'pack-application.js'))
const d = built && toolchainPresent ? describe : describe.skip

d('sphere app create / app build and plain cmake (built CLI)', () => {
  let root: string
  let env: NodeJS.ProcessEnv
  beforeAll(() => {
    root = tempDir('sphere-cli-sdk-')
    env = {SPHERE_HOME: join(root, 'home'), SPHERE_SDK_CACHE: join(root, 'sdk-cache')}
  })
  afterAll(() => removeDir(root))

  test('app create + app build -o json', async () => {
    const c = await runCli(['app', 'create', '--template', 'c-blink', 'Blinky', '--output-dir', root, '-o', 'json'], {env})
    expect(c.stderr).toBe('')
    expect(c.code).toBe(0)
    const created = JSON.parse(c.stdout) as {projectDir: string; componentId: string}
    expect(created.projectDir).toBe(join(root, 'Blinky'))
    const b = await runCli(['app', 'build', created.projectDir, '-o', 'json'], {env, timeoutMs: 120_000})
    expect(b.code).toBe(0)
    const rows = JSON.parse(b.stdout) as {name: string; componentId: string; imagePackage: string; packageBytes: number}[]
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({name: 'Blinky', componentId: created.componentId})
    const pkg = parseImagePackage(readFileSync(rows[0]!.imagePackage))
    expect(pkg.signature.unsigned).toBe(false) // signed with the development key
  }, 150_000)

  test('app build of a directory without CMakeLists.txt is a usage error (exit 2)', async () => {
    const b = await runCli(['app', 'build', join(root, 'nowhere')], {env})
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/No CMakeLists\.txt in/)
  })

  test('plain `cmake --preset` + `cmake --build` with AzureSphereDefaultSDKDir packs through `sphere image-package pack-application`', () => {
    copySamples(root)
    const dir = join(root, 'Samples/HelloWorld/HelloWorld_HighLevelApp')
    const e: NodeJS.ProcessEnv = {...process.env, ...env, AzureSphereDefaultSDKDir: sdkDir()}
    delete e.SPHERE_PACKAGER
    const conf = spawnSync('cmake', ['--preset', 'ARM-Debug'], {cwd: dir, env: e, encoding: 'utf8'})
    expect(conf.status).toBe(0)
    const build = spawnSync('cmake', ['--build', 'out/ARM-Debug'], {cwd: dir, env: e, encoding: 'utf8'})
    expect(build.stderr + build.stdout).toContain('Packing HelloWorld_HighLevelApp.imagepackage')
    expect(build.status).toBe(0)
    const pkg = parseImagePackage(readFileSync(join(dir, 'out/ARM-Debug/HelloWorld_HighLevelApp.imagepackage')))
    expect(Buffer.from(pkg.files.get('bin/app')!).equals(readFileSync(join(dir, 'out/ARM-Debug/approotHelloWorld_HighLevelApp/bin/app')))).toBe(true)
    expect((pkg.manifest?.Capabilities as {Gpio: unknown[]}).Gpio).toEqual([8])
  }, 150_000)
})
