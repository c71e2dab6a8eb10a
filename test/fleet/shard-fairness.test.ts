/**
 * Catalogue a95 at fleet scale: an app that never blocks, on one member of a shard, must not hold the other
 * members' device API while its soak runs. On the fast-forward clock such an app runs to the end of each run of
 * virtual time; the shard runs members in steps with an event-loop turn between them, so a request to another
 * member is answered while the busy member is still soaking (before the update request completes).
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {shardConnector} from '../../src/device/fleet.js'
import {deviceRequest} from '../../src/device/http.js'
import {Shard} from '../../src/fleet/shard.js'
import {loadOrCreateDevKey, loadTrustStore, packApplication, parseImagePackage, type AppManifest} from '../../src/image/index.js'
import {SHARD_API, type UpdateResult} from '../../src/protocol/fleet.js'
import {ROOT} from '../helpers/cli.js'
import {APP_CID, assemble} from './helpers.js'
import {CACHE_DIR} from '../os/helpers.js'

type Wabt = {parseWat(name: string, src: string, features?: Record<string, boolean>): {toBinary(o: object): {buffer: Uint8Array}; destroy(): void}}

/** The a95 attack, with the catalogue's prelude spliced in as its runner does. */
async function a95(): Promise<Uint8Array> {
  const wabt = (await (await import('wabt')).default()) as unknown as Wabt
  const sec = join(ROOT, 'test', 'fixtures', 'security')
  const [imports, defs] = readFileSync(join(sec, 'sec.watinc'), 'utf8').split(';; ---- definitions ----')
  const src = readFileSync(join(sec, 'a95-busy-fleet-member.wat'), 'utf8').replace('(module', `(module\n${imports}`).replace(';;@sec', defs!)
  const m = wabt.parseWat('a95.wat', src, {mutable_globals: true, sign_extension: true, bulk_memory: true})
  try {
    return new Uint8Array(m.toBinary({}).buffer)
  } finally {
    m.destroy()
  }
}

describe('a busy member does not hold the shard (a95)', () => {
  const home = mkdtempSync(join(tmpdir(), 'sphere-fleet-a95-'))
  const sock = join(home, 's.sock')
  let shard: Shard
  const pkg = (bin: Uint8Array, buildDate: number): Uint8Array =>
    packApplication({
      manifest: {SchemaVersion: 1, Name: 'app', ComponentId: APP_CID, EntryPoint: '/bin/app', CmdArgs: [], Capabilities: {Gpio: [8]}, ApplicationType: 'Default'} as unknown as AppManifest,
      files: {'bin/app': bin},
      key: loadOrCreateDevKey(home),
      buildDate,
    })
  let busy: Uint8Array

  beforeAll(async () => {
    const v1 = pkg(await assemble('os', 'blink'), 1_700_000_000)
    busy = pkg(await a95(), 1_700_000_100)
    shard = await Shard.boot({fleet: 't', index: 0, count: 1, size: 2, seed: 'a95', trust: loadTrustStore(home), cacheDir: CACHE_DIR, imagePackage: v1})
    await shard.listen(sock)
  }, 60_000)
  afterAll(async () => {
    await shard?.close()
    rmSync(home, {recursive: true, force: true})
  })

  it("answers another member's request while the busy member soaks", async () => {
    const order: string[] = []
    const busyId = parseImagePackage(busy).identity.imageId.toLowerCase()
    let asked: Promise<unknown> | undefined
    const off = shard.members.get(0)!.device.subscribe((e) => {
      // the busy image has started on member 0: ask member 1 now
      if (asked || e.type !== 'process' || e.state !== 'running') return
      asked = deviceRequest(shardConnector('t', sock, '1'), 'GET', '/osversion').then((r) => {
        order.push(`osversion ${r.status}`)
      })
    }, ['process'])
    const update = deviceRequest(shardConnector('t', sock, 'control'), 'POST', SHARD_API.update, {
      body: {devices: [0], package: Buffer.from(busy).toString('base64'), soakMs: 3000, rollout: 'a95'},
    }).then((r) => {
      order.push(`update ${r.status}`)
      return JSON.parse(r.body.toString('utf8')) as UpdateResult[]
    })
    const [results] = await Promise.all([update, (async () => {
      while (!asked) await new Promise((r) => setTimeout(r, 5))
      await asked
    })()])
    off()
    expect(order).toEqual(['osversion 200', 'update 200'])
    // the busy member itself took the update and was still running it (it never crashed)
    expect(results).toEqual([expect.objectContaining({index: 0, outcome: 'healthy', imageId: busyId})])
  }, 60_000)
})
