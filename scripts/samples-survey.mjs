#!/usr/bin/env node
// The samples survey: every high-level app of Azure/azure-sphere-samples (a release commit; default 25.02)
// built unchanged with this SDK (CMake + clang), installed and run on a fast-forward simulated device, and
// checked against what its README says it does. Writes the table between the markers in sdk/README.md
// (--write) or prints it. Not part of `npm test`: it takes minutes. Needs `npm run build` first.
//
//   node scripts/samples-survey.mjs --git-dir <azure-sphere-samples .git dir> [--commit <sha>] [--seconds 10]
//                                   [--only <name substring>] [--write] [--json <file>] [--logs <dir>]
//
// "builds":  `sphere app build` (the sample's own CMakePresets.json / CMakeLists.txt) succeeds.
// "runs":    it installs and starts, and after --seconds virtual seconds (and the check's button presses) it
//            has not crashed (no trap or fatal signal) and is running or exited with code 0.
// "behaves": the per-sample check below (log lines the README shows, or device state); "not checked" where
//            this file states no check.
// Every device gets the world of test/fixtures/internet/world.yaml (the local internet: example.com and
// httpstat.us over HTTPS with a test CA) plus one DNS-SD record, and the host's event loop turns between
// slices of virtual time, so the networked samples reach their servers. A submodule the samples tree points at
// (Iperf's iperf) is taken from test/fixtures/samples when a copy is there; otherwise the build reports it.
import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..')
const dist = join(repo, 'dist')
const RELEASE_25_02 = 'e1ae66ffde439a52c0db7da6c8ae75975c5e34d8'

function args() {
  const a = process.argv.slice(2)
  const o = {
    gitDir: process.env.SPHERE_SAMPLES_GIT,
    commit: RELEASE_25_02,
    seconds: 10,
    only: undefined,
    write: false,
    json: undefined,
    logs: undefined,
  }
  for (let i = 0; i < a.length; i++) {
    const k = a[i]
    const v = () => {
      if (i + 1 >= a.length) fail(`${k} needs a value`)
      return a[++i]
    }
    if (k === '--git-dir') o.gitDir = v()
    else if (k === '--commit') o.commit = v()
    else if (k === '--seconds') o.seconds = Number(v())
    else if (k === '--only') o.only = v()
    else if (k === '--write') o.write = true
    else if (k === '--json') o.json = v()
    else if (k === '--logs') o.logs = v()
    else if (k === '--help' || k === '-h') {
      console.log(
        readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(1, 14)
          .map((l) => l.replace(/^\/\/ ?/, ''))
          .join('\n'),
      )
      process.exit(0)
    } else fail(`unknown option ${k}`)
  }
  if (!o.gitDir) fail('--git-dir <azure-sphere-samples git directory> is required (or SPHERE_SAMPLES_GIT)')
  if (!Number.isFinite(o.seconds) || o.seconds <= 0) fail('--seconds must be a positive number')
  return o
}

function fail(msg) {
  console.error(`samples-survey: ${msg}`)
  process.exit(2)
}

const opts = args()
if (!existsSync(join(dist, 'os', 'index.js'))) fail('dist/ is missing: run `npm run build` first')
const {Device} = await import(join(dist, 'os', 'index.js'))
const {loadTrustStore} = await import(join(dist, 'image', 'index.js'))
const {buildApp} = await import(join(dist, 'sdk', 'index.js'))
const {applyWorldFile} = await import(join(dist, 'os', 'services', 'world-file.js'))
const worldDir = join(repo, 'test', 'fixtures', 'internet')
const WORLD = [
  readFileSync(join(worldDir, 'world.yaml'), 'utf8'),
  'dnsSd:',
  '  - service: _sample-service._tcp.local',
  '    instance: SampleInstance',
  '    host: sample-host.local',
  '    address: 127.0.0.1',
  '    port: 7000',
  '    txt: ["color=blue"]',
].join('\n')

const git = (...a) =>
  execFileSync('git', ['--git-dir', opts.gitDir, ...a], {encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})

// ---- the per-sample checks ---------------------------------------------------------------------------
// Each: `actions` run after the first `seconds` (press:<button>, wait:<virtual ms>, host:<real ms> of slices with
// the host turning, for servers that answer in real time), then `check(log, run)` returns
// [ok, what]. `log` is the app's output; `run` has crashes (process events) and status.
const press = (b) => `press:${b}`
const has = (re, what) => (log) => [re.test(log), what]
const CHECKS = {
  'Samples/HelloWorld/HelloWorld_HighLevelApp': {
    check: (log, run) => [run.gpioWrites(8) >= 5, 'LED (GPIO 8) toggles every second'],
  },
  'Samples/GPIO/GPIO_HighLevelApp': {check: (log, run) => [run.gpioWrites(8) >= 10, 'LED (GPIO 8) blinks']},
  'Samples/MutableStorage': {
    actions: [press('A'), press('A')],
    check: has(/Read 1 from the mutable file, updating to 2/, 'button A writes, then increments the stored number'),
  },
  'Samples/ADC/ADC_HighLevelApp': {check: has(/The out sample value is \d+\.\d{3} V/, 'logs the sampled voltage')},
  'Samples/PWM/PWM_HighLevelApp': {
    check: (log, run) => [run.peripheralEvents('pwm.') >= 5, 'PWM duty cycle steps (world events)'],
  },
  'Samples/I2C/I2C_LSM6DS3_HighLevelApp': {
    check: has(/WHO_AM_I=0x69[\s\S]*vertical acceleration: -?\d+\.\d+g/, 'reads WHO_AM_I and the acceleration'),
  },
  'Samples/SPI/SPI_LSM6DS3_HighLevelApp': {
    check: has(/WHO_AM_I=0x69[\s\S]*vertical acceleration: -?\d+\.\d+g/, 'reads WHO_AM_I and the acceleration'),
  },
  'Samples/UART/UART_HighLevelApp': {
    actions: [press('A')],
    check: has(/Sent 13 bytes over UART/, 'button A sends "Hello world!"'),
  },
  'Samples/DHCP': {
    actions: [press('A'), press('B')],
    check: has(
      /Successfully released the IP address\.[\s\S]*Successfully renewed the IP address\./,
      'button A releases, B renews the IP address',
    ),
  },
  'Samples/PrivateNetworkServices': {
    check: has(/Listening for client connection/, 'TCP server listens (DHCP/SNTP servers started)'),
  },
  'Samples/SystemTime': {check: has(/Local time: .* PST\n/, 'local time follows TZ=PST+8')},
  'Samples/IntercoreComms/IntercoreComms_HighLevelApp': {
    check: has(/Sending: (.+)\nReceived \d+ bytes: \1/, 'messages to the partner come back (echo partner)'),
  },
  'Tutorials/ErrorReporting/Stage1': {
    actions: [press('A')],
    expectCrash: true,
    check: (log, run) => [
      run.crashes.some((r) => /^signal 11 \(SIGSEGV\)/.test(r)),
      'button A: NULL read, SIGSEGV crash',
    ],
  },
  'Tutorials/ErrorReporting/Stage2': {
    actions: [press('A')],
    check: (log, run) => [run.crashes.length === 0 && /Network is ready/.test(log), 'button A no longer crashes'],
  },
  'Samples/WiFi/WiFi_HighLevelApp': {
    actions: [press('B')],
    check: has(/INFO: Network is (not )?ready\./, 'button B reports the network state'),
  },
  'Samples/Certificates/Cert_HighLevelApp': {
    check: has(
      /Please ensure that you have modified the root CA certificate content/,
      'stops at its README precondition (edit the root CA first)',
    ),
  },
  'Samples/HTTPS/HTTPS_Curl_Easy': {
    check: has(
      /SSL certificate verify ok[\s\S]*-===- END-OF-DOWNLOAD -===-/,
      'downloads https://example.com/ over verified TLS (local internet)',
    ),
  },
  'Samples/HTTPS/HTTPS_Curl_Multi': {
    // button A starts two transfers; httpstat.us answers them after 1 s and 5 s of real time
    actions: [press('A'), 'host:7000'],
    check: has(
      /-===- Downloaded content \(\d+ bytes\): -===- \n\n200 OK\n/,
      'downloads its URLs in parallel over TLS (local internet)',
    ),
  },
  'Samples/DNSServiceDiscovery': {
    // it checks the network every 10 s, then queries
    actions: ['wait:3000'],
    check: has(
      /Name: SampleInstance\._sample-service\._tcp\.local\n[\s\S]*Port: 7000\n[\s\S]*TXT Data:/,
      'finds the advertised instance, its host, port and TXT',
    ),
  },
  'Samples/WolfSSL/WolfSSL_HighLevelApp': {
    // its first network check is at 10 s; then the handshake runs against a server answering in real time
    actions: ['host:3000'],
    check: has(
      /HTTP\/1\.1 200 OK[\s\S]*Downloaded content \(\d+ bytes\)\./,
      'downloads https://example.com/ with wolfSSL',
    ),
  },
  'Tutorials/MemoryUsage/Stage1': {
    actions: [press('A'), press('A'), press('B')],
    check: has(/Adding a node to the linked list[\s\S]*Deleting the last node/, 'buttons add and delete list nodes'),
  },
  'Tutorials/MemoryUsage/Stage2': {
    actions: [press('A'), press('A'), press('B')],
    check: has(/Adding a node to the linked list[\s\S]*Deleting the last node/, 'buttons add and delete list nodes'),
  },
  'Samples/Iperf': {
    check: has(
      /port number must be between 1 and 65535/,
      'stops at its README precondition (set the iperf3 server in CmdArgs first)',
    ),
  },
  'Samples/DeviceToCloud/ExternalMcuLowPower/AzureSphere_HighLevelApp': {
    // its own Log_Debug (logging.c) writes each line to the app log and to the debug UART (ISU1)
    check: (log, run) => [
      /application starting\.\n[\s\S]*Missing scope ID/.test(log) && run.uartTxBytes('ISU1') > 0,
      'its own Log_Debug logs to the debug UART too; stops at its README precondition (set the scope ID first)',
    ],
  },
  'Samples/LoggingToAzure': {
    check: has(
      /Hostname: yourhostname\.azure-devices\.net[\s\S]*Azure IoT connection status: IOTHUB_CLIENT_CONNECTION_NO_NETWORK/,
      'connects to the IoT Hub its CmdArgs name (README precondition: set --Hostname; the placeholder has no network)',
    ),
  },
  'Samples/CustomNTP/CustomNTP_HighLevelApp': {
    check: has(/--TimeSource|--DisableFallback/, 'stops at its README precondition (set CmdArgs first)'),
  },
}

// ---- the samples ---------------------------------------------------------------------------------------
const files = git('ls-tree', '-r', '--full-tree', '--name-only', opts.commit).split('\n').filter(Boolean)
const manifests = files.filter((f) => /^(Samples|Tutorials)\/.*app_manifest\.json$/.test(f))
const highLevel = []
for (const m of manifests) {
  let json
  try {
    json = JSON.parse(git('show', `${opts.commit}:${m}`).replace(/^\uFEFF/, ''))
  } catch {
    continue
  }
  if (json.ApplicationType === 'RealTimeCapable') continue
  highLevel.push({dir: dirname(m), name: json.Name ?? dirname(m)})
}
highLevel.sort((a, b) => a.dir.localeCompare(b.dir))
const selected = opts.only ? highLevel.filter((s) => s.dir.includes(opts.only)) : highLevel
console.error(
  `samples-survey: ${highLevel.length} high-level apps at ${opts.commit.slice(0, 12)}; surveying ${selected.length}`,
)

// Extract the tree once (blobs the mirror lacks, e.g. LFS binaries, are left out).
const root = mkdtempSync(join(tmpdir(), 'sphere-samples-survey-'))
const entries = git('ls-tree', '-r', '--full-tree', opts.commit, '--', 'Samples', 'Tutorials', 'HardwareDefinitions')
  .split('\n')
  .filter(Boolean)
  .map((l) => /^\d+ (\w+) ([0-9a-f]+)\t(.*)$/.exec(l))
  .filter((m) => m && (m[1] === 'blob' || m[1] === 'commit'))
  .map((m) => ({kind: m[1], sha: m[2], path: m[3]}))
const submodules = entries.filter((e) => e.kind === 'commit')
entries.splice(0, entries.length, ...entries.filter((e) => e.kind === 'blob'))
const check = spawnSync('git', ['--git-dir', opts.gitDir, 'cat-file', '--batch-check'], {
  input: entries.map((e) => e.sha).join('\n') + '\n',
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
})
const missing = new Set(
  check.stdout
    .split('\n')
    .filter((l) => l.endsWith(' missing'))
    .map((l) => l.split(' ')[0]),
)
const present = entries.filter((e) => !missing.has(e.sha)).map((e) => e.path)
for (let i = 0; i < present.length; i += 2000) {
  const tar = execFileSync(
    'git',
    ['--git-dir', opts.gitDir, 'archive', opts.commit, '--', ...present.slice(i, i + 2000)],
    {maxBuffer: 1024 * 1024 * 1024},
  )
  execFileSync('tar', ['-x', '-C', root], {input: tar})
}
for (const m of submodules) {
  const copy = join(repo, 'test', 'fixtures', 'samples', m.path)
  if (existsSync(copy) && readdirSync(copy).length > 0) {
    cpSync(copy, join(root, m.path), {recursive: true})
    console.error(`samples-survey: submodule ${m.path} (${m.sha.slice(0, 12)}) from test/fixtures/samples`)
  }
}

const home = join(root, '.home')
const env = {...process.env, SPHERE_HOME: home, SPHERE_SDK_CACHE: join(root, '.sdk-cache')}
const oneLine = (s) => String(s).split('\n')[0].replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 140)

async function survey(sample) {
  const row = {sample: sample.dir, name: sample.name, builds: false, runs: false, behaves: 'not checked', note: ''}
  let built
  try {
    built = await buildApp({dir: join(root, sample.dir), env, sphereHome: home})
    row.builds = true
  } catch (e) {
    row.note = oneLine(e.message).replace(`${root}/`, '')
    return row
  }
  const app = built.apps[0]
  if (!app) {
    row.note = 'no app in the build output'
    return row
  }
  const dev = await Device.boot({
    stateDir: join(root, '.state', sample.dir),
    clock: 'fast-forward',
    trust: loadTrustStore(home),
    cacheDir: join(root, '.app-cache'),
  })
  applyWorldFile(dev, WORLD, {baseDir: worldDir})
  await dev.internet.ready()
  const crashes = []
  const events = []
  dev.subscribe((e) => {
    if (e.type === 'process' && e.state === 'crashed') crashes.push(e.reason ?? '')
    if (e.type === 'gpio' || e.type === 'peripheral') events.push(e)
  })
  try {
    let cid
    try {
      const st = await dev.installPackage(readFileSync(app.imagePackage), {start: true})
      cid = st.componentId
      if (st.state !== 'running') {
        row.note = `did not start: ${st.state}`
        return row
      }
    } catch (e) {
      row.note = `install failed: ${oneLine(e.message)}`
      return row
    }
    const spec = CHECKS[sample.dir]
    await runWithHost(dev, opts.seconds * 1000)
    for (const a of spec?.actions ?? []) {
      if (a.startsWith('press:')) {
        dev.pressButton(a.slice(6))
        await runWithHost(dev, 300)
        dev.releaseButton(a.slice(6))
        await runWithHost(dev, 1500)
      } else if (a.startsWith('wait:')) await runWithHost(dev, Number(a.slice(5)))
      else if (a.startsWith('host:')) {
        const until = Date.now() + Number(a.slice(5))
        while (Date.now() < until) await runWithHost(dev, 50, 20)
      }
    }
    const st = dev.appStatus(cid)
    const log = dev.appLog(cid)
    if (opts.logs) {
      mkdirSync(opts.logs, {recursive: true})
      writeFileSync(join(opts.logs, `${sample.dir.replace(/\//g, '_')}.log`), log)
    }
    // The OS ends a non-zero exit as "crashed" with the reason "exit code N" (and restarts the app): an exit
    // with an error, not a crash. Either way the app did not keep running.
    const exits = crashes.filter((r) => /^exit code \d+/.test(r))
    const faults = crashes.filter((r) => !/^exit code \d+/.test(r))
    row.runs = crashes.length === 0 && (st.state === 'running' || st.exitCode === 0)
    if (faults.length > 0) row.note = `crashed: ${oneLine(faults[0])}`
    else if (exits.length > 0) row.note = `${exits[0]}: ${oneLine(firstErrorLine(log) ?? lastAppLine(log))}`
    else if (st.state !== 'running') row.note = `exited ${st.exitCode ?? 0}`
    if (spec) {
      const run = {
        crashes,
        gpioWrites: (id) => events.filter((e) => e.type === 'gpio' && e.gpio === id && e.source === 'app').length,
        uartTxBytes: (isu) => dev.world.uarts.get(isu)?.stats.txBytes ?? 0,
        peripheralEvents: (prefix) =>
          events.filter((e) => e.type === 'peripheral' && String(e.path).startsWith(prefix)).length,
      }
      const [ok, what] = spec.check(log, run)
      row.behaves = ok ? `yes: ${what}` : `no: ${what}`
      if (spec.expectCrash && ok) {
        row.runs = true // it ran until the button press that is meant to crash it
        row.note = `crashes as intended: ${oneLine(faults[0])}`
      }
    }
    return row
  } finally {
    await dev.shutdown()
  }
}

/** Run `ms` of virtual time in 50 ms slices, letting the host's event loop turn between them (the local
 *  internet's servers and the host sockets answer in those turns). */
async function runWithHost(dev, ms, turnMs = 2) {
  for (let t = 0; t < ms; t += 50) {
    await dev.runFor(Math.min(50, ms - t))
    await new Promise((r) => setTimeout(r, turnMs))
  }
}

function firstErrorLine(log) {
  return log.split('\n').find((l) => /error/i.test(l) && !l.startsWith('[os]'))
}

function lastAppLine(log) {
  const lines = log.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[os]'))
  return lines.at(-1) ?? ''
}

const rows = []
try {
  for (const s of selected) {
    const t0 = Date.now()
    const r = await survey(s)
    rows.push(r)
    console.error(
      `  ${s.dir}: builds ${r.builds ? 'yes' : 'no'}, runs ${r.runs ? 'yes' : 'no'}, behaves ${r.behaves} (${((Date.now() - t0) / 1000).toFixed(0)} s)${r.note ? ` - ${r.note}` : ''}`,
    )
  }
} finally {
  rmSync(root, {recursive: true, force: true})
}

const yes = (b) => (b ? 'yes' : 'no')
const count = (f) => rows.filter(f).length
const table = [
  `Surveyed by \`scripts/samples-survey.mjs\` at Azure/azure-sphere-samples \`${opts.commit.slice(0, 12)}\`` +
    `${opts.commit === RELEASE_25_02 ? ' (release 25.02)' : ''}, ${opts.seconds} virtual seconds per app: ` +
    `${count((r) => r.builds)} of ${rows.length} build, ${count((r) => r.runs)} run, ` +
    `${count((r) => r.behaves.startsWith('yes'))} seen behaving.`,
  '',
  '| Sample | Builds | Runs | Behaves | Note |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| \`${r.sample}\` | ${yes(r.builds)} | ${yes(r.runs)} | ${r.behaves} | ${r.note} |`),
].join('\n')

if (opts.json) writeFileSync(opts.json, JSON.stringify(rows, null, 2) + '\n')
if (opts.write && !opts.only) {
  const readme = join(repo, 'sdk', 'README.md')
  const text = readFileSync(readme, 'utf8')
  const start = '<!-- samples-survey:start -->'
  const end = '<!-- samples-survey:end -->'
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  if (a < 0 || b < a) fail(`sdk/README.md has no ${start} ... ${end} markers`)
  writeFileSync(readme, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`)
  console.error(`samples-survey: wrote the table to ${relative(process.cwd(), readme)}`)
} else console.log(table)
