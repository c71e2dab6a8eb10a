import {readFileSync} from 'node:fs'
import {request} from 'node:http'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {DeviceRestBackend, createRestServer, listenUnix} from '../../../src/os/rest/index.js'
import {RecordSession} from '../../../src/os/replay/service.js'
import {CACHE_DIR} from '../helpers.js'

export interface Reply {
  status: number
  json: unknown
}

export function call(sock: string, method: string, path: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const bytes = body === undefined ? undefined : body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(JSON.stringify(body))
    const req = request(
      {
        socketPath: sock,
        method,
        path,
        headers: {
          ...(bytes ? {'Content-Type': body instanceof Uint8Array ? 'application/octet-stream' : 'application/json'} : {}),
          'Content-Length': String(bytes?.length ?? 0),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown = text
          try {
            json = JSON.parse(text)
          } catch {
            // not JSON
          }
          resolve({status: res.statusCode ?? 0, json})
        })
      },
    )
    req.on('error', reject)
    req.end(bytes)
  })
}

/** A recorded fast-forward device served on a Unix socket, as `sim start --record` runs it in the daemon. */
export async function recordedDevice(home: string, dir: string, opts: {file?: string; world?: string | null; multiApp?: boolean; inPlaceWaits?: boolean} = {}) {
  const stateDir = join(dir, 'state')
  const session = new RecordSession({
    stateDir,
    clock: 'fast-forward',
    world: opts.world ?? null,
    ...(opts.file ? {file: opts.file, traceFile: `${opts.file}.trace`} : {}),
    snapshotDir: join(dir, 'snapshots'),
    trust: loadTrustStore(home),
    cacheDir: CACHE_DIR,
    ...(opts.multiApp ? {multiApp: true} : {}),
  })
  const backend = await DeviceRestBackend.boot({
    stateDir,
    trust: loadTrustStore(home),
    cacheDir: CACHE_DIR,
    ...session.bootOptions(),
    ...(opts.inPlaceWaits !== undefined ? {inPlaceWaits: opts.inPlaceWaits} : {}),
  })
  const handler = createRestServer(backend, {stateDir, name: 'rec', transport: 'unix', inputs: session.inputs, replay: session.services(backend)})
  const sock = join(dir, 'rec.sock')
  const listener = await listenUnix(handler, sock)
  return {
    sock,
    backend,
    session,
    req: (method: string, path: string, body?: unknown) => call(sock, method, path, body),
    async stop(): Promise<void> {
      session.end()
      await listener.close()
      handler.controller.close()
      await backend.shutdown()
    },
  }
}

export const readLines = (p: string): string[] => readFileSync(p, 'utf8').split('\n').filter((l) => l !== '')
