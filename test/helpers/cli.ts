import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Run the built CLI (bin/run.js over dist/) in a subprocess. */
export function runCli(
  args: string[],
  opts: {env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string; timeoutMs?: number} = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: {...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', ...opts.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      })
    })
    child.stdin.end(opts.input)
  })
}

/** A fresh SPHERE_HOME for a test; call the returned cleanup in afterAll. */
export function tempHome(prefix = 'sphere-home-'): {home: string; cleanup: () => void} {
  const home = mkdtempSync(join(tmpdir(), prefix))
  return {home, cleanup: () => rmSync(home, {recursive: true, force: true})}
}
