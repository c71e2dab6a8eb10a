/**
 * printf formats are checked as on the Azure Sphere target (issue 14): the toolchain's C compiler launcher
 * (sdk/CMakeFiles/sphere-cc-launcher.sh) compiles for wasm32 with -Wno-format and takes the format diagnostics
 * from a syntax-only pass of the same source for arm-linux-musleabihf, where size_t is unsigned int and ssize_t
 * int. test/fixtures/arm-formats (-Wall -Werror) uses formats written for ARM; the tests then add real format
 * bugs to a copy and build again.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {cpSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {buildApp} from '../../src/sdk/index.js'
import {removeDir, repoRoot, tempDir, toolchainPresent} from './helpers.js'

const d = toolchainPresent ? describe : describe.skip

d('printf formats are checked as on the ARM target', () => {
  let root: string
  let env: NodeJS.ProcessEnv
  let n = 0

  beforeAll(() => {
    root = tempDir('sphere-format-')
    env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: join(root, 'home')}
  })
  afterAll(() => removeDir(root))

  /** A copy of the fixture, with `main.c` edited by `edit` and `-Werror` dropped when `werror` is false. */
  function project(edit: (main: string) => string = (m) => m, werror = true): string {
    const dir = join(root, `p${n++}`)
    cpSync(join(repoRoot, 'test', 'fixtures', 'arm-formats'), dir, {recursive: true})
    const main = join(dir, 'main.c')
    writeFileSync(main, edit(readFileSync(main, 'utf8')))
    if (!werror) {
      const lists = join(dir, 'CMakeLists.txt')
      writeFileSync(lists, readFileSync(lists, 'utf8').replace('-Wall -Werror', '-Wall'))
    }
    return dir
  }
  const addLine = (line: string) => (main: string) => main.replace('    return 0;\n', `    ${line}\n    return 0;\n`)

  test('formats written for ARM (%u of sizeof and size_t, %d of ssize_t and ptrdiff_t) build under -Werror with no format diagnostic', async () => {
    const built = await buildApp({dir: project(), env, sphereHome: env.SPHERE_HOME})
    expect(built.apps).toHaveLength(1)
    const log = readFileSync(built.logFile, 'utf8')
    expect(log).toContain('Building C object')
    expect(log).not.toMatch(/format specifies|-Wformat|warning:/)
  }, 180_000)

  test("a real format bug fails the build under -Werror with clang's own message", async () => {
    const dir = project(addLine('printf("%s\\n", 42);'))
    const err: unknown = await buildApp({dir, env, sphereHome: env.SPHERE_HOME}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toMatchObject({
      code: 'APP_BUILD_FAILED',
      message: expect.stringMatching(
        /^Build failed: main\.c:\d+:\d+: error: format specifies type 'char \*' but the argument has type 'int' \[-Werror,-Wformat\]$/,
      ),
      suggestions: [expect.stringMatching(/^Full log: /)],
    })
    const log = readFileSync((err as {suggestions: string[]}).suggestions[0]!.slice('Full log: '.length), 'utf8')
    // clang's caret and fix-it lines come with it, once (the wasm32 compile adds no second copy)
    expect(log).toMatch(/printf\("%s\\n", 42\);\n\s+~~\s+\^~\n\s+%d\n/)
    expect(log.match(/format specifies type 'char \*'/g)).toHaveLength(1)
  }, 180_000)

  test('a format that is wrong on ARM but right on wasm32 (%lu of sizeof) fails too', async () => {
    const dir = project(addLine('printf("%lu\\n", sizeof(long long));'))
    await expect(buildApp({dir, env, sphereHome: env.SPHERE_HOME})).rejects.toMatchObject({
      message: expect.stringMatching(
        /error: format specifies type 'unsigned long' but the argument has type 'unsigned int' \[-Werror,-Wformat\]$/,
      ),
    })
  }, 180_000)

  test('without -Werror a format bug is a warning and the app builds', async () => {
    const built = await buildApp({
      dir: project(addLine('printf("%d %d\\n", 1);'), false),
      env,
      sphereHome: env.SPHERE_HOME,
    })
    expect(built.apps).toHaveLength(1)
    expect(readFileSync(built.logFile, 'utf8')).toMatch(
      /main\.c:\d+:\d+: warning: more '%' conversions than data arguments \[-Wformat(-insufficient-args)?\]/,
    )
  }, 180_000)
})
