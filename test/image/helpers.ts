import {generateKeyPairSync} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect} from '@jest/globals'
import {SphereError} from '../../src/util/errors.js'
import {packApplication, signingKeyFromPem, type AppManifest, type SigningKey} from '../../src/image/index.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const FIX = join(ROOT, 'test', 'fixtures', 'image')
export const SAMPLES = join(FIX, 'azure-sphere-samples')
export const ANVIL_PACKAGE = join(
  FIX,
  'anvil-azure-sphere-re',
  'tools',
  'fuzzers',
  'templates',
  'test_app.imagepackage',
)
export const KEYS = join(FIX, 'keys')

export function readFixture(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(FIX, ...parts)))
}

export function tempDir(prefix = 'sphere-image-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

export function newKey(name = 'test key'): SigningKey {
  const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
  return signingKeyFromPem(privateKey.export({type: 'pkcs8', format: 'pem'}) as string, name)
}

export const testManifest = (over: Partial<AppManifest> = {}): AppManifest => ({
  SchemaVersion: 1,
  Name: 'Blink',
  ComponentId: '1689d8b2-c835-2e27-27ad-e894d6d15fa9',
  EntryPoint: '/bin/app',
  CmdArgs: ['--verbose'],
  Capabilities: {Gpio: [8, 9], Uart: ['ISU0'], AllowedConnections: ['example.com']},
  ApplicationType: 'Default',
  ...over,
})

/** A small signed package: two one-page files, 3 pages + metadata + signature. */
export function smallPackage(key: SigningKey): Uint8Array {
  return packApplication({
    manifest: testManifest(),
    files: {'bin/app': new TextEncoder().encode('\0asm\u0001\0\0\0')},
    key,
    imageId: 'c25d88f4-9900-4a8e-9d2c-afc199c28151',
    buildDate: 1700000000,
  })
}

/** Runs fn and returns the SphereError it throws, checking it is one line; fails if it does not throw one. */
export function sphereError(fn: () => unknown): SphereError {
  try {
    fn()
  } catch (e) {
    if (!(e instanceof SphereError)) throw e
    expect(e.message).not.toMatch(/[\r\n]/)
    expect(e.message.length).toBeGreaterThan(0)
    expect(e.code).toMatch(/^[A-Z][A-Z0-9_]+$/)
    return e
  }
  throw new Error('expected a SphereError, but nothing was thrown')
}

/** Little-endian helpers for tests. */
export const u16 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint16(o, true)
export const u32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint32(o, true)
export const setU32 = (b: Uint8Array, o: number, v: number): void =>
  new DataView(b.buffer, b.byteOffset).setUint32(o, v >>> 0, true)
export const setU16 = (b: Uint8Array, o: number, v: number): void =>
  new DataView(b.buffer, b.byteOffset).setUint16(o, v, true)
