import {generateKeyPairSync} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {
  packApplication,
  signingKeyFromPem,
  trustAnchorFromPem,
  type AppManifest,
  type SigningKey,
  type TrustAnchor,
} from '../../../src/image/index.js'

const here = dirname(fileURLToPath(import.meta.url))
export const REST_FIXTURES = join(here, '..', '..', 'fixtures', 'rest')

export const HOST_HEADER = '*.devices.sphere.azure.local'

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  json: () => unknown
}

export type Target = {kind: 'https'; port: number; ca: string} | {kind: 'unix'; socketPath: string}

function reply(res: http.IncomingMessage, body: Buffer): Reply {
  return {status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8'))}
}

/**
 * One request on a NEW connection (agent: false), as device API clients do: HTTPS with the device CA pinned
 * and `Host: *.devices.sphere.azure.local`, or plain HTTP over a Unix socket.
 */
export function request(
  t: Target,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  let payload: Buffer | undefined
  const h: Record<string, string> = {
    Host: HOST_HEADER,
    Accept: 'application/json',
    'Accept-Encoding': 'gzip, deflate',
    Connection: 'keep-alive',
    ...headers,
  }
  if (body !== undefined) {
    if (body instanceof Uint8Array) {
      payload = Buffer.from(body)
      h['Content-Type'] ??= 'application/octet-stream'
    } else {
      payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
      h['Content-Type'] ??= 'application/json'
    }
    h['Content-Length'] = String(payload.length)
  }
  return new Promise((resolve, reject) => {
    const onRes = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => resolve(reply(res, Buffer.concat(chunks))))
      res.on('error', reject)
    }
    const req =
      t.kind === 'https'
        ? https.request({host: '127.0.0.1', port: t.port, method, path, headers: h, ca: t.ca, agent: false}, onRes)
        : http.request({socketPath: t.socketPath, method, path, headers: h, agent: false}, onRes)
    req.on('error', reject)
    req.setTimeout(15_000, () => req.destroy(new Error(`timeout ${method} ${path}`)))
    req.end(payload)
  })
}

/** A fresh ECDSA P-256 signing key and the trust anchor a device needs to accept its packages. */
export function makeSigningKey(): {key: SigningKey; anchor: TrustAnchor} {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const key = signingKeyFromPem(privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), 'rest-test')
  const anchor = trustAnchorFromPem(publicKey.export({type: 'spki', format: 'pem'}).toString(), 'rest-test')
  return {key, anchor}
}

export const APP_CID = '7b3b2f6a-4c1d-4e55-9a0b-1c2d3e4f5a6b'
export const APP2_CID = '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0'

type Wabt = {
  parseWat(
    name: string,
    src: string,
    f?: Record<string, boolean>,
  ): {toBinary(o: object): {buffer: Uint8Array}; destroy(): void}
}
let wabt: Wabt | undefined

/** Assemble test/fixtures/rest/NAME.wat with the npm wabt package. */
export async function watFixture(name: string): Promise<Uint8Array> {
  if (!wabt) wabt = (await (await import('wabt')).default()) as unknown as Wabt
  const m = wabt.parseWat(`${name}.wat`, readFileSync(join(REST_FIXTURES, `${name}.wat`), 'utf8'), {
    mutable_globals: true,
    bulk_memory: true,
  })
  try {
    return new Uint8Array(m.toBinary({}).buffer)
  } finally {
    m.destroy()
  }
}

/** A signed application package (bin/app = the given wasm). */
export function packApp(opts: {
  cid: string
  name: string
  wasm: Uint8Array
  key: SigningKey
  mutableKB?: number
}): Uint8Array {
  const manifest: AppManifest = {
    SchemaVersion: 1,
    Name: opts.name,
    ComponentId: opts.cid,
    EntryPoint: '/bin/app',
    CmdArgs: [],
    Capabilities: opts.mutableKB ? {MutableStorage: {SizeKB: opts.mutableKB}} : {},
    ApplicationType: 'Default',
  }
  return packApplication({manifest, files: {'bin/app': opts.wasm}, key: opts.key})
}

export function tempDir(prefix = 'sphere-rest-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Poll until fn() is truthy (bounded). */
export async function until<T>(fn: () => Promise<T> | T, ms = 5000, step = 25): Promise<NonNullable<T>> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v as NonNullable<T>
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(step)
  }
}
