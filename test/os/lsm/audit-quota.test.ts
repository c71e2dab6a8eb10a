import {afterAll, describe, expect, test} from '@jest/globals'
import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Lsm, type Subject} from '../../../src/os/lsm/lsm.js'
import {AUDIT_PINS, AUDIT_RING, TAIL_RECENT, TAIL_SUBJECTS} from '../../../src/os/lsm/audit.js'
import {compilePolicy} from '../../../src/os/lsm/policy.js'
import {AuditStore} from '../../../src/os/storage/audit-store.js'
import {StateStore} from '../../../src/os/storage/state-store.js'
import {cid, tempDir} from '../helpers.js'

const dirs: (() => void)[] = []
afterAll(() => dirs.forEach((c) => c()))
function stateDir(): string {
  const t = tempDir()
  dirs.push(t.cleanup)
  return t.dir
}

function lsmWith(n: number[]): Lsm {
  const lsm = new Lsm(() => 0)
  for (const i of n)
    lsm.setPolicy(
      compilePolicy({
        SchemaVersion: 1,
        Name: `app${i}`,
        ComponentId: cid(i),
        EntryPoint: '/bin/app',
        CmdArgs: [],
        Capabilities: {Gpio: [8]},
        ApplicationType: 'Default',
      }),
    )
  return lsm
}
const app = (i: number): Subject => ({kind: 'app', componentId: cid(i), pid: 100 + i})

describe('audit quotas', () => {
  test('a flood of distinct denials by one app evicts only its own records: another app’s denial stays', () => {
    const lsm = lsmWith([1, 2])
    lsm.check(app(2), {op: 'gpio.open', gpio: 9})
    lsm.check(app(2), {op: 'gpio.open', gpio: 10})
    for (let i = 0; i < 3 * AUDIT_RING; i++) lsm.check(app(1), {op: 'gpio.open', gpio: 1000 + i})
    expect(lsm.auditLog({componentId: cid(2)}).map((r) => r.object)).toEqual(['gpio=9', 'gpio=10'])
    expect(lsm.auditLog({componentId: cid(1)})).toHaveLength(AUDIT_RING - 2)
    expect(lsm.auditLog().length).toBe(AUDIT_RING)
    expect(lsm.auditCount).toBe(2 + 3 * AUDIT_RING)
  })

  test('when the log is full, the subject holding the most loses its oldest: fair shares are kept whole', () => {
    const lsm = lsmWith([1, 2, 3, 4])
    for (const i of [2, 3, 4]) for (let k = 0; k < 2000; k++) lsm.check(app(i), {op: 'gpio.open', gpio: 100 + k})
    for (let k = 0; k < 30_000; k++) lsm.check(app(1), {op: 'gpio.open', gpio: 100_000 + k})
    for (const i of [2, 3, 4]) expect(lsm.auditLog({componentId: cid(i)})).toHaveLength(2000)
    expect(lsm.auditLog({componentId: cid(1)})).toHaveLength(AUDIT_RING - 6000)
    // a second flooder: the two share what is left, the others still keep theirs
    for (let k = 0; k < 30_000; k++) lsm.check(app(2), {op: 'gpio.open', gpio: 200_000 + k})
    expect(lsm.auditLog({componentId: cid(3)})).toHaveLength(2000)
    expect(lsm.auditLog({componentId: cid(4)})).toHaveLength(2000)
    const one = lsm.auditLog({componentId: cid(1)}).length
    const two = lsm.auditLog({componentId: cid(2)}).length
    expect(one + two).toBe(AUDIT_RING - 4000)
    expect(Math.abs(one - two)).toBeLessThanOrEqual(2) // pins aside, max-min fair
  })

  test('its own first denial of each kind is kept, and counts every later denial of that kind', () => {
    const lsm = lsmWith([1])
    lsm.check(app(1), {op: 'time.set'})
    lsm.check(app(1), {op: 'gpio.open', gpio: 5})
    for (let i = 0; i < 20_000; i++) lsm.check(app(1), {op: 'gpio.open', gpio: 1000 + i})
    const log = lsm.auditLog({componentId: cid(1), deniedOnly: true})
    expect(log.find((r) => r.operation === 'time.set')).toBeDefined()
    const firstGpio = log.find((r) => r.object === 'gpio=5')
    expect(firstGpio?.kindTotal).toBe(20_001)
  })

  test('repeated identical denials are one record with a count, moved to the end (new seq)', () => {
    const lsm = lsmWith([1])
    const seen: number[] = []
    lsm.onAudit((r) => seen.push(r.seq))
    lsm.check(app(1), {op: 'gpio.open', gpio: 8}) // allowed
    for (let i = 0; i < 50_000; i++) lsm.check(app(1), {op: 'gpio.open', gpio: 3})
    const log = lsm.auditLog({componentId: cid(1)})
    expect(log).toHaveLength(2)
    expect(log[1]).toMatchObject({object: 'gpio=3', allowed: false, count: 50_000})
    expect(log[1]!.seq).toBe(seen.at(-1))
    // a different denial in between starts a new record
    lsm.check(app(1), {op: 'gpio.open', gpio: 4})
    lsm.check(app(1), {op: 'gpio.open', gpio: 3})
    expect(lsm.auditLog({componentId: cid(1)}).map((r) => r.count ?? 1)).toEqual([1, 50_000, 1, 1])
    // allowed decisions are never folded
    lsm.check(app(1), {op: 'gpio.open', gpio: 8})
    lsm.check(app(1), {op: 'gpio.open', gpio: 8})
    expect(lsm.auditLog({componentId: cid(1)}).filter((r) => r.allowed)).toHaveLength(3)
  })
})

describe('the persisted tail of denials', () => {
  test('denials survive a restart (marked previousBoot, renumbered before new records); allowed ones are not kept', () => {
    const dir = stateDir()
    const a = lsmWith([1, 2])
    a.attachAuditStore(new AuditStore(dir))
    a.check(app(1), {op: 'gpio.open', gpio: 8})
    a.check(app(1), {op: 'time.set'}) // a first denial of its kind is written at once
    expect(existsSync(new AuditStore(dir).file)).toBe(true)
    for (let i = 0; i < 5000; i++) a.check(app(1), {op: 'gpio.open', gpio: 1000 + i})
    a.check(app(2), {op: 'power.control', action: 'ForceReboot'})
    a.flushAudit()

    const b = lsmWith([1, 2])
    b.attachAuditStore(new AuditStore(dir))
    const restored = b.auditLog()
    expect(restored.every((r) => r.previousBoot === true && !r.allowed)).toBe(true)
    expect(restored.map((r) => r.seq)).toEqual(restored.map((_, i) => i + 1))
    expect(restored.some((r) => r.subject === `app:${cid(1)}` && r.operation === 'time.set')).toBe(true)
    expect(restored.some((r) => r.subject === `app:${cid(2)}` && r.operation === 'power.control')).toBe(true)
    // pins + the latest denials of each subject
    const one = restored.filter((r) => r.subject === `app:${cid(1)}`)
    expect(one.length).toBe(2 + TAIL_RECENT)
    expect(one.at(-1)!.object).toBe('gpio=5999')
    b.check(app(1), {op: 'time.set'})
    expect(b.auditLog().at(-1)).toMatchObject({operation: 'time.set', seq: restored.length + 1})
    expect(b.auditLog().at(-1)!.previousBoot).toBeUndefined()
  })

  test('the tail stays bounded: at most TAIL_SUBJECTS subjects, kept across any number of restarts', () => {
    const dir = stateDir()
    const ids = Array.from({length: TAIL_SUBJECTS + 8}, (_, i) => i + 1)
    for (let boot = 0; boot < 3; boot++) {
      const l = lsmWith(ids)
      l.attachAuditStore(new AuditStore(dir))
      for (const i of ids) for (let k = 0; k < 100; k++) l.check(app(i), {op: 'gpio.open', gpio: 100 + k + boot})
      l.flushAudit()
    }
    const kept = new AuditStore(dir).read()
    expect(new Set(kept.map((r) => r.subject)).size).toBe(TAIL_SUBJECTS)
    expect(kept.length).toBeLessThanOrEqual(TAIL_SUBJECTS * (AUDIT_PINS + TAIL_RECENT))
  })

  test('a damaged tail file is ignored, not fatal; records read back are re-escaped', () => {
    const dir = stateDir()
    const s = new AuditStore(dir)
    s.write([])
    writeFileSync(s.file, '{"version":1,"records":[{"seq":1')
    expect(s.read()).toEqual([])
    const r = {seq: 1, t: 0, subject: 'app:x', operation: 'gpio.open', object: 'a\nb', allowed: false, reason: 'r'}
    writeFileSync(s.file, JSON.stringify({version: 1, records: [r, {seq: 'bad'}]}))
    expect(s.read()).toEqual([{...r, object: 'a\\nb'}])
    expect(readFileSync(s.file, 'utf8')).toContain('"version":1')
  })

  test('a temp file an interrupted write of the tail left behind is removed when the state is opened', () => {
    const dir = stateDir()
    mkdirSync(join(dir, 'audit'), {recursive: true})
    writeFileSync(join(dir, 'audit', '.denials.json.123.abc.tmp'), '{"version":1,"rec')
    new AuditStore(dir).write([])
    StateStore.open(dir)
    expect(readdirSync(join(dir, 'audit'))).toEqual(['denials.json'])
  })
})
