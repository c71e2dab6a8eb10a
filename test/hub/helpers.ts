/** Shared pieces of the hub tests: a CA and device certificates like the simulator's, the hub CLI, monitor-events. */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {generateKeyPairSync, X509Certificate, type KeyObject} from 'node:crypto'
import {BIN, ROOT, runCli} from '../helpers/cli.js'
import {buildCertificate} from '../../src/util/x509.js'
import type {HubStatus} from '../../src/hub/index.js'

export interface TestCa {
  certPem: string
  key: KeyObject
  cert: X509Certificate
}

/** A device CA, as the simulator's (EC P-256, CA:TRUE). */
export function makeCa(cn = 'Test Device CA'): TestCa {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const now = Date.now()
  const certPem = buildCertificate({
    subject: {O: 'hub tests', CN: cn},
    publicKey,
    signingKey: privateKey,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 86_400_000 * 30),
    ca: true,
  })
  return {certPem, key: privateKey, cert: new X509Certificate(certPem)}
}

/** A client certificate with CN = the device ID, issued by `ca` (or self-signed without one); cert is leaf + CA. */
export function makeDeviceCert(deviceId: string, ca?: TestCa): {cert: string; key: string; leaf: X509Certificate} {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const now = Date.now()
  const subject = {O: 'hub tests device', CN: deviceId}
  const leaf = buildCertificate({
    subject,
    ...(ca
      ? {
          issuer: {O: 'hub tests', CN: new X509Certificate(ca.certPem).subject.split('CN=')[1]!.split('\n')[0]!},
          issuerPublicKey: ca.cert.publicKey,
        }
      : {}),
    publicKey,
    signingKey: ca ? ca.key : privateKey,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 86_400_000 * 30),
    clientAuth: true,
  })
  return {
    cert: leaf + (ca ? ca.certPem : ''),
    key: privateKey.export({type: 'pkcs8', format: 'pem'}).toString(),
    leaf: new X509Certificate(leaf),
  }
}

/** Run `sphere hub ...` (the built CLI) with -o json and parse its answer; fails the test on a non-zero exit. */
export async function hub<T = unknown>(home: string, args: string[]): Promise<T> {
  const r = await runCli(['hub', ...args, '-o', 'json'], {env: {SPHERE_HOME: home}})
  if (r.code !== 0) throw new Error(`sphere hub ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`)
  return JSON.parse(r.stdout) as T
}

export const hubStatus = (home: string) => hub<HubStatus>(home, ['status'])

/** `sphere hub monitor-events -o json` as a subprocess; resolves once it says it is monitoring. */
export async function monitorEvents(
  home: string,
  args: string[] = [],
): Promise<{
  child: ChildProcessWithoutNullStreams
  events: () => Record<string, unknown>[]
  waitFor: (n: number, ms?: number) => Promise<Record<string, unknown>[]>
  stop: () => Promise<number>
}> {
  const child = spawn(process.execPath, [BIN, 'hub', 'monitor-events', '-o', 'json', ...args], {
    cwd: ROOT,
    env: {...process.env, NODE_OPTIONS: '', SPHERE_HOME: home},
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`monitor-events did not start: ${err}`)), 15_000)
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
      if (err.includes('Starting event monitor')) {
        clearTimeout(t)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`monitor-events exited ${code}: ${err}`)))
  })
  const events = () =>
    out
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  const waitFor = async (n: number, ms = 15_000) => {
    const end = Date.now() + ms
    while (events().length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 25))
    return events()
  }
  const stop = () =>
    new Promise<number>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode)
      child.once('exit', (code) => resolve(code ?? -1))
      child.kill('SIGTERM')
    })
  return {child, events, waitFor, stop}
}
