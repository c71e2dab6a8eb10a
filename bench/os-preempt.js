// Preemption by time: the worst timer lateness of a 20 ms periodic victim on a real-time device beside each
// hostile app of the catalogue that floods heavy syscalls (CHECK: realtime), against the victim alone and
// beside a pure-compute spinner, all in the same run. Goal: at most 1 ms over the victim alone.
// The figures include the host's own jitter (a shared, loaded machine adds tens of ms to every column).
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {loadOs} from './_os.js'

const runner = await import('../test/fixtures/security/runner.mjs')
const os = await loadOs()
const root = mkdtempSync(join(tmpdir(), 'sphere-bench-preempt-'))
const only = process.env.SPHERE_ATTACKS?.split(',').filter(Boolean)
try {
  const attacks = runner
    .loadCatalogue()
    .filter((a) => a.checks.includes('realtime'))
    .filter((a) => !only || only.some((o) => a.id.startsWith(o)))
  for (const a of attacks) {
    const wasm = await runner.assemble(readFileSync(join(runner.CATALOGUE_DIR, a.file), 'utf8'))
    const manifest = {SchemaVersion: 1, Name: a.id, ComponentId: runner.ATTACKER_CID, EntryPoint: '/bin/app', CmdArgs: [], Capabilities: a.caps, ApplicationType: 'Default'}
    const attacker = {componentId: runner.ATTACKER_CID, imageId: runner.cid(0x10aa7), manifest, files: new Map([['bin/app', wasm]])}
    const r = await runner.realtimeLateness(os, {root, id: a.id, attacker})
    const over = r.besideMs - r.aloneMs
    console.log(
      `${a.id}: victim worst timer lateness ${r.besideMs.toFixed(1)} ms beside it, ${r.aloneMs.toFixed(1)} ms alone, ` +
        `${r.spinnerMs.toFixed(1)} ms beside a spinner -> ${over.toFixed(1)} ms over alone, ratio ${(r.besideMs / Math.max(r.aloneMs, 0.1)).toFixed(2)}x` +
        `  (goal <= 1 ms over alone: ${over <= 1 ? 'met' : 'NOT met'}; median lateness ${r.median.besideMs.toFixed(2)} ms)`,
    )
  }
} finally {
  rmSync(root, {recursive: true, force: true})
}
