/**
 * `sphere app run --expect-text T --fail-text F --timeout S`, the one-line scenario, on a simulator daemon with
 * the HelloWorld sample: the expected text ends the run with exit 0, a missing one with the timeout code 42
 * after --timeout, a fail text with exit 1 and one line quoting the log line.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, runCli, tempHome} from '../helpers/cli.js'

const hasToolchain = spawnSync('which', ['clang-14']).status === 0 && spawnSync('which', ['cmake']).status === 0

describe('app run --expect-text / --fail-text', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-expect-'))
  const proj = join(dir, 'Samples', 'HelloWorld', 'HelloWorld_HighLevelApp')
  beforeAll(() => cpSync(join(ROOT, 'test', 'fixtures', 'samples'), dir, {recursive: true}))
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('requires the C toolchain', () => expect(hasToolchain).toBe(true))

  it('the expected text ends the run: exit 0', async () => {
    const r = await runCli(['app', 'run', proj, '--expect-text', 'Hello World application', '--timeout', '60', '-o', 'json'], {env, timeoutMs: 240_000})
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('Starting CMake Hello World application...')
    expect((JSON.parse(r.stdout) as {state: string}).state).toBe('running')
  }, 240_000)

  it('a text that never comes: exit 42 after --timeout, one line naming it', async () => {
    const t0 = Date.now()
    const r = await runCli(['app', 'run', proj, '--expect-text', 'Goodbye', '--timeout', '2'], {env, timeoutMs: 240_000})
    expect(r.code).toBe(42)
    expect(r.stderr.trim().split('\n').pop()).toBe('Error: No log line of HelloWorld_HighLevelApp contained the --expect-text "Goodbye" within 2 s.')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000)
  }, 240_000)

  it('a fail text: exit 1 at once, quoting the line', async () => {
    const r = await runCli(['app', 'run', proj, '--fail-text', 'Hello World', '--expect-text', 'never printed', '--timeout', '120'], {
      env,
      timeoutMs: 240_000,
    })
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n').pop()).toBe(
      'Error: HelloWorld_HighLevelApp logged "Starting CMake Hello World application...", which contains the --fail-text "Hello World".',
    )
  }, 240_000)
})
