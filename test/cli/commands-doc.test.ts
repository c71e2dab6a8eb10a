// docs/commands.md is generated from the built commands (scripts/gen-commands.mjs reads oclif.manifest.json): it
// must be current, name every command of the command index, and the check must fail once a command changes
// without the doc being regenerated.
import {afterAll, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT} from '../helpers/cli.js'

const SCRIPT = join(ROOT, 'scripts', 'gen-commands.mjs')
const gen = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], {cwd: ROOT, encoding: 'utf8'})

describe('docs/commands.md', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sphere-cmddoc-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('is current with the built commands', () => {
    const r = gen('--check')
    expect({status: r.status, stderr: r.stderr}).toEqual({status: 0, stderr: ''})
  })

  it('has a section with summary and examples for every command of the command index', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'commands.md'), 'utf8')
    const index = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli', 'command-index.json'), 'utf8')) as {commands: Record<string, unknown>}
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {summary?: string; hidden?: boolean; examples?: string[]}>}
    const ids = Object.keys(index.commands).filter((id) => !manifest.commands[id]?.hidden)
    expect(ids.length).toBeGreaterThan(80)
    const sections = new Map(doc.split(/^## /m).slice(1).map((s) => [s.split('\n')[0]!, s]))
    for (const id of ids) {
      const s = sections.get(`sphere ${id.split(':').join(' ')}`)
      expect([id, s !== undefined]).toEqual([id, true])
      expect([id, s!.includes(manifest.commands[id]!.summary!)]).toEqual([id, true])
      for (const e of manifest.commands[id]!.examples ?? []) expect([id, s!.includes(e.replaceAll('<%= config.bin %>', 'sphere'))]).toEqual([id, true])
    }
    for (const c of ['device recover', 'device network show-diagnostics', 'image-package pack-board-config', 'get-support-data'])
      expect(sections.has(`sphere ${c}`)).toBe(true)
  })

  it('the check fails, naming the file, when a command changed and the doc was not regenerated', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {summary: string; flags: Record<string, unknown>}>}
    manifest.commands['device:recover']!.flags['images'] = {name: 'images', type: 'option', description: 'A folder of recovery images'}
    const changed = join(dir, 'manifest.json')
    writeFileSync(changed, JSON.stringify(manifest))
    const stale = gen('--check', '--manifest', changed)
    expect(stale.status).toBe(1)
    expect(stale.stderr).toMatch(/docs\/commands\.md is not current .*run: npm run build && node scripts\/gen-commands\.mjs/)
    // regenerating from that manifest writes a doc that has the new flag and passes the check
    const out = join(dir, 'commands.md')
    expect(gen('--manifest', changed, '--out', out).status).toBe(0)
    expect(readFileSync(out, 'utf8')).toContain('| `--images <value>` | A folder of recovery images |')
    expect(gen('--check', '--manifest', changed, '--out', out).status).toBe(0)
  })
})
