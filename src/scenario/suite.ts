/**
 * A suite: the scenario files named on the command line (folders are searched for *.yaml / *.yml /
 * *.scenario.json scenarios, recursively, in a stable order), split into shards by a stable hash for CI machines, and the
 * results written as JUnit XML.
 */
import {createHash} from 'node:crypto'
import {readdirSync, statSync} from 'node:fs'
import {join, relative, resolve} from 'node:path'
import {SphereError} from '../util/errors.js'
import {formatNs} from './scenario.js'
import type {ScenarioResult} from './runner.js'

/** What a folder search picks up: YAML files and *.scenario.json (not every JSON file: app folders hold manifests). */
const SCENARIO_FILE = /(\.ya?ml|\.scenario\.json)$/i

/** The scenario files under `paths` (files as given, any extension; folders searched), each once, sorted within a folder. */
export function collectScenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const add = (f: string): void => {
    const abs = resolve(f)
    if (!seen.has(abs)) {
      seen.add(abs)
      out.push(abs)
    }
  }
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue
      const p = join(dir, name)
      const st = statSync(p)
      if (st.isDirectory()) walk(p)
      else if (SCENARIO_FILE.test(name)) add(p)
    }
  }
  for (const p of paths) {
    let st
    try {
      st = statSync(p)
    } catch {
      throw new SphereError('SCENARIO_NOT_FOUND', `no scenario file or folder ${p}`, {exit: 2})
    }
    if (st.isDirectory()) walk(p)
    else add(p)
  }
  return out
}

/** `2/4` -> {index: 2, count: 4} (1-based). */
export function parseShard(text: string): {index: number; count: number} {
  const m = /^\s*([0-9]+)\s*\/\s*([0-9]+)\s*$/.exec(text)
  const index = m ? Number(m[1]) : NaN
  const count = m ? Number(m[2]) : NaN
  if (!m || count < 1 || index < 1 || index > count)
    throw new SphereError('BAD_SHARD', `--shard ${text}: expected K/N with 1 <= K <= N, e.g. 2/4`, {exit: 2})
  return {index, count}
}

/**
 * The shard (1-based) a scenario belongs to among `count`: a hash of its path relative to `root` (the
 * working directory), so every machine of a CI job puts each file in the same shard whatever the order or
 * the number of files, and the shards 1..N together hold every file exactly once.
 */
export function shardOf(file: string, count: number, root = process.cwd()): number {
  const key = relative(root, resolve(file)).split('\\').join('/')
  const h = createHash('sha256').update(key).digest()
  return (h.readUInt32BE(0) % count) + 1
}

export function selectShard(files: readonly string[], shard: {index: number; count: number}, root = process.cwd()): string[] {
  return files.filter((f) => shardOf(f, shard.count, root) === shard.index)
}

const xml = (s: string): string =>
  s
    // characters XML 1.0 cannot hold at all
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')

/** The failure as text: step, expectation, what happened, virtual time, last log lines, audit tail. */
export function failureText(r: ScenarioResult): string {
  const f = r.failure
  if (!f) return ''
  const lines = [
    `step ${f.index + 1}: ${f.step}`,
    `expected: ${f.expectation}`,
    `actual:   ${f.actual}`,
    `at virtual time ${f.virtualTime}${f.wallClock ? ' (the wall-clock timeout of the run)' : ''}`,
  ]
  if (f.lastLog.length) lines.push('last log lines:', ...f.lastLog.map((l) => `  ${l}`))
  if (f.auditTail.length) lines.push('audit tail:', ...f.auditTail.map((l) => `  ${l}`))
  return lines.join('\n')
}

/**
 * JUnit XML as GitHub (test-reporter actions) and GitLab (artifacts:reports:junit) read it: one <testsuite>
 * of one <testcase> per scenario; a failed expectation is <failure>, a timeout <failure type="timeout">, a
 * scenario that could not run <error>. Times are wall seconds; the virtual time is a property.
 */
export function junitXml(results: readonly ScenarioResult[], suiteName = 'sphere test'): string {
  const failures = results.filter((r) => r.verdict === 'failed' || r.verdict === 'timeout').length
  const errors = results.filter((r) => r.verdict === 'error').length
  const total = results.reduce((s, r) => s + r.wallMs + r.buildMs, 0) / 1000
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suiteName)}" tests="${results.length}" failures="${failures}" errors="${errors}" time="${total.toFixed(3)}">`,
    `  <testsuite name="${xml(suiteName)}" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="0" time="${total.toFixed(3)}">`,
  ]
  for (const r of results) {
    const cls = r.file ? relative(process.cwd(), r.file).split('\\').join('/') : r.name
    out.push(`    <testcase name="${xml(r.name)}" classname="${xml(cls)}" time="${((r.wallMs + r.buildMs) / 1000).toFixed(3)}"${r.file ? ` file="${xml(cls)}"` : ''}>`)
    out.push(`      <properties><property name="virtual-time" value="${xml(formatNs(r.virtualNs))}"/><property name="verdict" value="${r.verdict}"/></properties>`)
    if (r.failure) {
      const tag = r.verdict === 'error' ? 'error' : 'failure'
      const type = r.verdict === 'timeout' ? 'timeout' : r.verdict === 'error' ? 'error' : 'expectation'
      const message = `${r.failure.step}: expected ${r.failure.expectation}; ${r.failure.actual}`
      out.push(`      <${tag} message="${xml(message)}" type="${type}">${xml(failureText(r))}</${tag}>`)
    }
    const steps = r.steps.map((s) => `${s.status.padEnd(7)} ${s.step}${s.detail ? ` (${s.detail})` : ''}`).join('\n')
    if (steps) out.push(`      <system-out>${xml(steps)}</system-out>`)
    out.push('    </testcase>')
  }
  out.push('  </testsuite>', '</testsuites>', '')
  return out.join('\n')
}
