import {describe, expect, it} from '@jest/globals'
import {readFileSync} from 'node:fs'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {parseManifest, serializeManifest, validateManifest, parseStrictJson} from '../../src/image/index.js'
import {CAPABILITY_KEYS, MANIFEST_KEY_ORDER} from '../../src/image/manifest.js'
import {ROOT, SAMPLES, sphereError, testManifest} from './helpers.js'

const sampleManifests = execFileSync('find', [SAMPLES, '-name', 'app_manifest.json'])
  .toString()
  .trim()
  .split('\n')
  .sort()

describe('app_manifest.json validation', () => {
  it('accepts every complete app manifest in the Azure Sphere samples', () => {
    let complete = 0
    for (const f of sampleManifests) {
      const text = readFileSync(f, 'utf8')
      if (!text.includes('"SchemaVersion"')) continue // CodeSnippets hold capability fragments only
      complete++
      const m = parseManifest(text, {what: f})
      expect(m.SchemaVersion).toBe(1)
      expect(m.EntryPoint).toBe('/bin/app')
    }
    expect(complete).toBeGreaterThanOrEqual(30)
  })

  it('names the key path and what was expected', () => {
    const cases: [unknown, RegExp][] = [
      [
        {...testManifest(), Capabilities: {Gpio: [1, 2, 'LED']}},
        /^Capabilities\.Gpio\[2\]: expected an integer or a "\$NAME" peripheral reference, found string "LED"$/,
      ],
      [
        {...testManifest(), Capabilities: {Uart: ['ISU0', 7]}},
        /^Capabilities\.Uart\[1\]: expected an ISU name such as "ISU0" or a "\$NAME" peripheral reference/,
      ],
      [
        {...testManifest(), Capabilities: {MutableStorage: {SizeKB: 100}}},
        /^Capabilities\.MutableStorage\.SizeKB: expected a size in KiB from 1 to 64, found number 100$/,
      ],
      [
        {...testManifest(), Capabilities: {MutableStorage: {}}},
        /^Capabilities\.MutableStorage\.SizeKB: required key is missing$/,
      ],
      [{...testManifest(), Capabilities: {Gpoi: [1]}}, /^Capabilities\.Gpoi: unknown key; expected one of Gpio, Uart/],
      [
        {...testManifest(), Capabilities: {AllowedTcpServerPorts: [0]}},
        /^Capabilities\.AllowedTcpServerPorts\[0\]: expected a port number from 1 to 65535/,
      ],
      [{...testManifest(), Capabilities: {Gpio: [8, 8]}}, /^Capabilities\.Gpio\[1\]: duplicate entry 8$/],
      [
        {...testManifest(), Capabilities: {PowerControls: ['Reboot']}},
        /^Capabilities\.PowerControls\[0\]: expected one of "ForceReboot", "ForcePowerDown", "SetPowerProfile"/,
      ],
      [
        {...testManifest(), Capabilities: {WifiConfig: 'yes'}},
        /^Capabilities\.WifiConfig: expected true or false, found string "yes"$/,
      ],
      [
        {...testManifest(), Capabilities: {AllowedApplicationConnections: ['nope']}},
        /^Capabilities\.AllowedApplicationConnections\[0\]: expected a GUID/,
      ],
      [{...testManifest(), ComponentId: 'x'}, /^ComponentId: expected a GUID/],
      [{...testManifest(), SchemaVersion: 2}, /^SchemaVersion: expected 1/],
      [{...testManifest(), EntryPoint: 'bin/app'}, /^EntryPoint: expected an absolute path/],
      [{...testManifest(), EntryPoint: '/bin/../app'}, /^EntryPoint: path "\/bin\/..\/app" contains '..'$/],
      [
        {...testManifest(), ApplicationType: 'Fast'},
        /^ApplicationType: expected one of "Default", "RealTimeCapable", "Debugger"/,
      ],
      [{...testManifest(), Extra: 1}, /^Extra: unknown key; expected one of/],
      [{SchemaVersion: 1}, /^Name: required key is missing$/],
      [[], /^\(root\): expected a JSON object, found an array$/],
      [{...testManifest(), Name: ''}, /^Name: expected a non-empty string$/],
      [{...testManifest(), Name: 'n'.repeat(1025)}, /^Name: string longer than 1024 characters$/],
      [{...testManifest(), Name: 7}, /^Name: expected a string, found number 7$/],
      [
        {...testManifest(), Capabilities: {Gpio: [1024]}},
        /^Capabilities\.Gpio\[0\]: expected an integer or a "\$NAME"/,
      ],
      [
        {...testManifest(), Capabilities: {AllowedUdpServerPorts: Array.from({length: 1025}, (_, i) => i + 1)}},
        /^Capabilities\.AllowedUdpServerPorts: more than 1024 entries$/,
      ],
      [
        {...testManifest(), Capabilities: {ExternalInterrupt: [1, 'x'.repeat(64)]}},
        /^Capabilities\.ExternalInterrupt\[1\]: expected an interrupt name or number, found string "x{64}"$/,
      ],
      [
        {...testManifest(), Capabilities: {Pwm: ['PWM-CONTROLLER-0', 'PWM-CONTROLLER-0']}},
        /^Capabilities\.Pwm\[1\]: duplicate entry "PWM-CONTROLLER-0"$/,
      ],
      [
        {
          ...testManifest(),
          Capabilities: {
            AllowedApplicationConnections: [
              '005180bc-402f-4cb3-a662-72937dbcde47',
              '005180BC-402F-4CB3-A662-72937DBCDE47',
            ],
          },
        },
        /^Capabilities\.AllowedApplicationConnections\[1\]: duplicate entry "005180bc-402f-4cb3-a662-72937dbcde47"$/,
      ],
      [{...testManifest(), Capabilities: []}, /^Capabilities: expected an object, found an array$/],
      [{...testManifest(), $schema: 5}, /^\$schema: expected a string, found number 5$/],
      [
        {...testManifest(), TargetApplicationRuntimeVersion: 1.5},
        /^TargetApplicationRuntimeVersion: expected an integer from 1 to 65535, found number 1\.5$/,
      ],
      // The first failure in document order: unknown keys, then missing ones, then each key in schema order.
      [{Name: 5, Zap: 1}, /^Zap: unknown key/],
      [{Name: 5, ComponentId: 'x', EntryPoint: '/e'}, /^SchemaVersion: required key is missing$/],
      [{...testManifest(), Capabilities: {Uart: [1], Gpio: ['x']}}, /^Capabilities\.Gpio\[0\]:/],
    ]
    for (const [json, re] of cases) expect(sphereError(() => validateManifest(json)).message).toMatch(re)
    expect(sphereError(() => validateManifest({}, {what: 'x/app_manifest.json'})).message).toBe(
      'x/app_manifest.json: SchemaVersion: required key is missing',
    )
  })

  it('normalises: canonical key order, lower-case GUIDs, $schema dropped, defaults', () => {
    const m = validateManifest({
      $schema: '../sdk/schemas/app-manifest.schema.json',
      Capabilities: {AllowedApplicationConnections: ['005180BC-402F-4CB3-A662-72937DBCDE47']},
      EntryPoint: '/bin/app',
      ComponentId: 'ABCDEF01-2345-6789-ABCD-EF0123456789',
      Name: 'n',
      SchemaVersion: 1,
    })
    expect(Object.keys(m)).toEqual([
      'SchemaVersion',
      'Name',
      'ComponentId',
      'EntryPoint',
      'Capabilities',
      'ApplicationType',
    ])
    expect(m.ComponentId).toBe('abcdef01-2345-6789-abcd-ef0123456789')
    expect(m.ApplicationType).toBe('Default')
    expect(m.Capabilities.AllowedApplicationConnections).toEqual(['005180bc-402f-4cb3-a662-72937dbcde47'])
    expect(serializeManifest({...m, TargetApplicationRuntimeVersion: 16})).toBe(
      '{"SchemaVersion":1,"Name":"n","ComponentId":"abcdef01-2345-6789-abcd-ef0123456789","EntryPoint":"/bin/app","Capabilities":{"AllowedApplicationConnections":["005180bc-402f-4cb3-a662-72937dbcde47"]},"ApplicationType":"Default","TargetApplicationRuntimeVersion":16}',
    )
  })

  it('strict JSON: errors with line and column, BOM accepted, __proto__ is a plain key, depth bounded', () => {
    expect(sphereError(() => parseManifest('{"SchemaVersion": 1,}')).message).toBe(
      'app_manifest.json: expected a key string, found character "}" at line 1, column 21',
    )
    expect(sphereError(() => parseManifest('{"a": tru}')).message).toMatch(
      /unexpected character "t" at line 1, column 7/,
    )
    expect(sphereError(() => parseManifest('{"a": "x\ny"}')).message).toMatch(/control character in string/)
    expect(parseManifest('\uFEFF' + JSON.stringify(testManifest())).Name).toBe('Blink')
    const o = parseStrictJson('{"__proto__": {"polluted": true}}', {what: 't'}) as Record<string, unknown>
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.keys(o)).toEqual(['__proto__'])
    expect(sphereError(() => parseStrictJson('['.repeat(100) + ']'.repeat(100), {what: 't'})).message).toMatch(
      /nesting deeper than 64/,
    )
  })

  it('the schema decides: each constraint that can fail carries the words its message uses', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'sdk', 'schemas', 'app-manifest.schema.json'), 'utf8'))
    const bare: string[] = []
    const walk = (node: Record<string, unknown>, at: string) => {
      if (('pattern' in node || 'const' in node) && typeof node['x-expected'] !== 'string') bare.push(at)
      for (const [k, v] of Object.entries(node))
        if (v && typeof v === 'object') walk(v as Record<string, unknown>, `${at}/${k}`)
    }
    walk(schema, '#')
    expect(bare).toEqual([])
  })

  it('the published JSON Schema names the same capability keys as the AppCapabilities type, in the same order', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'sdk', 'schemas', 'app-manifest.schema.json'), 'utf8'))
    expect(Object.keys(schema.properties.Capabilities.properties)).toEqual(CAPABILITY_KEYS)
    // the packaged manifest's key order is the schema's ($schema is dropped)
    expect(Object.keys(schema.properties)).toEqual(['$schema', ...MANIFEST_KEY_ORDER])
    expect(Object.keys(schema.properties).sort()).toEqual([
      '$schema',
      'ApplicationType',
      'Capabilities',
      'CmdArgs',
      'ComponentId',
      'EntryPoint',
      'MallocVersion',
      'Name',
      'SchemaVersion',
      'TargetApplicationRuntimeVersion',
      'TargetBetaApis',
    ])
    expect(schema.required).toEqual(['SchemaVersion', 'Name', 'ComponentId', 'EntryPoint'])
  })
})
