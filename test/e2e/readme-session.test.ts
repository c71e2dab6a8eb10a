// README.md's "A session" is the truth: its commands are read from the README here and run top to bottom, each
// as a shell command line (with `sphere` the built CLI on PATH), in an empty directory with a fresh SPHERE_HOME
// and no terminal. Every command must exit 0, and `app run` must return (it follows the log only on a terminal).
import {afterAll, describe, expect, it} from '@jest/globals'
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, ROOT, runCli, tempHome} from '../helpers/cli.js'

/** The command lines of the first ```sh block under "## A session", without their comments. */
function sessionCommands(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('A session'))
  if (!section) throw new Error('README.md has no "## A session" section')
  const block = /```sh\n([\s\S]*?)```/.exec(section)
  if (!block) throw new Error('the "A session" section has no ```sh block')
  return (block[1] as string)
    .split('\n')
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

function run(line: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{code: number; out: string; ms: number}> {
  const t0 = Date.now()
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += String(d)))
    child.stderr.on('data', (d: Buffer) => (out += String(d)))
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code: code ?? 128, out, ms: Date.now() - t0})
    })
  })
}

const hasClang = spawnSync('which', ['clang-14']).status === 0 && spawnSync('which', ['cmake']).status === 0

describe('README.md "A session"', () => {
  const {home, cleanup} = tempHome('sphere-readme-')
  const work = mkdtempSync(join(tmpdir(), 'sphere-readme-work-'))
  const bin = mkdtempSync(join(tmpdir(), 'sphere-readme-bin-'))
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env: {SPHERE_HOME: home}})
    cleanup()
    rmSync(work, {recursive: true, force: true})
    rmSync(bin, {recursive: true, force: true})
  })

  it('reads the commands from the README', () => {
    const cmds = sessionCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'))
    expect(cmds.length).toBeGreaterThanOrEqual(8)
    for (const c of cmds) expect(c).toMatch(/^sphere /)
    expect(cmds).toContain('sphere app run Blinky')
  })

  it('requires the C toolchain', () => {
    expect(hasClang).toBe(true)
  })

  it('runs top to bottom in a fresh SPHERE_HOME, every command exiting 0, without a terminal', async () => {
    writeFileSync(join(bin, 'sphere'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`)
    chmodSync(join(bin, 'sphere'), 0o755)
    const env = {...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', SPHERE_HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}`}
    const results: {line: string; code: number}[] = []
    for (const line of sessionCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'))) {
      const r = await run(line, work, env)
      results.push({line, code: r.code})
      if (r.code !== 0) throw new Error(`\`${line}\` exited ${r.code}:\n${r.out}`)
      if (line === 'sphere device app show-status') expect(r.out).toMatch(/"state": "running"/)
      if (line.startsWith('sphere device world press')) expect(r.out).toMatch(/"path": "buttons\.A\.presses"/)
    }
    expect(results.every((r) => r.code === 0)).toBe(true)
  }, 900_000)
})
