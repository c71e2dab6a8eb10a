/**
 * The build-time manifest validator (dist/image/manifest-validator.cjs, from scripts/gen-manifest-validator.mjs) is
 * the schema compiled by the same ajv set-up: it records the current schema's hash and gives ajv's verdict and errors
 * on valid and invalid manifests alike. (`npm test` builds first; the CLI uses this file at run time.)
 */
import {describe, expect, test} from '@jest/globals'
import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {createManifestAjv, MANIFEST_SCHEMA_URL, manifestSchemaHash} from '../../src/image/manifest.js'

const built = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'image', 'manifest-validator.cjs')
const valid = {SchemaVersion: 1, Name: 'x', ComponentId: '5ee0b000-0000-4000-8000-0000000000c1', EntryPoint: '/bin/app', CmdArgs: [], Capabilities: {Gpio: [8], AllowedConnections: ['example.com']}, ApplicationType: 'Default'}
const cases: unknown[] = [
  valid,
  {...valid, Name: ''},
  {...valid, Capabilities: {Gpio: ['x', -1]}},
  {...valid, Unknown: 1},
  {...valid, SchemaVersion: 'one'},
  {...valid, ApplicationType: 'Other'},
  [],
  null,
]

describe('precompiled manifest validator', () => {
  test('made from the current schema; the same verdicts and errors as compiling the schema', () => {
    expect(existsSync(built)).toBe(true)
    type V = ((d: unknown) => boolean) & {errors?: unknown; schemaSha256?: string}
    const pre = createRequire(import.meta.url)(built) as V
    const text = readFileSync(MANIFEST_SCHEMA_URL, 'utf8')
    expect(pre.schemaSha256).toBe(manifestSchemaHash(text))
    const compiled = createManifestAjv().compile(JSON.parse(text))
    for (const c of cases) {
      const a = pre(c)
      const errorsA = pre.errors
      expect(compiled(c)).toBe(a)
      expect(compiled.errors ?? null).toEqual(errorsA ?? null)
    }
    expect(pre(valid)).toBe(true)
    expect(pre(cases[1])).toBe(false)
  })

  test('self-contained: the ajv run-time code it uses is inside it, so loading it resolves no package', () => {
    const source = readFileSync(built, 'utf8')
    // require() calls only; ajv's quoted `.code` strings ('require("...")') are text
    expect(source.match(/(?<!['"])\brequire\(/g)).toBeNull()
    type V = ((d: unknown) => boolean) & {errors?: unknown}
    const pre = createRequire(import.meta.url)(built) as V
    // minLength counts code points (ucs2length) and uniqueItems compares entries (fast-deep-equal): both inlined
    expect(pre({...valid, Name: '\u{1F600}'.repeat(1024)})).toBe(true) // 2048 UTF-16 units, 1024 code points: at the limit
    expect(pre({...valid, Name: '\u{1F600}'.repeat(1025)})).toBe(false)
    expect(pre({...valid, Capabilities: {Gpio: [8, 8]}})).toBe(false)
    expect(JSON.stringify(pre.errors)).toMatch(/uniqueItems/)
  })
})
