#!/usr/bin/env node
// `sphere device monitor` costs: time to the first frame, and CPU while the device pushes 10 updates a second.
//
// A scripted device (test/tui/fixtures/fake-device.js, registered as simulator `default` in a temp SPHERE_HOME)
// feeds the built CLI's monitor, which runs in a real pseudo-terminal (script(1), 100x30). Measured in one run:
//   - first frame: spawn -> the first frame with the device's data; baseline: spawn -> exit of
//     `sphere show-version` (a cold CLI start);
//   - CPU of the monitor process (utime+stime from /proc) over a window with the device idle (heartbeats only),
//     then over a window with 4 busy apps updated at 10 Hz, at the default refresh (--interval 1000: the 10 Hz
//     updates are folded into 1 frame/s) and at --interval 100 (10 frames/s). The fake device's updates are an
//     apps line (4 busy apps) and a world line (LED1 toggling) per tick. Goal: <= 5 % of one core for the
//     updates over the idle baseline.
// At --interval 100 three renderers are compared: the normal screen drawn without Ink (src/tui/screen.ts: the
// view's lines, line-diffed; the default), Ink drawing every frame through the line-diff writer
// (SPHERE_TUI_FAST=0), and Ink's own writer redrawing the whole frame (SPHERE_TUI_LINE_DIFF=0).
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median, timeProcess} from './_lib.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')
const fakeDevice = join(root, 'test', 'tui', 'fixtures', 'fake-device.js')
const WINDOW_MS = Number(process.env.TUI_BENCH_WINDOW_MS ?? 6000)
const RUNS = Number(process.env.TUI_BENCH_RUNS ?? 2)
const CLK_TCK = 100

const SETTINGS = [
  ['default --interval 1000', '', {}],
  ['--interval 100', '--interval 100', {}],
  ['--interval 100, every frame drawn by Ink (SPHERE_TUI_FAST=0)', '--interval 100', {SPHERE_TUI_FAST: '0'}],
  [
    '--interval 100, Ink redraws the whole frame (SPHERE_TUI_LINE_DIFF=0)',
    '--interval 100',
    {SPHERE_TUI_LINE_DIFF: '0'},
  ],
]

// A frame, whichever writer drew it: busy1's row (its memory changes on every update) is written again.
const FRAME_MARK = /busy1 +(?:\u001b\[[0-9;]*m)*00000001/g
const frameCount = (s) => s.match(FRAME_MARK)?.length ?? 0

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(f[11]) + Number(f[12]) // utime + stime (fields 14 and 15)
}

function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

async function startDevice(home) {
  const dev = spawn(process.execPath, [fakeDevice, '--home', home, '--apps', '4', '--rate', '10', '--paused'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise((resolve, reject) => {
    dev.stdout.on('data', (d) => String(d).includes('"ready"') && resolve())
    dev.on('exit', (c) => reject(new Error(`fake device exited ${c}`)))
  })
  return dev
}

/** Launch the monitor in a 100x30 pty; resolve the time of the first frame with the device's data. */
function launchMonitor(home, extra = '', env = {}) {
  const t0 = performance.now()
  const cmd = `stty cols 100 rows 30; exec ${process.execPath} ${bin} device monitor ${extra}`
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    env: {...process.env, SPHERE_HOME: home, NODE_OPTIONS: '', TERM: 'xterm-256color', ...env},
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  const marks = {ink: undefined}
  const waiters = []
  child.stdout.on('data', (d) => {
    out += String(d)
    const now = performance.now() - t0
    if (marks.ink === undefined && out.includes('sphere monitor |') && out.includes(' Board |')) marks.ink = now
    for (const w of waiters.splice(0)) w()
  })
  const waitFor = async (key, ms) => {
    const end = Date.now() + ms
    while (marks[key] === undefined) {
      if (Date.now() > end) throw new Error(`no ${key} frame within ${ms} ms`)
      await new Promise((r) => {
        waiters.push(r)
        setTimeout(r, 50)
      })
    }
    return marks[key]
  }
  return {child, marks, waitFor, output: () => out, resetOutput: () => (out = '')}
}

async function measureCpu(pid, ms) {
  const a = cpuTicks(pid)
  const t = performance.now()
  await sleep(ms)
  const b = cpuTicks(pid)
  const wall = performance.now() - t
  return ((b - a) / CLK_TCK / (wall / 1000)) * 100
}

const home = mkdtempSync(join(tmpdir(), 'sphere-tui-bench-'))
let dev
try {
  dev = await startDevice(home)
  // Baseline: a cold CLI start that draws nothing (same machine, same moment).
  const baseline = median(
    Array.from({length: 3}, () =>
      timeProcess(process.execPath, [bin, 'show-version', '-o', 'json'], {env: {...process.env, SPHERE_HOME: home}}),
    ),
  )

  const inkTimes = []
  const results = []
  // TUI_BENCH_ONLY=1,3 runs some of the settings (1-based), e.g. while working on one renderer
  const only = process.env.TUI_BENCH_ONLY?.split(',').map(Number)
  for (const [label, extra, env] of SETTINGS.filter((_, i) => !only || only.includes(i + 1))) {
    const idle = []
    const loaded = []
    const frames = []
    for (let run = 0; run < RUNS; run++) {
      const m = launchMonitor(home, extra, env)
      try {
        inkTimes.push(await m.waitFor('ink', 30_000))
        const [pid] = childPids(m.child.pid)
        if (!pid) throw new Error('monitor process not found under script(1)')
        await sleep(1000) // settle after Ink's start
        idle.push(await measureCpu(pid, WINDOW_MS))
        dev.kill('SIGUSR1') // 4 busy apps, 10 updates a second
        await sleep(500)
        const before = frameCount(m.output())
        loaded.push(await measureCpu(pid, WINDOW_MS))
        frames.push((frameCount(m.output()) - before) / (WINDOW_MS / 1000))
        dev.kill('SIGUSR1') // back to idle for the next run
        m.child.stdin.write('q')
        await new Promise((r) => {
          const t = setTimeout(r, 5000)
          m.child.on('exit', () => {
            clearTimeout(t)
            r()
          })
        })
      } finally {
        if (m.child.exitCode === null) m.child.kill('SIGKILL')
      }
    }
    results.push({label, idle, loaded, frames})
  }
  const ink = median(inkTimes)
  console.log(
    `runs: ${RUNS} per setting, cpu windows ${WINDOW_MS} ms; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  )
  console.log(`cold CLI start (show-version, baseline): ${baseline.toFixed(0)} ms`)
  console.log(
    `first frame (device data; no plain-text frame before it): ${ink.toFixed(0)} ms after launch = baseline + ${(ink - baseline).toFixed(0)} ms (Ink import dominates)`,
  )
  for (const r of results) {
    const idleCpu = median(r.idle)
    const loadCpu = median(r.loaded)
    const fmt = (xs) => xs.map((x) => x.toFixed(2)).join(', ')
    console.log(`[${r.label}] monitor CPU, device idle: ${idleCpu.toFixed(2)} % of one core [${fmt(r.idle)}]`)
    console.log(
      `[${r.label}] monitor CPU, 4 busy apps at 10 Hz: ${loadCpu.toFixed(2)} % of one core [${fmt(r.loaded)}], ${median(r.frames).toFixed(1)} frames/s`,
    )
    console.log(
      `[${r.label}] cost of the updates over idle: ${(loadCpu - idleCpu).toFixed(2)} % of one core (goal <= 5 %: ${loadCpu - idleCpu <= 5 ? 'met' : 'NOT met'}); absolute: ${loadCpu <= 5 ? 'met' : 'NOT met'}`,
    )
  }
} finally {
  dev?.kill('SIGTERM')
  await sleep(200)
  rmSync(home, {recursive: true, force: true})
}
