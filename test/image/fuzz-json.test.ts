import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {
  parseHardwareDefinition,
  parseManifest,
  resolveManifestReferences,
  serializeManifest,
  validateManifest,
  generateHeader,
  type AppManifest,
} from '../../src/image/index.js'
import {onlySphereErrors} from './fuzz-helpers.js'
import {testManifest} from './helpers.js'

const enc = (s: string) => new TextEncoder().encode(s)

/** Character-level mutations of a text: replace, insert, delete, duplicate a slice. */
const textMutation = fc.record({
  op: fc.constantFrom('replace', 'insert', 'delete', 'dup'),
  at: fc.nat(),
  len: fc.integer({min: 1, max: 12}),
  text: fc.oneof(
    fc.string({maxLength: 6}),
    fc.constantFrom(
      '"',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '\\',
      '\\u',
      '1e999',
      '-',
      'null',
      '"$X"',
      '""',
      '\u0000',
      '\uFEFF',
      '"Gpio"',
    ),
  ),
})
function mutateText(s: string, muts: {op: string; at: number; len: number; text: string}[]): string {
  let t = s
  for (const m of muts) {
    const at = t.length ? m.at % t.length : 0
    if (m.op === 'replace') t = t.slice(0, at) + m.text + t.slice(at + m.len)
    else if (m.op === 'insert') t = t.slice(0, at) + m.text + t.slice(at)
    else if (m.op === 'delete') t = t.slice(0, at) + t.slice(at + m.len)
    else t = t.slice(0, at) + t.slice(at, at + m.len) + t.slice(at)
  }
  return t
}

const manifestText = JSON.stringify(
  {
    ...testManifest(),
    Capabilities: {
      Gpio: [1, '$LED'],
      Uart: ['ISU0'],
      MutableStorage: {SizeKB: 8},
      AllowedTcpServerPorts: [80],
      PowerControls: ['ForceReboot'],
      WifiConfig: true,
    },
  },
  null,
  2,
)

describe('fuzz: app manifest parser and validator', () => {
  it('8,000 mutated manifest texts: only SphereErrors; accepted ones re-serialise and re-parse to the same value', () => {
    let ok = 0
    fc.assert(
      fc.property(fc.array(textMutation, {minLength: 1, maxLength: 4}), (muts) => {
        const t = mutateText(manifestText, muts)
        onlySphereErrors(() => {
          const m = parseManifest(t)
          ok++
          expect(parseManifest(serializeManifest(m))).toEqual(m)
        })
      }),
      {numRuns: 8000},
    )
    expect(ok).toBeGreaterThan(50)
  })

  it('6,000 random JSON values and objects shaped like manifests', () => {
    const capArb = fc.dictionary(
      fc.constantFrom(
        'Gpio',
        'Uart',
        'I2cMaster',
        'Adc',
        'Pwm',
        'MutableStorage',
        'AllowedConnections',
        'PowerControls',
        'WifiConfig',
        'Bogus',
      ),
      fc.jsonValue({maxDepth: 2}),
      {maxKeys: 4},
    )
    const shaped = fc.record(
      {
        SchemaVersion: fc.oneof(fc.constant(1), fc.jsonValue({maxDepth: 1})),
        Name: fc.string(),
        ComponentId: fc.oneof(fc.uuid(), fc.string()),
        EntryPoint: fc.oneof(fc.constant('/bin/app'), fc.string()),
        Capabilities: capArb,
      },
      {requiredKeys: []},
    )
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({maxDepth: 4}), shaped), (v) => {
        onlySphereErrors(() => validateManifest(v))
      }),
      {numRuns: 6000},
    )
  })

  it('6,000 random strings and byte strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({maxLength: 200}), fc.json({maxDepth: 3})),
        fc.uint8Array({maxLength: 100}),
        (s, bytes) => {
          onlySphereErrors(() => parseManifest(s))
          onlySphereErrors(() => parseManifest(bytes))
        },
      ),
      {numRuns: 6000},
    )
  })
})

const META = '"Metadata": {"Type": "Azure Sphere Hardware Definition", "Version": 1}'
const chip = `{${META}, "Description": {"Name": "Chip", "MainCoreHeaderFileTopContent": ["// chip"]}, "Peripherals": [
  {"Name": "C_GPIO1", "Type": "Gpio", "MainCoreHeaderValue": "(1)", "AppManifestValue": 1, "Comment": "gpio"},
  {"Name": "C_ISU0_UART", "Type": "Uart", "MainCoreHeaderValue": "(4)", "AppManifestValue": "ISU0"},
  {"Name": "C_CH0", "Type": "int", "MainCoreHeaderValue": "(0)"}]}`
const board = `{${META}, "Imports": [{"Path": "chip.json"}], "Peripherals": [
  {"Name": "B_LED", "Type": "Gpio", "Mapping": "C_GPIO1", "Comment": "led"},
  {"Name": "B_UART", "Type": "Uart", "Mapping": "C_ISU0_UART"},
  {"Name": "B_CH", "Type": "int", "Mapping": "C_CH0"}]}`
const app = `{${META}, "Imports": [{"Path": "board.json"}], "Peripherals": [{"Name": "LED", "Type": "Gpio", "Mapping": "B_LED"}, {"Name": "UART", "Type": "Uart", "Mapping": "B_UART"}]}`

describe('fuzz: hardware definition loader', () => {
  const manifest: AppManifest = {...testManifest(), Capabilities: {Gpio: ['$LED'], Uart: ['$UART']}}
  it('the unmutated chain works', () => {
    const d = parseHardwareDefinition(enc(app), {'chip.json': enc(chip), 'board.json': enc(board)}, 'app.json')
    expect(resolveManifestReferences(manifest, d).Capabilities).toEqual({Gpio: [1], Uart: ['ISU0']})
  })

  it('12,000 mutated definitions (any of the three files) and random JSON: only SphereErrors', () => {
    let ok = 0
    fc.assert(
      fc.property(
        fc.nat({max: 3}),
        fc.array(textMutation, {minLength: 1, maxLength: 3}),
        fc.jsonValue({maxDepth: 3}),
        (which, muts, rnd) => {
          const files = [chip, board, app].map((t, i) => (i === which ? mutateText(t, muts) : t))
          if (which === 3) files[2] = JSON.stringify(rnd)
          onlySphereErrors(() => {
            const d = parseHardwareDefinition(
              enc(files[2] as string),
              {'chip.json': enc(files[0] as string), 'board.json': enc(files[1] as string)},
              'app.json',
            )
            generateHeader(d)
            resolveManifestReferences(manifest, d)
            ok++
          })
        },
      ),
      {numRuns: 12000},
    )
    expect(ok).toBeGreaterThan(50)
  })
})
