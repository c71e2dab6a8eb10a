// Child process for test/security/hostile-soak.test.ts: runs the hostile soak (fixtures/security/soak.mjs) on the
// OS from a transpiled tree, in a process of its own so that its peak RSS is the device's host's alone, and prints
// the result as one JSON line.
// argv: <transpiled js root> <work dir> <cache dir> <minutes> <count> <seed>
import {pathToFileURL} from 'node:url'
import {join} from 'node:path'
import {hostileSoak} from '../fixtures/security/soak.mjs'

const [root, work, cacheDir, minutes, count, seed] = process.argv.slice(2)
const os = await import(pathToFileURL(join(root, 'os', 'index.js')).href)
const r = await hostileSoak({os, work, cacheDir, minutes: Number(minutes), count: Number(count), seed: Number(seed), clock: 'fast-forward'})
process.stdout.write(`${JSON.stringify(r)}\n`)
