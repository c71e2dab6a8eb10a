// One state vocabulary everywhere (src/protocol/app-state.ts): an app stopped with `device app stop` (whose SIGTERM
// handler exits 1, as the samples' does) is Stopped in the monitor, `device app show-status` and `monitor --once`;
// an app that crashes (a trap, every start) is Crashed in all three. Built CLI, simulator daemon, monitor in tmux.
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildFixturePackage} from '../helpers/apps.js'
import {BIN, ROOT, runCli, tempHome} from '../helpers/cli.js'

const hasTmux = spawnSync('tmux', ['-V']).status === 0

describe('app states in the monitor, show-status and --once', () => {
  const {home, cleanup} = tempHome('sphere-states-')
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-states-pkg-'))
  const socket = `sphere-states-${process.pid}`
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'})
  const cli = async (...args: string[]): Promise<unknown> => {
    const r = await runCli(args, {env})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
  }
  const waitFor = async <T>(get: () => Promise<T> | T, ok: (v: T) => boolean, what: string, ms = 60_000): Promise<T> => {
    const end = Date.now() + ms
    for (;;) {
      const v = await get()
      if (ok(v)) return v
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  const screenRow = (name: string): string =>
    tmux('capture-pane', '-p', '-t', 'mon')
      .split('\n')
      .find((l) => new RegExp(`^[> ] ${name} `).test(l)) ?? ''
  const three = async (cid: string, name: string) => {
    const once = (await cli('device', 'monitor', '--once', '-o', 'json')) as {
      apps: {componentId: string; state: string; crashReason?: string}[]
    }
    const mine = once.apps.find((a) => a.componentId === cid)
    // show-status says the device's word (stopped) and, under a key of ours, that the app crashed
    const status = (await cli('device', 'app', 'show-status', '-i', cid, '-o', 'json')) as {state: string; crashed?: boolean}[]
    const word = status[0]?.crashed === true ? 'crashed' : status[0]?.state
    return {once: mine?.state, crashReason: mine?.crashReason, status: word, screen: screenRow(name)}
  }

  beforeAll(async () => {
    await cli('sim', 'start', '-o', 'json')
    if (hasTmux) {
      tmux(
        'new-session', '-d', '-s', 'mon', '-x', '110', '-y', '30', '-c', ROOT,
        `env -u NODE_OPTIONS -u FORCE_COLOR SPHERE_HOME='${home}' TERM=xterm-256color NO_COLOR=1 '${process.execPath}' '${BIN}' device monitor`,
      )
    }
  })
  afterAll(async () => {
    spawnSync('tmux', ['-L', socket, 'kill-server'])
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  ;(hasTmux ? it : it.skip)('a stopped app is Stopped in all three (its SIGTERM handler exits 1)', async () => {
    const app = await buildFixturePackage(home, dir, 'term-exit1', {n: 31, name: 'termexit', capabilities: {}})
    await cli('device', 'sideload', 'deploy', '-p', app.path, '-o', 'json')
    await waitFor(() => three(app.componentId, 'termexit'), (v) => v.once === 'running' && / Running /.test(v.screen), 'running')
    await cli('device', 'app', 'stop', '-i', app.componentId, '-o', 'json')
    const v = await waitFor(() => three(app.componentId, 'termexit'), (x) => / Stopped /.test(x.screen), 'Stopped on screen')
    expect(v.once).toBe('stopped')
    expect(v.status).toBe('stopped')
    expect(v.screen).toMatch(/ Stopped +- /)
    const log = (await cli('device', 'app', 'logs', '-i', app.componentId, '-o', 'json')) as {text: string}[]
    expect(log.map((e) => e.text).join('\n')).toMatch(/pid \d+ stopped: exited with code 1/)
    await cli('device', 'sideload', 'delete', '-i', app.componentId, '-o', 'json')
  }, 120_000)

  ;(hasTmux ? it : it.skip)('a crashing app is Crashed in all three', async () => {
    const app = await buildFixturePackage(home, dir, 'trap', {n: 32, name: 'trapper', capabilities: {}})
    await cli('device', 'sideload', 'deploy', '-p', app.path, '-o', 'json')
    // it traps 100 ms after each start; after 5 crashes in a row the OS leaves it crashed (restarts after 1, 2, 4, 8 s)
    const v = await waitFor(
      () => three(app.componentId, 'trapper'),
      (x) => x.once === 'crashed' && x.status === 'crashed' && / Crashed /.test(x.screen),
      'crashed in all three',
    )
    expect(v.screen).toMatch(/ Crashed +- /)
    // the reason comes in the same --once document that says crashed (a second read can land on a restart)
    expect(v.crashReason).toMatch(/\S/)
  }, 120_000)
})
