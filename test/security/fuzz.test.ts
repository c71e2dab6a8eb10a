/**
 * Property-based fuzzing (fast-check) of every parser that reads outside input: image package, metadata,
 * ASXipFS, app manifest, hardware definition, SLIP frames, IPv4 packets, TCP segments, and REST requests
 * thrown at the real handler over a Unix socket. >= 100,000 inputs per target (SPHERE_FUZZ_RUNS); every
 * input parses or fails with the parser's typed, one-line error; none takes longer than the hang bound; inputs
 * are size-bounded and the heap must not grow without bound. `npm run fuzz` runs longer (bench/fuzz.js).
 * (test/image/fuzz-*.test.ts and test/protocol/link/codec.test.ts hold the format-specific properties.)
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import fc from 'fast-check'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'
import * as image from '../../src/image/index.js'
import * as link from '../../src/protocol/link/index.js'
import {REST_ERRORS} from '../../src/protocol/rest-api.js'
import {
  DeviceRestBackend,
  createRestServer,
  listenUnix,
  type RestHandler,
  type RestListener,
} from '../../src/os/rest/index.js'
import * as errors from '../../src/util/errors.js'
import {check, hardwareChain, rerunMs, targets, type FuzzTarget} from '../fixtures/security/fuzz-targets.mjs'
import {fuzzRest} from '../fixtures/security/rest-fuzz.mjs'
import {CACHE_DIR, tempDir} from '../os/helpers.js'

// A full collection before each heap reading, so the bound measures what the parsers retain, not garbage a
// loaded machine has not collected yet (jest gives no --expose-gc; the flag can be set at run time).
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const retainedHeap = (): number => {
  gc()
  return process.memoryUsage().heapUsed
}

const RUNS = Number(process.env.SPHERE_FUZZ_RUNS ?? 100_000)
/** An input that takes this long is a hang (generous: CI machines are shared). */
const HANG_MS = 250
const hwDir = join(process.cwd(), 'sdk', 'HardwareDefinitions')
const all: FuzzTarget[] = targets({
  fc,
  image,
  link,
  errors,
  hw: hardwareChain((name) => new Uint8Array(readFileSync(join(hwDir, name)))),
})

describe('fuzz: parsers', () => {
  test.each(all.map((t) => [t.name, t] as const))(
    `%s: ${RUNS} inputs, typed errors only, no hangs`,
    (name, t) => {
      let slowest = 0
      let typedErrors = 0
      let parsed = 0
      const heap0 = retainedHeap()
      fc.assert(
        fc.property(t.arb as fc.Arbitrary<unknown>, (input) => {
          const t0 = performance.now()
          const r = check(t, input)
          const ms = performance.now() - t0
          if (ms > slowest) slowest = ms
          if (r.problem) throw new Error(r.problem)
          if (ms > HANG_MS && rerunMs(t, input) > HANG_MS)
            throw new Error(`${name}: one input takes ${ms.toFixed(1)} ms`)
          if (r.outcome === 'parsed') parsed++
          else typedErrors++
        }),
        {numRuns: RUNS},
      )
      const grown = retainedHeap() - heap0
      process.stdout.write(
        `fuzz ${name}: ${RUNS} inputs, ${parsed} parsed, ${typedErrors} typed errors, 0 crashes, slowest ${slowest.toFixed(2)} ms\n`,
      )
      expect(parsed + typedErrors).toBe(RUNS)
      // both outcomes are reached: the mutations are neither all fatal nor all harmless
      expect(typedErrors).toBeGreaterThan(0)
      expect(grown).toBeLessThan(256 * 1024 * 1024)
    },
    300_000,
  )
})

describe('fuzz: REST requests over a socket', () => {
  let tmp: {dir: string; cleanup: () => void}
  let backend: DeviceRestBackend
  let handler: RestHandler
  let unix: RestListener
  beforeAll(async () => {
    tmp = tempDir('sphere-sec-fuzz-')
    backend = await DeviceRestBackend.boot({
      stateDir: join(tmp.dir, 'state'),
      clock: 'fast-forward',
      cacheDir: CACHE_DIR,
    })
    handler = createRestServer(backend, {stateDir: join(tmp.dir, 'state'), transport: 'unix'})
    unix = await listenUnix(handler, join(tmp.dir, 'api.sock'))
  })
  afterAll(async () => {
    handler.controller.close()
    await unix.close()
    await backend.shutdown()
    tmp.cleanup()
  })

  test(`${RUNS} requests and ${Math.ceil(RUNS / 20)} raw byte blobs: only API statuses, no hangs, still serving`, async () => {
    const r = await fuzzRest({
      fc,
      socketPath: join(tmp.dir, 'api.sock'),
      requests: RUNS,
      raw: Math.ceil(RUNS / 20),
      wifiDisabledCode: REST_ERRORS.wifiDisabled.code,
    })
    process.stdout.write(
      `fuzz REST: ${r.requests} requests + ${r.raw} raw inputs, ${r.problems.length} problems, slowest ${r.maxMs.toFixed(1)} ms\n`,
    )
    expect(r.problems.slice(0, 20)).toEqual([])
    expect(r.requests).toBeGreaterThanOrEqual(RUNS * 0.99)
  }, 600_000)
})
