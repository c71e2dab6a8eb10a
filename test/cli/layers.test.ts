import {describe, expect, it} from '@jest/globals'
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {ROOT} from '../helpers/cli.js'

const run = promisify(execFile)
const depcruise = join(ROOT, 'node_modules', '.bin', 'depcruise')

describe('layer check', () => {
  it('passes on the real source tree', async () => {
    const r = await run(depcruise, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {cwd: ROOT})
    expect(r.stdout).toMatch(/no dependency violations found/)
  })

  it('fails on a fixture that imports upward, naming the rules broken', async () => {
    const cwd = join(ROOT, 'test', 'fixtures', 'layers')
    const err = await run(
      depcruise,
      ['src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--ts-config', 'tsconfig.json', '--output-type', 'err'],
      {cwd},
    ).then(
      () => undefined,
      (e: {code: number; stdout: string}) => e,
    )
    expect(err).toBeDefined()
    expect(err!.code).not.toBe(0)
    expect(err!.stdout).toMatch(/layer-image-imports-upward/)
    expect(err!.stdout).toMatch(/src\/image\/bad\.ts → src\/cli\/helper\.ts/)
    expect(err!.stdout).toMatch(/layer-os-hw-kernel-lsm-storage-imports-upward/)
    expect(err!.stdout).toMatch(/commands-import-os: src\/commands\/bad\.ts → src\/os\/kernel\/k\.ts/)
    expect(err!.stdout).toMatch(/layer-scenario-imports-upward: src\/scenario\/bad\.ts → src\/cli\/helper\.ts/)
    expect(err!.stdout).toMatch(/layer-os-hw-kernel-lsm-storage-runtime-services-imports-upward: src\/os\/services\/up\.ts → src\/os\/rest\/r\.ts/)
  })
})
