import {describe, expect, it} from '@jest/globals'
import {readFileSync, readdirSync} from 'node:fs'
import {execFileSync} from 'node:child_process'
import {join, relative} from 'node:path'
import {
  generateHeader,
  headerDefines,
  headerPathFor,
  loadHardwareDefinition,
  parseHardwareDefinition,
  parseManifest,
  resolveManifestReferences,
  resolvePeripheral,
  sdkHardwareDefinitionsDir,
} from '../../src/image/index.js'
import {SAMPLES, sphereError} from './helpers.js'

const enc = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o))
const META = {Type: 'Azure Sphere Hardware Definition', Version: 1}
const SDK = sdkHardwareDefinitionsDir()
const BOARDS = ['mt3620_rdb', 'seeed_mt3620_mdb', 'avnet_mt3620_sk', 'avnet_mt3620_sk_rev2', 'usi_mt3620_bt_evb']
const allSampleDefs = execFileSync('find', [SAMPLES, '-name', '*.json', '-not', '-name', 'app_manifest.json'])
  .toString()
  .trim()
  .split('\n')
  .sort()

describe("the Azure Sphere samples' hardware definitions", () => {
  it.each(BOARDS)(
    '%s/sample_appliance.json loads against our SDK definitions and its header defines the same names, byte for byte',
    (board) => {
      const file = join(SAMPLES, 'HardwareDefinitions', board, 'sample_appliance.json')
      const def = loadHardwareDefinition(file)
      expect(def.imports[0]?.definition.path).toBe(join(SDK, `${board}.json`))
      const theirs = readFileSync(headerPathFor(file), 'utf8')
      const ours = generateHeader(def)
      expect(headerDefines(ours)).toEqual(headerDefines(theirs))
      expect(ours).toBe(theirs)
      for (const p of def.peripherals) {
        const r = resolvePeripheral(def, p.Name)
        expect(r.chain.at(-1)).toMatch(/^MT3620_/)
        expect(r.headerValue).toMatch(/^\(-?\d+\)$/)
      }
    },
  )

  it(`all ${allSampleDefs.length} definitions in the fixtures (2020-2025 layouts) regenerate their own headers exactly`, () => {
    expect(allSampleDefs.length).toBeGreaterThanOrEqual(23)
    for (const f of allSampleDefs)
      expect([relative(SAMPLES, f), generateHeader(loadHardwareDefinition(f))]).toEqual([
        relative(SAMPLES, f),
        readFileSync(headerPathFor(f), 'utf8'),
      ])
  })

  it("resolves the samples' names to the documented MT3620 values", () => {
    const rdb = loadHardwareDefinition(join(SAMPLES, 'HardwareDefinitions', 'mt3620_rdb', 'sample_appliance.json'))
    expect(resolvePeripheral(rdb, '$SAMPLE_LED')).toMatchObject({
      type: 'Gpio',
      chain: ['SAMPLE_LED', 'MT3620_RDB_LED1_RED', 'MT3620_GPIO8'],
      headerValue: '(8)',
      appManifestValue: 8,
    })
    expect(resolvePeripheral(rdb, 'SAMPLE_LSM6DS3_I2C')).toMatchObject({
      type: 'I2cMaster',
      headerValue: '(2)',
      appManifestValue: 'ISU2',
    })
    expect(resolvePeripheral(rdb, 'SAMPLE_UART_LOOPBACK')).toMatchObject({
      type: 'Uart',
      headerValue: '(4)',
      appManifestValue: 'ISU0',
    })
    expect(resolvePeripheral(rdb, 'SAMPLE_LSM6DS3_SPI_CS')).toMatchObject({type: 'int', headerValue: '(-1)'})
    const seeed = loadHardwareDefinition(
      join(SAMPLES, 'HardwareDefinitions', 'seeed_mt3620_mdb', 'sample_appliance.json'),
    )
    expect(resolvePeripheral(seeed, 'SAMPLE_BUTTON_1').chain).toEqual([
      'SAMPLE_BUTTON_1',
      'SEEED_MT3620_MDB_J1_PIN9_GPIO30',
      'AILINK_WFM620RSC1_PIN9_GPIO30',
      'MT3620_GPIO30',
    ])
    const avnet = loadHardwareDefinition(
      join(SAMPLES, 'HardwareDefinitions', 'avnet_mt3620_sk', 'sample_appliance.json'),
    )
    expect(resolvePeripheral(avnet, 'SAMPLE_LSM6DSO_I2C').appManifestValue).toBe('ISU2')
  })

  it("maps $NAME references in the samples' manifests, per board", () => {
    const gpio = parseManifest(readFileSync(join(SAMPLES, 'Samples', 'GPIO', 'GPIO_HighLevelApp', 'app_manifest.json')))
    const want: Record<string, number[]> = {
      mt3620_rdb: [12, 8],
      seeed_mt3620_mdb: [30, 7],
      avnet_mt3620_sk: [12, 8],
      usi_mt3620_bt_evb: [12, 8],
    }
    for (const [board, gpios] of Object.entries(want)) {
      const def = loadHardwareDefinition(join(SAMPLES, 'HardwareDefinitions', board, 'sample_appliance.json'))
      expect(resolveManifestReferences(gpio, def).Capabilities.Gpio).toEqual(gpios)
    }
    const i2c = parseManifest(
      readFileSync(join(SAMPLES, 'Samples', 'I2C', 'I2C_LSM6DS3_HighLevelApp', 'app_manifest.json')),
    )
    const rdb = loadHardwareDefinition(join(SAMPLES, 'HardwareDefinitions', 'mt3620_rdb', 'sample_appliance.json'))
    expect(resolveManifestReferences(i2c, rdb).Capabilities.I2cMaster).toEqual(['ISU2'])
    const bad = {...gpio, Capabilities: {Uart: ['$SAMPLE_LED']}}
    expect(sphereError(() => resolveManifestReferences(bad, rdb)).message).toBe(
      'Capabilities.Uart[0]: $SAMPLE_LED is a Gpio peripheral, expected Uart',
    )
    const int = {...gpio, Capabilities: {Pwm: ['$SAMPLE_LED_PWM_CHANNEL']}}
    expect(sphereError(() => resolveManifestReferences(int, rdb)).message).toMatch(
      /is an int constant, not a peripheral/,
    )
    const typo = {...gpio, Capabilities: {Gpio: ['$SAMPLE_LDE']}}
    const e = sphereError(() => resolveManifestReferences(typo, rdb))
    expect(e.message).toBe(
      'Capabilities.Gpio[0]: peripheral SAMPLE_LDE is not defined in sample_appliance.json or its imports',
    )
    expect(e.suggestions[0]).toMatch(/SAMPLE_LED/)
  })
})

describe('our SDK hardware definitions (sdk/HardwareDefinitions)', () => {
  const historical: Record<string, string> = {
    'mt3620.json': 'release-20.04/Hardware/mt3620/mt3620.json',
    'mt3620_rdb.json': 'release-20.04/Hardware/mt3620_rdb/mt3620_rdb.json',
    'ailink_wfm620rsc1.json': 'release-20.04/Hardware/ailink_wfm620rsc1/ailink_wfm620rsc1.json',
    'seeed_mt3620_mdb.json': 'release-20.04/Hardware/seeed_mt3620_mdb/seeed_mt3620_mdb.json',
    'avnet_aesms_mt3620.json': 'release-20.04/Hardware/avnet_aesms_mt3620/avnet_aesms_mt3620.json',
    'avnet_mt3620_sk.json': 'release-20.04/Hardware/avnet_mt3620_sk/avnet_mt3620_sk.json',
    'usi_mt3620_bt_combo.json': 'release-20.04/Hardware/usi_mt3620_bt_combo/usi_mt3620_bt_combo.json',
    'usi_mt3620_bt_evb.json': 'release-20.04/Hardware/usi_mt3620_bt_evb/usi_mt3620_bt_evb.json',
    'avnet_aesms_mt3620_rev2.json':
      'release-20.10/HardwareDefinitions/avnet_mt3620_sk_rev2/avnet_aesms_mt3620_rev2.json',
    'avnet_mt3620_sk_rev2.json': 'release-20.10/HardwareDefinitions/avnet_mt3620_sk_rev2/avnet_mt3620_sk_rev2.json',
  }
  it.each(Object.keys(historical))('%s defines the same names, mappings and values as the published file', (name) => {
    const ours = loadHardwareDefinition(join(SDK, name))
    const theirs = loadHardwareDefinition(join(SAMPLES, historical[name] as string))
    expect(ours.peripherals.map((p) => p.Name).sort()).toEqual(theirs.peripherals.map((p) => p.Name).sort())
    for (const p of theirs.peripherals) {
      const mine = ours.peripherals.find((q) => q.Name === p.Name)
      expect([p.Name, mine?.Type, mine?.Mapping, mine?.MainCoreHeaderValue, mine?.AppManifestValue]).toEqual([
        p.Name,
        p.Type,
        p.Mapping,
        p.MainCoreHeaderValue,
        p.AppManifestValue,
      ])
      const a = resolvePeripheral(ours, p.Name)
      const b = resolvePeripheral(theirs, p.Name)
      expect([a.chain, a.headerValue, a.appManifestValue]).toEqual([b.chain, b.headerValue, b.appManifestValue])
    }
    expect(ours.name).toBe(theirs.name)
  })

  it('every SDK definition has an up-to-date header in sdk/HardwareDefinitions/inc/hw', () => {
    const jsons = readdirSync(SDK).filter((f) => f.endsWith('.json'))
    expect(jsons.length).toBe(10)
    for (const f of jsons)
      expect(readFileSync(headerPathFor(join(SDK, f)), 'utf8')).toBe(
        generateHeader(loadHardwareDefinition(join(SDK, f))),
      )
  })

  it('mt3620.json has the documented 101 peripherals', () => {
    const chip = loadHardwareDefinition(join(SDK, 'mt3620.json'))
    expect(chip.peripherals.length).toBe(101)
    expect(chip.peripherals.filter((p) => p.Type === 'Gpio').length).toBe(68)
    expect(resolvePeripheral(chip, 'MT3620_ISU3_UART')).toMatchObject({headerValue: '(7)', appManifestValue: 'ISU3'})
  })
})

describe('bad hardware definitions', () => {
  const def = (peripherals: unknown[], extra: Record<string, unknown> = {}) =>
    enc({Metadata: META, Peripherals: peripherals, ...extra})
  const base = {Name: 'CHIP_GPIO1', Type: 'Gpio', MainCoreHeaderValue: '(1)', AppManifestValue: 1}
  it('each gives a one-line error naming the file and key path', () => {
    const cases: [Uint8Array, RegExp, Record<string, Uint8Array>?][] = [
      [enc({Peripherals: []}), /definition\.json: Metadata: required key is missing/],
      [
        enc({Metadata: {...META, Type: 'x'}, Peripherals: []}),
        /Metadata\.Type: expected "Azure Sphere Hardware Definition"/,
      ],
      [def([{...base, Name: '1BAD'}]), /Peripherals\[0\]\.Name: expected a C identifier/],
      [def([base, base]), /Peripherals\[1\] \(CHIP_GPIO1\)\.Name: duplicate peripheral name/],
      [def([{...base, Type: 'Gpi'}]), /\.Type: expected one of Gpio, Pwm/],
      [def([{...base, MainCoreHeaderValue: '8'}]), /MainCoreHeaderValue: expected a Mapping, or a value like "\(8\)"/],
      [def([{...base, Mapping: 'X'}]), /has both Mapping and a base value/],
      [
        def([
          {Name: 'A', Type: 'Gpio', Mapping: 'B'},
          {Name: 'B', Type: 'Gpio', Mapping: 'A'},
        ]),
        /mapping cycle A -> B -> A/,
      ],
      [def([{Name: 'A', Type: 'Gpio', Mapping: 'NOPE'}]), /A maps to NOPE|peripheral NOPE is not defined|NOPE/],
      [
        def([base, {Name: 'A', Type: 'Uart', Mapping: 'CHIP_GPIO1'}]),
        /A has Type Uart but maps to CHIP_GPIO1 of Type Gpio/,
      ],
      [def([{...base, Comment: 'two\nlines'}]), /Comment: expected a one-line string/],
      [def([], {Imports: [{Path: 'missing.json'}]}), /import "missing.json" not found/],
      [
        def([], {Imports: [{Path: 'a.json'}]}),
        /import cycle/,
        {'a.json': enc({Metadata: META, Imports: [{Path: 'definition.json'}], Peripherals: []})},
      ],
      [
        def([base], {Imports: [{Path: 'chip.json'}]}),
        /peripheral CHIP_GPIO1 is already defined in chip\.json/,
        {'chip.json': def([base])},
      ],
      [enc('{"Metadata": '), /definition\.json: unexpected end of input at line 1, column 14/],
      [def([], {Extra: true}), /Extra: unknown key/],
    ]
    for (const [bytes, re, files] of cases)
      expect(sphereError(() => parseHardwareDefinition(bytes, files ?? {})).message).toMatch(re)
  })

  it('a valid in-memory chain resolves and generates a header', () => {
    const chip = def([base, {Name: 'CHIP_CH0', Type: 'int', MainCoreHeaderValue: '(0)'}], {Description: {Name: 'Chip'}})
    const board = def([{Name: 'BOARD_LED', Type: 'Gpio', Mapping: 'CHIP_GPIO1', Comment: 'LED'}], {
      Imports: [{Path: 'chip.json'}],
    })
    const d = parseHardwareDefinition(board, {'chip.json': chip}, 'board.json')
    expect(resolvePeripheral(d, 'BOARD_LED').appManifestValue).toBe(1)
    expect(generateHeader(d)).toBe(
      '// This file is autogenerated from ../../board.json.  Do not edit it directly.\n\n#pragma once\n#include "chip.h"\n\n// LED\n#define BOARD_LED CHIP_GPIO1\n\n',
    )
  })
})
