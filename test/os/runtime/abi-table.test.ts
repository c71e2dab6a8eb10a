/**
 * The syscall table is the one definition of the app ABI: sdk/ABI.md's import tables and internal.h's
 * declarations are generated from it, the AssemblyScript declarations and the SDK's test host are checked
 * against it, and a documented import without an implementation is an error. The fixtures below show each
 * check failing when a copy drifts (as test/cli/layers.test.ts does for the layer rule).
 */
import {describe, expect, test} from '@jest/globals'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Errno} from '../../../src/os/kernel/errno.js'
import {checkAbi, checkHostImports} from '../../../src/os/runtime/syscalls/abi-docs.js'
import {SyscallTable, bindTable} from '../../../src/os/runtime/syscalls/dispatch.js'
import {SYSCALLS} from '../../../src/os/runtime/syscalls/table.js'
import {syscall, type SyscallGroup} from '../../../src/os/runtime/syscalls/types.js'
import {ABI_SIGNATURES} from '../../../src/os/runtime/abi.js'
import type {SysCtx} from '../../../src/os/runtime/context.js'

const root = join(import.meta.dirname, '..', '..', '..')
const read = (...p: string[]): string => readFileSync(join(root, ...p), 'utf8')
const files = () => ({
  abiMd: read('sdk', 'ABI.md'),
  internalH: read('sdk', 'libapplibs', 'internal.h'),
  asImports: read('sdk', 'assemblyscript', 'lib', 'applibs', 'imports.ts'),
})

/** A table of the real groups plus one more. */
const withExtra = (g: SyscallGroup): SyscallTable => new SyscallTable([...SYSCALLS.groups, g])
const extraGroup = (name: string, params = 'int32_t fd'): SyscallGroup => ({
  source: 'test',
  bind: () => ({[name]: () => 0}),
  entries: [syscall('applibs', name, params, {policy: {none: 'test'}, doc: 'test'})],
})

describe('the syscall table', () => {
  test('ABI.md, internal.h and the AssemblyScript declarations agree with it', () => {
    expect(checkAbi(SYSCALLS, files())).toEqual([])
    expect(SYSCALLS.entries.length).toBeGreaterThan(140)
  })

  test('the install-time signature check is the table', () => {
    expect(ABI_SIGNATURES.applibs.gpio_set_value).toBe('ii->i')
    expect(ABI_SIGNATURES.wasi_snapshot_preview1.fd_seek).toBe('iIii->i')
    expect(ABI_SIGNATURES.applibs.adc_set_reference_voltage).toBe('iif->i')
    expect(ABI_SIGNATURES.wasi_snapshot_preview1.proc_exit).toBe('i->')
    expect(Object.values(ABI_SIGNATURES).reduce((n, m) => n + Object.keys(m).length, 0)).toBe(SYSCALLS.entries.length)
  })

  test('an import added to the table but not to ABI.md / internal.h fails the check', () => {
    const p = checkAbi(withExtra(extraGroup('gpio_frobnicate')), files())
    expect(p).toContain('applibs.gpio_frobnicate is in the syscall table but not in sdk/ABI.md')
    expect(p).toContain('applibs.gpio_frobnicate is in the syscall table but not declared in sdk/libapplibs/internal.h')
    expect(p).toContain('sdk/ABI.md: the import tables differ from the syscall table (run node scripts/gen-abi.mjs)')
  })

  test('an import documented or declared but not implemented fails the check', () => {
    const f = files()
    f.abiMd = f.abiMd.replace('## What the SDK toolchain links', 'Also `applibs_frobnicate(fd)`.\n\n## What the SDK toolchain links')
    f.abiMd = f.abiMd.replace('## Module `applibs`', '## Module `applibs`\nSee `gpio_frobnicate(fd)`.')
    f.internalH = f.internalH.replace('/* ---- helpers ---- */', 'APPLIBS("certstore_frob") int32_t __applibs_certstore_frob(void);\n/* ---- helpers ---- */')
    const p = checkAbi(SYSCALLS, f)
    expect(p).toContain('sdk/ABI.md documents applibs.gpio_frobnicate, which has no implementation in the syscall table')
    expect(p).toContain('sdk/libapplibs/internal.h declares applibs.certstore_frob, which has no implementation in the syscall table')
  })

  test('a hand edit of a generated line or a drifting C prototype fails the check', () => {
    const f = files()
    f.internalH = f.internalH.replace('__applibs_gpio_set_value(int32_t fd, int32_t value)', '__applibs_gpio_set_value(int32_t fd, uint8_t value)')
    const p = checkAbi(SYSCALLS, f)
    expect(p).toContain('sdk/libapplibs/internal.h: the import declarations differ from the syscall table (run node scripts/gen-abi.mjs)')
    expect(p).toContain('sdk/libapplibs/internal.h declares applibs.gpio_set_value as int32_t(int32_t fd, uint8_t value), the table as int32_t(int32_t fd, int32_t value)')
  })

  test('an AssemblyScript declaration the table lacks, or with another signature, fails the check', () => {
    const f = files()
    f.asImports += '\n@external("applibs", "gpio_set_value")\nexport declare function bad(fd: i32, value: i64): i32\n'
    f.asImports += '\n@external("sphere", "fork")\nexport declare function fork(): i32\n'
    const p = checkAbi(SYSCALLS, f)
    expect(p).toContain('the AssemblyScript library declares applibs.gpio_set_value as iI->i, the table as ii->i')
    expect(p).toContain('the AssemblyScript library declares sphere.fork, which has no implementation in the syscall table')
  })

  test('a test host faking an import the table lacks, or with more parameters, is reported', () => {
    expect(checkHostImports(SYSCALLS, {sphere: {getpid: () => 1}})).toEqual([])
    expect(checkHostImports(SYSCALLS, {sphere: {fork: () => 1}})).toEqual(['the test host implements sphere.fork, which the syscall table lacks'])
    expect(checkHostImports(SYSCALLS, {applibs: {gpio_set_value: (_a: number, _b: number, _c: number) => 0}})).toEqual([
      "the test host's applibs.gpio_set_value takes 3 parameters, the table 2",
    ])
  })

  test('a duplicate entry is an error when the table is built, naming both sources', () => {
    const dup: SyscallGroup = {
      source: 'test/dup',
      bind: () => ({gpio_set_value: () => 0}),
      entries: [syscall('applibs', 'gpio_set_value', 'int32_t fd, int32_t value', {policy: {none: 'test'}, doc: 'test'})],
    }
    expect(() => withExtra(dup)).toThrow(
      'syscall table: applibs.gpio_set_value is defined twice (src/os/runtime/applibs/peripherals.ts and test/dup)',
    )
  })

  test('a bad memory spec or an unknown C type is an error when the table is built', () => {
    expect(() => withExtra(extraGroup('x_a', 'int32_t fd, void *buf'))).not.toThrow()
    const badMem: SyscallGroup = {
      ...extraGroup('x_b', 'int32_t fd, void *buf'),
      entries: [syscall('applibs', 'x_b', 'int32_t fd, void *buf', {policy: {none: 't'}, doc: 't', mem: ['buf[len]']})],
    }
    expect(() => withExtra(badMem)).toThrow('syscall table: applibs.x_b: memory spec length names no parameter len')
    expect(() => withExtra(extraGroup('x_c', 'struct foo bar'))).toThrow('syscall table: no wasm type for C type "struct foo"')
  })

  test('a group whose code and entries disagree is an error when bound', () => {
    const ctx = {} as SysCtx
    const extraImpl: SyscallGroup = {...extraGroup('x_d'), bind: () => ({x_d: () => 0, x_e: () => 0})}
    expect(() => bindTable(new SyscallTable([extraImpl]), ctx)).toThrow('syscall table: test implements x_e, which has no table entry')
    const missing: SyscallGroup = {...extraGroup('x_f'), bind: () => ({})}
    expect(() => bindTable(new SyscallTable([missing]), ctx)).toThrow('syscall table: test has no implementation of x_f')
  })
})

describe('the dispatch wrapper', () => {
  /** A context with 64 KiB of memory and a recording LSM that allows gpio 8 only. */
  function ctx(): {c: SysCtx; checks: unknown[]; calls: unknown[][]} {
    const checks: unknown[] = []
    const memory = {buffer: new ArrayBuffer(65536), grow: () => -1}
    const c = {
      mem: {ok: (p: number, n: number) => (p >>> 0) + n <= memory.buffer.byteLength},
      subject: {kind: 'app', componentId: 'x', pid: 1},
      lsm: {
        check: (_s: unknown, op: {op: string; gpio: number}) => {
          checks.push(op)
          return op.gpio === 8 ? {allowed: true, reason: '', errno: 0} : {allowed: false, reason: 'no', errno: Errno.EACCES}
        },
      },
    } as unknown as SysCtx
    return {c, checks, calls: []}
  }
  const group = (calls: unknown[][]): SyscallGroup => ({
    source: 'test',
    bind: () => ({
      t_open: (id: number, buf: number, len: number) => {
        calls.push([id, buf, len])
        return 3
      },
    }),
    entries: [
      syscall('applibs', 't_open', 'int32_t id, void *buf, uint32_t len', {
        mem: ['buf[len]!'],
        policy: (_c, gpio: number) => ({op: 'gpio.open', gpio}),
        doc: 't',
      }),
    ],
  })

  test('memory checks run first (EFAULT, the LSM not asked), then the policy, then the implementation', () => {
    const {c, checks, calls} = ctx()
    const f = bindTable(new SyscallTable([group(calls)]), c).get('applibs.t_open') as (...a: number[]) => number
    expect(f.length).toBe(3)
    expect(f(8, 0, 4)).toBe(-Errno.EFAULT) // NULL refused by '!'
    expect(f(8, 65530, 16)).toBe(-Errno.EFAULT) // past the end
    expect(f(8, 16, -1)).toBe(-Errno.EFAULT) // a negative length
    expect(checks).toEqual([])
    expect(f(9, 16, 4)).toBe(-Errno.EACCES) // denied: the implementation never runs
    expect(calls).toEqual([])
    expect(f(8, 16, 4)).toBe(3)
    expect(checks).toEqual([{op: 'gpio.open', gpio: 9}, {op: 'gpio.open', gpio: 8}])
    expect(calls).toEqual([[8, 16, 4]])
  })

  test('every table entry has a policy: an LSM operation or a stated reason', () => {
    for (const e of SYSCALLS.entries) {
      const p = e.spec.policy
      const ok = typeof p === 'function' || ('none' in p && p.none.length > 5) || ('inImpl' in p && p.inImpl.length > 5)
      expect([e.key, ok]).toEqual([e.key, true])
      expect([e.key, e.spec.doc.length > 3]).toEqual([e.key, true])
    }
  })
})
