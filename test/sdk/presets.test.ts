import {describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {readPresets, resolvePreset, summarizeBuildOutput} from '../../src/sdk/index.js'
import {samplesFixture} from './helpers.js'

describe('CMakePresets.json', () => {
  const sample = join(samplesFixture, 'Samples', 'HelloWorld', 'HelloWorld_HighLevelApp')

  test("reads the HelloWorld sample's presets and defaults to ARM-Debug", () => {
    const presets = readPresets(sample)!
    expect(presets.map((p) => p.name)).toEqual(['ARM-Debug', 'ARM-Release'])
    const r = resolvePreset(sample, presets, undefined, {AzureSphereDefaultSDKDir: '/opt/sdk'})
    expect(r.name).toBe('ARM-Debug')
    expect(r.binaryDir).toBe(join(sample, 'out', 'ARM-Debug'))
    expect(r.generator).toBe('Ninja')
    expect(r.cacheVariables.CMAKE_TOOLCHAIN_FILE).toBe('/opt/sdk/CMakeFiles/AzureSphereToolchain.cmake')
    expect(r.cacheVariables.CMAKE_BUILD_TYPE).toBe('Debug')
  })

  test('follows inherits: ARM-Release keeps the parent binaryDir pattern and overrides the build type', () => {
    const r = resolvePreset(sample, readPresets(sample)!, 'ARM-Release', {})
    expect(r.binaryDir).toBe(join(sample, 'out', 'ARM-Release'))
    expect(r.cacheVariables.CMAKE_BUILD_TYPE).toBe('Release')
    expect(r.cacheVariables.AZURE_SPHERE_TARGET_API_SET).toBe('latest-lts')
  })

  test('an unknown preset is a usage error listing the available ones', () => {
    expect(() => resolvePreset(sample, readPresets(sample)!, 'x64', {})).toThrow(expect.objectContaining({code: 'APP_UNKNOWN_PRESET', exit: 2}))
  })

  test('an inheritance cycle is reported, not followed forever', () => {
    const presets = [
      {name: 'a', inherits: 'b'},
      {name: 'b', inherits: 'a'},
    ]
    expect(() => resolvePreset('/p', presets, 'a', {})).toThrow(expect.objectContaining({code: 'APP_BAD_PRESETS'}))
  })

  test('a project without presets has none', () => {
    expect(readPresets(samplesFixture)).toBeUndefined()
  })
})

describe('summarizeBuildOutput', () => {
  test('picks the compiler error line, without the directory', () => {
    const lines = [
      '[1/3] Building C object CMakeFiles/x.dir/main.c.obj',
      'FAILED: CMakeFiles/x.dir/main.c.obj',
      '/tmp/p/main.c:7:5: error: use of undeclared identifier \'foo\'',
      '1 error generated.',
    ]
    expect(summarizeBuildOutput(lines)).toBe("main.c:7:5: error: use of undeclared identifier 'foo'")
  })

  test('turns a CMake error block into detail (where)', () => {
    const lines = ['CMake Error at CMakeLists.txt:28 (azsphere_target_hardware_definition):', "  sphere-sdk: hardware definition 'x.json' not found", '']
    expect(summarizeBuildOutput(lines)).toBe("sphere-sdk: hardware definition 'x.json' not found (CMakeLists.txt:28 (azsphere_target_hardware_definition))")
  })

  test('falls back to the last non-empty line', () => {
    expect(summarizeBuildOutput(['a', 'b', ''])).toBe('b')
  })
})
