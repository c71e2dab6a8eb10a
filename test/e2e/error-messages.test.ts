/**
 * The error-message table: every failure class of the azsphere-parity issue (usage, device selection, the link and
 * its TLS, input files, packages the device refuses, the one-app rule) gives one `Error:` line that names the problem
 * and the thing, the advice lines after it, its exit code, and nothing on stdout. The built CLI runs in a subprocess
 * against one simulator (started once, with an HTTPS listener); the cases run in order, and the few that need a
 * second simulator, a hung one or a device out of development mode set that up and put it back.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, rmSync, truncateSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {assembleFixture, cidOf} from '../helpers/apps.js'
import {ROOT, runCli, tempHome} from '../helpers/cli.js'
import {MAX_PACKAGE_BYTES, loadOrCreateDevKey, packApplication, type AppManifest} from '../../src/image/index.js'

/** What the cases read from the setup: files, ports and the simulators' pids. */
interface Ctx {
  home: string
  dir: string
  /** A SPHERE_HOME with nothing in it (no simulator ever started). */
  emptyHome: string
  /** The simulator's HTTPS listener (sim start --listen). */
  listen: string
  /** A local port that serves plain HTTP (not TLS). */
  plainPort: number
  /** A local port nothing listens on. */
  closedPort: number
  pkg: Record<'untrusted' | 'unsigned' | 'arm' | 'gpio999' | 'rtPartner' | 'gpioClash' | 'good', string>
  corrupt: string
  tooLarge: string
  notPem: string
  labPid: number
}

type V<T> = T | ((x: Ctx) => T)

interface Case {
  /** The failure class, as the issue names it. */
  class: string
  argv: V<string[]>
  /** Extra environment (SPHERE_HOME is the shared home unless given). */
  env?: V<Record<string, string>>
  /** What the case needs before it runs, and how it is put back after. */
  setup?: (x: Ctx) => Promise<void> | void
  teardown?: (x: Ctx) => Promise<void> | void
  /** The one error line, after `Error: ` (exact, or a regex anchored at both ends). */
  error: V<string | RegExp>
  /** The lines after it, exactly (`Try: ...`, `Did you mean: ...`), each indented by two spaces. */
  advice?: V<string[]>
  exit: number
}

const HELP = 'Try: See more help with --help'
const FORMS =
  'Try: Use sim, sim:NAME, fleet:NAME/N, a serial port path (/dev/ttyUSB0), an IP address (192.168.35.2[:PORT]) or a 128-hex device ID.'
const ID = 'f'.repeat(128)
const proxyApply = [
  'device',
  'network',
  'proxy',
  'apply',
  '--address',
  'proxy.example',
  '--authentication',
  'anonymous',
  '--port',
  '8080',
]

const resolve = <T>(v: V<T>, x: Ctx): T => (typeof v === 'function' ? (v as (x: Ctx) => T)(x) : v)

const sh = (x: Ctx, ...argv: string[]) => runCli(argv, {env: {SPHERE_HOME: x.home}})
async function ok(x: Ctx, ...argv: string[]): Promise<string> {
  const r = await sh(x, ...argv, '-o', 'json')
  if (r.code !== 0) throw new Error(`sphere ${argv.join(' ')} exited ${r.code}: ${r.stderr}`)
  return r.stdout
}

const cases: Case[] = [
  // ---- usage: commands, flags and their values (exit 2) ----
  {
    class: 'unknown command',
    argv: ['devcie', 'list-attached'],
    error: "'devcie list-attached' is not a sphere command.",
    advice: [
      'Did you mean: sphere device list-attached',
      'Did you mean: sphere device show-attached',
      'Try: sphere --help',
    ],
    exit: 2,
  },
  {
    class: 'unknown flag',
    argv: ['device', 'list-attached', '--bogus'],
    error: 'Nonexistent flag: --bogus',
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'missing required flag',
    argv: ['device', 'sideload', 'deploy'],
    error: 'Missing required flag --image-package (-p): give it as --image-package <value>.',
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'flag without its value',
    argv: ['device', 'sideload', 'deploy', '-p'],
    error: 'Flag -p expects a value: give it as -p <value>.',
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'flag without its value (a two-letter short form, -of, not -o f)',
    argv: ['device', 'capability', 'download', '--type', 'ApplicationDevelopment', '-of'],
    error: 'Flag -of expects a value: give it as -of <value>.',
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'bad flag value (not an integer)',
    argv: ['device', 'wait-for', '--timeout', 'abc'],
    error: "Invalid value 'abc' for --timeout (-t): expected an integer from 0 to 86400.",
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'bad flag value (out of range)',
    argv: [...proxyApply.slice(0, -1), '99999'],
    error: "Invalid value '99999' for --port (-r): expected an integer from 1 to 65535.",
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'bad flag value (not one of the options)',
    argv: ['device', 'app', 'show-status', '-o', 'yaml2'],
    error: "Invalid value 'yaml2' for --output (-o): expected one of json, jsonc, yaml, yamlc, table, tsv, none.",
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'bad flag value (an az-style boolean)',
    argv: ['device', 'sideload', 'deploy', '-p', 'app.imagepackage', '--manual-start=maybe'],
    error: "Invalid value 'maybe' for --manual-start (-m): expected true, false, yes or no.",
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'bad flag value (a component ID that is not a UUID)',
    argv: ['device', 'app', 'stop', '-i', 'notauuid'],
    error: "Invalid component ID 'notauuid': expected a UUID such as 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.",
    exit: 2,
  },
  {
    class: 'bad flag value (a --query that is not JMESPath)',
    argv: ['device', 'app', 'show-status', '--query', '[[['],
    error: `Invalid --query '[[[': Invalid token (EOF): ""`,
    advice: ['Try: See https://jmespath.org for the query syntax.'],
    exit: 2,
  },
  {
    class: 'flags that exclude each other',
    argv: [...proxyApply, '--enable', '--disable'],
    error: '--enable and --disable cannot be used together.',
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'a flag that needs others (basic proxy authentication)',
    argv: [
      'device',
      'network',
      'proxy',
      'apply',
      '--address',
      'proxy.example',
      '--authentication',
      'basic',
      '--port',
      '3128',
    ],
    error: 'Basic authentication needs --username and --password.',
    exit: 2,
  },
  {
    class: 'unexpected argument',
    argv: ['device', 'list-attached', 'extra'],
    error: 'Unexpected argument: extra',
    advice: [HELP],
    exit: 2,
  },
  {
    class: 'unknown config key',
    argv: ['config', 'set', 'nosuch.key', '1'],
    error: "Unknown config key 'nosuch.key'.",
    advice: ['Try: Known keys: defaults.device, defaults.output'],
    exit: 2,
  },
  {
    class: 'bad simulator name',
    argv: ['sim', 'start', '--name', 'bad name'],
    error: "Invalid simulator name 'bad name': use letters, digits, '.', '_' or '-' (max 63).",
    exit: 2,
  },

  // ---- device selection: never a device the user did not ask for ----
  {
    class: 'bad --device value',
    argv: ['device', 'show-os-version', '-d', '300.1.1.1'],
    error: "Invalid --device '300.1.1.1': not a device.",
    advice: [FORMS],
    exit: 2,
  },
  {
    class: 'bad --device value (a fleet member)',
    argv: ['device', 'show-os-version', '-d', 'fleet:lab'],
    error: "Invalid --device 'fleet:lab': a fleet member is fleet:NAME/N or fleet:NAME/<device ID>.",
    advice: [FORMS],
    exit: 2,
  },
  {
    class: 'defaults.device validated when set',
    argv: ['config', 'set', 'defaults.device', 'bogus'],
    error: "Invalid defaults.device 'bogus': not a device.",
    advice: [FORMS],
    exit: 2,
  },
  {
    class: 'no device (nothing attached; wait-for never starts one)',
    argv: ['device', 'wait-for', '--timeout', '0'],
    env: (x) => ({SPHERE_HOME: x.emptyHome}),
    error:
      "No answer from the default device within 0 s: there is no simulator named 'default': create and start it with `sphere sim start`.",
    exit: 1,
  },
  {
    class: 'device not found (-d sim:NAME of an unknown simulator)',
    argv: ['device', 'show-os-version', '-d', 'sim:nosuch'],
    error:
      "There is no simulator named 'nosuch' (known: default): create and start it with `sphere sim start --name nosuch`.",
    exit: 1,
  },
  {
    class: 'device not found (a device ID)',
    argv: ['device', 'show-os-version', '-d', ID],
    error: 'No attached device has ID ffffffffffffffff…',
    advice: ['Try: List attached devices with `sphere device list-attached`.'],
    exit: 1,
  },
  {
    class: 'device not found (a serial port)',
    argv: (x) => ['device', 'show-os-version', '-d', join(x.dir, 'ttyNOPE')],
    error: (x) => `Serial port ${join(x.dir, 'ttyNOPE')} does not exist.`,
    advice: ['Try: Check the cable, or list ports with `sphere device list-attached`.'],
    exit: 1,
  },
  {
    class: 'device not found (a fleet that is not running)',
    argv: ['device', 'show-os-version', '-d', 'fleet:lab/0'],
    error: "Fleet 'lab' is not running.",
    advice: [
      'Try: Start it with `sphere fleet start --name lab --devices N`, or list fleets with `sphere fleet list`.',
    ],
    exit: 1,
  },
  {
    class: 'several devices',
    setup: async (x) => {
      const info = JSON.parse(await ok(x, 'sim', 'start', '--name', 'lab')) as {pid: number}
      x.labPid = info.pid
    },
    argv: ['device', 'show-os-version'],
    error: 'Several devices are attached: sim:default, sim:lab.',
    advice: ['Try: Choose one with --device, or set a default with `sphere config set defaults.device sim:NAME`.'],
    exit: 1,
  },
  {
    class: 'a device that does not answer (a hung simulator)',
    setup: (x) => void process.kill(x.labPid, 'SIGSTOP'),
    teardown: (x) => void process.kill(x.labPid, 'SIGCONT'),
    argv: ['device', 'wait-for', '-d', 'sim:lab', '--timeout', '1'],
    error: 'No answer from --device sim:lab within 1 s: the device did not answer GET /status within 1000 ms.',
    exit: 1,
  },
  {
    class: 'a simulator whose process runs but whose API socket is gone',
    setup: (x) => rmSync(join(x.home, 'sims', 'lab', 'api.sock')),
    argv: ['device', 'show-os-version', '-d', 'sim:lab'],
    error: (x) =>
      `Simulator 'lab' (pid ${x.labPid}) is not answering: restart it with \`sphere sim start --name lab --restart\`.`,
    exit: 1,
  },
  {
    class: 'a stopped named simulator (never restarted silently)',
    setup: async (x) => void (await ok(x, 'sim', 'stop', '--name', 'lab')),
    argv: ['device', 'show-os-version', '-d', 'sim:lab'],
    error: "Simulator 'lab' is not running: start it with `sphere sim start --name lab`.",
    exit: 1,
  },

  // ---- the link: connections and TLS ----
  {
    class: 'connection refused',
    argv: (x) => ['device', 'show-os-version', '-d', `127.0.0.1:${x.closedPort}`],
    error: (x) => `Cannot reach the device at https://127.0.0.1:${x.closedPort}: connection refused.`,
    advice: ['Try: Check that the device is attached or start a simulator with `sphere sim start`.'],
    exit: 1,
  },
  {
    class: 'TLS error: untrusted device certificate',
    argv: (x) => ['device', 'show-os-version', '-d', x.listen],
    env: {SPHERE_DEVICE_CA: join(ROOT, 'test', 'fixtures', 'image', 'keys', 'test-signer.cert.pem')},
    error: (x) =>
      `Untrusted device certificate from https://${x.listen}: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN).`,
    advice: [
      'Try: Point SPHERE_DEVICE_CA at the CA of this device (`sphere sim ca --name NAME > ca.pem` for a simulator), or unset it.',
    ],
    exit: 1,
  },
  {
    class: 'TLS error: the other end does not speak TLS (OpenSSL EPROTO text reduced to its reason)',
    argv: (x) => ['device', 'show-os-version', '-d', `127.0.0.1:${x.plainPort}`],
    error: (x) =>
      `TLS with the device at https://127.0.0.1:${x.plainPort} failed: the other end does not speak TLS there (is it the device API port?).`,
    exit: 1,
  },
  {
    class: 'SPHERE_DEVICE_CA file not found',
    argv: (x) => ['device', 'show-os-version', '-d', x.listen],
    env: (x) => ({SPHERE_DEVICE_CA: join(x.dir, 'no-ca.pem')}),
    error: (x) => `Cannot read the device CA file '${join(x.dir, 'no-ca.pem')}' (SPHERE_DEVICE_CA): no such file.`,
    advice: ['Try: Set SPHERE_DEVICE_CA to a PEM certificate file, or unset it to use the CA the device is known by.'],
    exit: 1,
  },
  {
    class: 'SPHERE_DEVICE_CA file that holds no certificate',
    argv: (x) => ['device', 'show-os-version', '-d', x.listen],
    env: (x) => ({SPHERE_DEVICE_CA: x.notPem}),
    error: (x) => `The device CA file '${x.notPem}' (SPHERE_DEVICE_CA) holds no PEM certificate.`,
    advice: ['Try: Export the simulator CA with `sphere sim ca --name NAME > ca.pem`.'],
    exit: 1,
  },

  // ---- input files: never a raw ENOENT / EISDIR ----
  {
    class: 'file not found (ENOENT)',
    argv: (x) => ['device', 'sideload', 'deploy', '-p', join(x.dir, 'missing.imagepackage')],
    error: (x) => `Cannot read image package ${join(x.dir, 'missing.imagepackage')}: no such file.`,
    exit: 1,
  },
  {
    class: 'file not found (a capability file)',
    argv: (x) => ['device', 'capability', 'update', '--capability-file', join(x.dir, 'missing.cap')],
    error: (x) => `Cannot read capability file ${join(x.dir, 'missing.cap')}: no such file.`,
    exit: 1,
  },
  {
    class: 'a folder given for a file (EISDIR)',
    argv: (x) => ['image', 'verify', '-p', x.dir],
    error: (x) => `Cannot read image package ${x.dir}: it is a folder, not a file.`,
    exit: 1,
  },
  {
    class: 'unreadable path (a part of it is not a folder, ENOTDIR)',
    argv: (x) => ['image-package', 'show', '--image-package', join(x.notPem, 'app.imagepackage')],
    error: (x) =>
      `Cannot read image package ${join(x.notPem, 'app.imagepackage')}: a part of the path is not a folder.`,
    exit: 1,
  },
  {
    class: 'file too large',
    argv: (x) => ['image-package', 'show', '--image-package', x.tooLarge],
    error: (x) =>
      `Cannot read image package ${x.tooLarge}: ${MAX_PACKAGE_BYTES + 1} bytes is more than the ${MAX_PACKAGE_BYTES}-byte limit.`,
    exit: 1,
  },
  {
    class: 'malformed package (the metadata length word, with the file named)',
    argv: (x) => ['image-package', 'show', '--image-package', x.corrupt],
    error: (x) =>
      `${x.corrupt} is not a valid image package: no image metadata at the end of the file (its length word, 2307492233, does not fit the 4096-byte file).`,
    exit: 1,
  },
  {
    class: 'a certificate file that is not PEM',
    argv: (x) => ['device', 'certificate', 'add', '-c', 'errCA', '-t', 'rootca', '-p', x.notPem],
    error: (x) => `${x.notPem} is not a PEM certificate: it has no -----BEGIN ...----- line.`,
    exit: 1,
  },

  {
    class: 'a capability file the device refuses (the file named)',
    argv: (x) => ['device', 'capability', 'update', '--capability-file', x.notPem],
    error: (x) =>
      `An invalid request was made to the device. capability file is not a sphere capability file (not JSON) (capability file ${x.notPem})`,
    advice: ['Try: Device error code 15728642.'],
    exit: 1,
  },

  // ---- packages the device refuses: the real code, the reason found from the package, the fix ----
  {
    class: 'package signed by an untrusted key',
    argv: (x) => ['device', 'sideload', 'deploy', '-p', x.pkg.untrusted],
    error: (x) =>
      new RegExp(
        `^The device refused ${esc(x.pkg.untrusted)}: its signer \\(key ID [0-9a-f]{40}\\) is not trusted here; ` +
          `re-sign it with your key \\(\`sphere image sign -p ${esc(x.pkg.untrusted)}\`\\), add the signer's certificate to ` +
          `${esc(join(x.home, 'trust'))}/, or set SPHERE_HOME to the folder of the machine that signed it \\(device error 7340050\\)\\.$`,
      ),
    exit: 1,
  },
  {
    class: 'unsigned package',
    argv: (x) => ['device', 'sideload', 'deploy', '-p', x.pkg.unsigned],
    error: (x) =>
      `The device refused ${x.pkg.unsigned}: the package is not signed; sign it with \`sphere image sign -p ${x.pkg.unsigned}\` (device error 7340050).`,
    exit: 1,
  },
  {
    class: 'ARM package on sideload deploy',
    argv: (x) => ['device', 'sideload', 'deploy', '-p', x.pkg.arm],
    error: (x) =>
      `The device refused ${x.pkg.arm}: bin/app is an ARM (ELF) executable built for a real MT3620, and the simulator runs ` +
      'WebAssembly apps; build the app for the simulator with `sphere app build` (device error 7340050).',
    exit: 1,
  },
  {
    class: 'sideloading without development mode',
    setup: async (x) => void (await ok(x, 'device', 'enable-cloud-test')),
    teardown: async (x) => void (await ok(x, 'device', 'enable-development')),
    argv: (x) => ['device', 'sideload', 'deploy', '-p', x.pkg.good],
    error: (x) =>
      `The device refused ${x.pkg.good}: the device is not in development mode; enable it with \`sphere device enable-development\` (device error 7340050).`,
    exit: 1,
  },
  {
    class: 'undefined GPIO (Gpio: [999])',
    argv: (x) => ['device', 'sideload', 'deploy', '-p', x.pkg.gpio999],
    error:
      'An invalid request was made to the device. Application manifest requests a GPIO that is not defined on this device. ' +
      'See https://aka.ms/AzureSphereAppManifest for more information. (errgpio: Capabilities.Gpio requests GPIO 999, which is not defined on the MT3620)',
    advice: ['Try: Device error code 5242883.'],
    exit: 1,
  },
  {
    class: 'one-app rule: a resource another installed app owns (refused at install)',
    setup: async (x) => void (await ok(x, 'device', 'sideload', 'deploy', '-p', x.pkg.rtPartner)),
    teardown: async (x) => void (await ok(x, 'device', 'sideload', 'delete', '-i', cidOf(0xe01))),
    argv: (x) => ['device', 'sideload', 'deploy', '-p', x.pkg.gpioClash],
    error:
      'The device could not perform this request due to the resource being in a conflicting state. Application manifest requests a GPIO ' +
      `that is already in use by another application (errclash (${cidOf(0xe02)}) requests GPIO 12, which the installed app errpartner ` +
      `(${cidOf(0xe01)}) already uses as GPIO 12)`,
    advice: ['Try: Device error code 5242884.', 'Try: See which app holds the pin: sphere device app show-status'],
    exit: 1,
  },

  // ---- device errors of other commands ----
  {
    class: 'an app that is not installed',
    argv: ['device', 'app', 'stop', '-i', cidOf(0xe09)],
    error: `The device could not perform this request due to the resource being in a conflicting state. Application is not present (component ID ${cidOf(0xe09)})`,
    advice: ['Try: Device error code 14680076.', 'Try: List installed apps with: sphere device image list-installed'],
    exit: 1,
  },
  {
    class: 'a certificate that is not on the device',
    argv: ['device', 'certificate', 'show', '-c', 'nosuchCA'],
    error:
      'This resource is unavailable on this device. No certificate with that identifier could be found on the device (certificate nosuchCA).',
    advice: [
      'Try: Device error code 38797319.',
      'Try: List the certificates on the device: sphere device certificate list',
    ],
    exit: 1,
  },
  {
    class: 'a Wi-Fi network that is not stored',
    argv: ['device', 'wifi', 'show', '-i', '99'],
    error: 'This resource is unavailable on this device. Network not found (network ID 99)',
    advice: ['Try: Device error code 13631491.', 'Try: List the stored Wi-Fi networks: sphere device wifi list'],
    exit: 1,
  },
  {
    class: 'a network interface the device does not have',
    argv: ['device', 'network', 'enable', '--interface', 'eth9'],
    error: 'This resource is unavailable on this device. Invalid request URI (interface eth9).',
    advice: ['Try: Device error code 15728642.'],
    exit: 1,
  },
  {
    class: 'no proxy configured (proxy enable)',
    argv: ['device', 'network', 'proxy', 'enable'],
    error: "No proxy is configured on simulator 'default': configure one with sphere device network proxy apply.",
    exit: 1,
  },
  {
    class: 'no proxy configured (proxy disable)',
    argv: ['device', 'network', 'proxy', 'disable'],
    error: "No proxy is configured on simulator 'default': configure one with sphere device network proxy apply.",
    exit: 1,
  },
]

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A high-level (or real-time) app package: the blink fixture, signed with `key` (none: unsigned). */
function pack(
  x: Ctx,
  name: string,
  n: number,
  opts: {key?: ReturnType<typeof loadOrCreateDevKey>; bin: Uint8Array; gpio: number[]; type?: string},
): string {
  const manifest = {
    SchemaVersion: 1,
    Name: name,
    ComponentId: cidOf(n),
    EntryPoint: '/bin/app',
    CmdArgs: [],
    Capabilities: {Gpio: opts.gpio},
    ApplicationType: opts.type ?? 'Default',
  } as unknown as AppManifest
  const path = join(x.dir, `${name}.imagepackage`)
  writeFileSync(path, packApplication({manifest, files: {'bin/app': opts.bin}, ...(opts.key ? {key: opts.key} : {})}))
  return path
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address() as {port: number}
      s.close(() => res(port))
    })
  })
}

describe('every failure class gives one line, its advice and its exit code; nothing on stdout', () => {
  const {home, cleanup} = tempHome('sphere-errors-')
  const empty = tempHome('sphere-errors-empty-')
  const other = tempHome('sphere-errors-other-')
  const x = {home, dir: mkdtempSync(join(tmpdir(), 'sphere-errors-')), emptyHome: empty.home} as Ctx
  let plain: Server

  beforeAll(async () => {
    const started = JSON.parse(await ok(x, 'sim', 'start', '--listen', '127.0.0.1:0')) as {listen: string}
    x.listen = started.listen
    plain = createServer((s) => s.on('data', () => s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')))
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()))
    x.plainPort = (plain.address() as {port: number}).port
    x.closedPort = await freePort()

    const key = loadOrCreateDevKey(home)
    const wasm = await assembleFixture('blink')
    const elf = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, ...new Array<number>(56).fill(0)])
    x.pkg = {
      untrusted: pack(x, 'erruntrusted', 0xe03, {key: loadOrCreateDevKey(other.home), bin: wasm, gpio: [8]}),
      unsigned: pack(x, 'errunsigned', 0xe04, {bin: wasm, gpio: [8]}),
      arm: pack(x, 'errarm', 0xe05, {key, bin: elf, gpio: [8]}),
      good: pack(x, 'errgood', 0xe06, {key, bin: wasm, gpio: [8]}),
      gpio999: pack(x, 'errgpio', 0xe07, {key, bin: wasm, gpio: [999]}),
      rtPartner: pack(x, 'errpartner', 0xe01, {key, bin: wasm, gpio: [12], type: 'RealTimeCapable'}),
      gpioClash: pack(x, 'errclash', 0xe02, {key, bin: wasm, gpio: [12]}),
    }
    x.corrupt = join(x.dir, 'corrupt.imagepackage')
    writeFileSync(x.corrupt, Buffer.alloc(4096, 0x89))
    x.tooLarge = join(x.dir, 'huge.imagepackage')
    // sparse: one byte over the limit costs no disk
    writeFileSync(x.tooLarge, '')
    truncateSync(x.tooLarge, MAX_PACKAGE_BYTES + 1)
    x.notPem = join(x.dir, 'not-a-cert.pem')
    writeFileSync(x.notPem, 'hello\n')
  }, 60_000)

  afterAll(async () => {
    plain?.close()
    await runCli(['sim', 'stop', '--all'], {env: {SPHERE_HOME: home}})
    cleanup()
    empty.cleanup()
    other.cleanup()
    rmSync(x.dir, {recursive: true, force: true})
  })

  it('the table names each class once', () => {
    const names = cases.map((c) => c.class)
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([])
  })

  for (const c of cases) {
    it(
      c.class,
      async () => {
        await c.setup?.(x)
        try {
          const argv = resolve(c.argv, x)
          const r = await runCli(argv, {env: {SPHERE_HOME: home, ...(c.env ? resolve(c.env, x) : {})}})
          const [first, ...rest] = r.stderr.replace(/\n$/, '').split('\n')
          const want = resolve(c.error, x)
          const got = {exit: r.code, stdout: r.stdout, advice: rest}
          expect(got).toEqual({
            exit: c.exit,
            stdout: '',
            advice: (c.advice ? resolve(c.advice, x) : []).map((l) => `  ${l}`),
          })
          if (want instanceof RegExp) expect(first).toMatch(new RegExp(`^Error: ${want.source.replace(/^\^/, '')}`))
          else expect(first).toBe(`Error: ${want}`)
        } finally {
          await c.teardown?.(x)
        }
      },
      30_000,
    )
  }
})
