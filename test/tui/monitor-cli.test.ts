// The built `sphere device monitor` against the real simulator daemon: --once output, and the full-screen
// view in a real terminal (tmux), driven by keys and read back from the screen.
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildFixturePackage} from '../helpers/apps.js'
import {BIN, ROOT, runCli, tempHome} from '../helpers/cli.js'

const hasTmux = spawnSync('tmux', ['-V']).status === 0

describe('sphere device monitor (built CLI, simulator daemon)', () => {
  const {home, cleanup} = tempHome('sphere-monitor-')
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-monitor-pkg-'))
  const tmuxSocket = `sphere-monitor-test-${process.pid}`
  let blink: {path: string; componentId: string}
  let spin: {path: string; componentId: string}

  const cli = async (...args: string[]): Promise<unknown> => {
    const r = await runCli(args, {env})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
  }
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', tmuxSocket, ...args], {encoding: 'utf8'})
  const screen = (escapes = false): string => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'mon')
  const waitScreen = async (pred: (s: string) => boolean, what: string, ms = 30_000): Promise<string> => {
    const end = Date.now() + ms
    for (;;) {
      const s = screen()
      if (pred(s)) return s
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  let started = 0
  /** Where the shell around the current monitor writes its exit status once it has ended. */
  let statusFile = ''
  const startMonitor = (extraEnv = ''): void => {
    // tmux passes its server's environment on; give the monitor a clean one (no jest NODE_OPTIONS). CI=true,
    // when the runner has it, is passed on on purpose: the monitor must stay interactive on a terminal anyway.
    // A shell runs it and writes its exit status to a file (whole, by rename) when it ends: the test waits for
    // that file instead of asking tmux, which may show a dead pane before it has recorded the status.
    started++
    statusFile = join(dir, `monitor-${started}.status`)
    const script = join(dir, `monitor-${started}.sh`)
    writeFileSync(
      script,
      [
        `env -u NODE_OPTIONS -u FORCE_COLOR SPHERE_HOME='${home}' TERM=xterm-256color ${extraEnv} '${process.execPath}' '${BIN}' device monitor`,
        `echo $? > '${statusFile}.tmp' && mv '${statusFile}.tmp' '${statusFile}'`,
        '',
      ].join('\n'),
    )
    tmux('new-session', '-d', '-s', 'mon', '-x', '100', '-y', '30', '-c', ROOT, `sh '${script}'`)
    // keep the pane after the monitor exits, to read the restored screen
    tmux('set-option', '-t', 'mon', 'remain-on-exit', 'on')
  }
  /** The monitor's exit status, once it has ended (fails if it is still running after `ms`). */
  const exitStatus = async (ms = 30_000): Promise<string> => {
    const end = Date.now() + ms
    while (!existsSync(statusFile)) {
      if (Date.now() > end) throw new Error(`the monitor had not exited ${ms} ms after q; screen:\n${screen()}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    return readFileSync(statusFile, 'utf8').trim()
  }
  const stopMonitor = (): void => {
    spawnSync('tmux', ['-L', tmuxSocket, 'kill-server'])
  }

  beforeAll(async () => {
    blink = await buildFixturePackage(home, dir, 'blink', {n: 1, name: 'blink'})
    spin = await buildFixturePackage(home, dir, 'spinner', {n: 2, name: 'spin', capabilities: {}})
    // two high-level apps side by side: the simulator's own option (a real device keeps one)
    await cli('sim', 'start', '--multi-app', '-o', 'json')
    await cli('device', 'sideload', 'deploy', '-p', blink.path, '--manual-start', '-o', 'json')
    await cli('device', 'sideload', 'deploy', '-p', spin.path, '-o', 'json')
  })
  afterAll(async () => {
    stopMonitor()
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('--once -o json agrees with device app show-status and show-memory-stats', async () => {
    const snap = (await cli('device', 'monitor', '--once', '-o', 'json')) as {
      device: {deviceId: string; osVersion: string}
      apps: {
        componentId: string
        name: string
        state: string
        memory: {currentBytes: number; peakBytes: number; limitBytes: number}
      }[]
      world: {leds: unknown[]; buttons: unknown[]}
    }
    expect(Object.keys(snap).sort()).toEqual(['apps', 'board', 'device', 'world'])
    const status = (await cli('device', 'app', 'show-status', '-o', 'json')) as {componentId: string; state: string}[]
    const byId = new Map(snap.apps.map((a) => [a.componentId, a]))
    expect(status.map((s) => s.componentId).sort()).toEqual([...byId.keys()].sort())
    for (const s of status) expect([s.componentId, byId.get(s.componentId)?.state]).toEqual([s.componentId, s.state])
    expect(byId.get(blink.componentId)).toMatchObject({name: 'blink', state: 'stopped'})
    expect(byId.get(spin.componentId)).toMatchObject({name: 'spin', state: 'running'})
    const osv = (await cli('device', 'show-os-version', '-o', 'json')) as {osversion: string}
    expect(snap.device.osVersion).toBe(osv.osversion)
    // The applications' memory in the snapshot is what the device reports for the application group.
    const {memoryStats: mem} = (await cli('device', 'app', 'show-memory-stats', '-o', 'json')) as {
      memoryStats: {currentMemoryUsageInBytes: number; peakUserModeMemoryUsageInBytes: number}
    }
    const total = snap.apps.reduce((n, a) => n + a.memory.currentBytes, 0)
    const again = (await cli('device', 'monitor', '--once', '-o', 'json')) as typeof snap
    const total2 = again.apps.reduce((n, a) => n + a.memory.currentBytes, 0)
    // The spinner runs between the calls: its memory is fixed once started, so the sums must match exactly.
    expect(total2).toBe(total)
    expect(mem.currentMemoryUsageInBytes).toBe(total)
    expect(mem.peakUserModeMemoryUsageInBytes).toBeGreaterThanOrEqual(
      Math.max(...snap.apps.map((a) => a.memory.currentBytes)),
    )
    for (const a of snap.apps) expect(a.memory.peakBytes).toBeGreaterThanOrEqual(a.memory.currentBytes)
  })

  it('--once without -o prints the text table', async () => {
    const r = await runCli(['device', 'monitor', '--once'], {env})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/NAME +CID +PID +UID STATE +S /)
    expect(r.stdout).toMatch(/blink +5ee0a000 +- +\d+ Stopped +- /)
    expect(r.stdout).toMatch(/spin +5ee0a000 +\d+ +\d+ Running +R /)
  })

  ;(hasTmux ? it : it.skip)(
    'runs full-screen in tmux: start an app with the keys, read the screen back, quit',
    async () => {
      startMonitor('NO_COLOR=1')
      try {
        let s = await waitScreen(
          (x) => x.includes(' Processes |') && x.includes('blink') && x.includes(' Board |'),
          'the Ink view',
        )
        expect(s.split('\n')[0]).toMatch(/^sphere monitor \| simulator 'default' \| ID [0-9a-f]{20}/)
        // select blink (the table lists apps in install order) and start it with `s`
        const rowOf = (x: string, name: string): string =>
          x.split('\n').find((l) => new RegExp(`^[> ] ${name} `).test(l)) ?? ''
        if (!rowOf(s, 'blink').startsWith('>')) {
          tmux('send-keys', '-t', 'mon', 'j')
          s = await waitScreen((x) => rowOf(x, 'blink').startsWith('>'), 'blink selected', 10_000)
        }
        expect(rowOf(s, 'blink')).toMatch(/ Stopped /)
        tmux('send-keys', '-t', 'mon', 's')
        s = await waitScreen(
          (x) => / Running /.test(rowOf(x, 'blink')) && x.includes('Started blink'),
          'blink running on screen',
        )
        // blink sleeps on its timer between toggles: Running, scheduler state S (never "blocked")
        expect(rowOf(s, 'blink')).toMatch(/^> blink +5ee0a000 +\d+ +\d+ Running +[RS] /)
        expect(s).not.toMatch(/blocked/i)
        const status = (await cli('device', 'app', 'show-status', '-i', blink.componentId, '-o', 'json')) as {
          state: string
        }[]
        expect(status[0]?.state).toBe('running')
        // the log tail of the selected app shows its output
        s = await waitScreen((x) => x.includes('blink starting'), 'blink log on screen')
        expect(s).toMatch(/ Log \| blink/)
        // NO_COLOR: bold/inverse only, no colour codes
        expect(screen(true)).not.toMatch(/\u001b\[(?:[0-9;]*;)?(3[0-7]|9[0-7]|38)(;[0-9;]*)?m/)
        // help, then quit
        tmux('send-keys', '-t', 'mon', '?')
        await waitScreen((x) => x.includes(' Keys and legend |'), 'help')
        tmux('send-keys', '-t', 'mon', 'x')
        // wait until the help overlay is really gone: a `q` sent while it is open would only close it
        await waitScreen((x) => x.includes(' Processes |') && !x.includes(' Keys and legend |'), 'help closed')
        tmux('send-keys', '-t', 'mon', 'q')
        // `q` closes the full-screen view: the alternate screen is left and the view is gone from the terminal
        await waitScreen((x) => !x.includes(' Processes |'), 'the view closed on q', 10_000)
        // and the process ends, cleanly
        expect(await exitStatus()).toBe('0')
      } finally {
        stopMonitor()
      }
    },
  )

  ;(hasTmux ? it : it.skip)(
    'shows the device gone while the daemon is down and reconnects when it is back',
    async () => {
      startMonitor()
      try {
        await waitScreen((x) => x.includes(' Processes |') && x.includes('spin'), 'the Ink view')
        // colours are on by default in a terminal
        expect(screen(true)).toMatch(/\u001b\[(?:[0-9;]*;)?(3[0-7]|9[0-7])(;[0-9;]*)?m/)
        await cli('sim', 'stop', '-o', 'json')
        await waitScreen((x) => x.includes('DEVICE GONE | reconnecting'), 'device gone banner')
        await cli('sim', 'start', '-o', 'json')
        const s = await waitScreen((x) => !x.includes('DEVICE GONE') && /OS \S+ up \d/.test(x), 'reconnected', 30_000)
        expect(s).toContain(' Processes |')
      } finally {
        stopMonitor()
      }
    },
  )
})
