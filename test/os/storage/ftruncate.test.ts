/**
 * ftruncate (WASI fd_filestat_set_size) on mutable storage behaves as on Linux: shrink drops the tail, extend
 * fills with zeros, past the quota is ENOSPC, and what is on flash matches what the app reads back. A file
 * not open for writing, or not a file, is EINVAL.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {Device, Errno} from '../../../src/os/index.js'
import {appImage, CACHE_DIR, cid, logged, tempDir} from '../helpers.js'

const APP = `(module
  (import "applibs" "storage_open_mutable" (func $mut (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $trunc (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $stat (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 0x2000) "0123456789abcdefghij")
  ;;@lib
  (func $size (param $fd i32) (result i32)
    (drop (call $stat (local.get $fd) (i32.const 0x3000)))
    (i32.wrap_i64 (i64.load (i32.const 0x3020))))
  (func (export "_start")
    (local $fd i32)
    (local.set $fd (call $mut))
    (i32.store (i32.const 0x1000) (i32.const 0x2000))
    (i32.store (i32.const 0x1004) (i32.const 20))
    (drop (call $write (local.get $fd) (i32.const 0x1000) (i32.const 1) (i32.const 0x1008)))
    (call $log_num (i32.const 0x2100) (i32.const 6) (call $trunc (local.get $fd) (i64.const 8)))
    (call $log_num (i32.const 0x2110) (i32.const 5) (call $size (local.get $fd)))
    (call $log_num (i32.const 0x2120) (i32.const 6) (call $trunc (local.get $fd) (i64.const 12)))
    (call $log_num (i32.const 0x2130) (i32.const 5) (call $size (local.get $fd)))
    (call $log_num (i32.const 0x2140) (i32.const 4) (call $trunc (local.get $fd) (i64.const 0x100000)))
    (call $log_num (i32.const 0x2150) (i32.const 5) (call $trunc (i32.const 1) (i64.const 0)))
    (call $log_num (i32.const 0x2160) (i32.const 5) (call $trunc (i32.const 99) (i64.const 0)))
    (call $log_num (i32.const 0x2170) (i32.const 3) (call $trunc (local.get $fd) (i64.const -1)))
    (call $sleep_forever))
  (data (i32.const 0x2100) "shrink")
  (data (i32.const 0x2110) "size1")
  (data (i32.const 0x2120) "extend")
  (data (i32.const 0x2130) "size2")
  (data (i32.const 0x2140) "over")
  (data (i32.const 0x2150) "stdio")
  (data (i32.const 0x2160) "badfd")
  (data (i32.const 0x2170) "neg"))`

describe('ftruncate on mutable storage', () => {
  let tmp: {dir: string; cleanup: () => void}
  let dev: Device

  beforeAll(async () => {
    tmp = tempDir('sphere-ftruncate-')
    dev = await Device.boot({stateDir: join(tmp.dir, 'state'), clock: 'fast-forward', cacheDir: CACHE_DIR})
    await dev.install(await appImage(0x7c, 'Trunc', APP, {MutableStorage: {SizeKB: 8}}))
    await dev.runFor(100)
  }, 60_000)
  afterAll(async () => {
    await dev.shutdown()
    tmp.cleanup()
  })

  test('shrink, extend with zeros, past the quota, not a file', () => {
    const r = logged(dev.appLog(cid(0x7c)))
    expect(r).toMatchObject({
      shrink: 0,
      size1: 8,
      extend: 0,
      size2: 12,
      over: Errno.ENOSPC,
      stdio: Errno.EINVAL,
      badfd: Errno.EBADF,
      neg: Errno.EINVAL,
    })
  })

  test('flash holds what the app reads: the first 8 bytes, then zeros', () => {
    const onFlash = dev.store.readMutable(cid(0x7c))
    expect(onFlash && Buffer.from(onFlash).toString('latin1')).toBe('01234567\0\0\0\0')
  })
})
