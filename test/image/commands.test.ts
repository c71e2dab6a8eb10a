/** End-to-end: the built CLI (bin/run.js over dist/) in a subprocess. */
import {afterAll, describe, expect, it} from '@jest/globals'
import {copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parse as parseYaml} from 'yaml'
import {runCli} from '../helpers/cli.js'
import {ANVIL_PACKAGE, KEYS, SAMPLES, tempDir} from './helpers.js'

const t = tempDir('sphere-image-cli-')
afterAll(t.cleanup)
const env = {SPHERE_HOME: join(t.dir, 'home')}
const app = join(t.dir, 'approot')
mkdirSync(join(app, 'bin'), {recursive: true})
writeFileSync(join(app, 'bin', 'app'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))
copyFileSync(join(SAMPLES, 'Samples', 'GPIO', 'GPIO_HighLevelApp', 'app_manifest.json'), join(app, 'app_manifest.json'))
const HW = join(SAMPLES, 'HardwareDefinitions', 'mt3620_rdb')
const out = join(t.dir, 'gpio.imagepackage')

const oneLine = (stderr: string) => {
  const first = stderr.split('\n')[0] as string
  expect(first).toMatch(/^Error: /)
  expect(stderr).not.toMatch(/\s+at .*\.js:\d+/)
  return first
}

describe('image-package pack-application / show, image verify / sign', () => {
  it('packs a sample app, resolving $NAMEs through the RDB hardware definition', async () => {
    const r = await runCli(
      [
        'image-package',
        'pack-application',
        '--package-directory',
        app,
        '--destination',
        out,
        '--hardware-definitions',
        HW,
        '--target-definition-filename',
        'sample_appliance.json',
        '--target-api-set',
        '16',
        '-o',
        'json',
      ],
      {env},
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const res = JSON.parse(r.stdout)
    expect(res).toMatchObject({
      destination: out,
      componentId: 'dc7f135c-6074-4d49-aa3a-160e4eed884f',
      name: 'GPIO_HighLevelApp',
      targetApplicationRuntimeVersion: 16,
    })
    expect(existsSync(join(env.SPHERE_HOME, 'keys', 'dev-signing-key.pem'))).toBe(true)
    const show = await runCli(['image-package', 'show', '--image-package', out, '-o', 'json'], {env})
    expect(show.code).toBe(0)
    const s = JSON.parse(show.stdout)
    expect(s.Identity).toEqual({
      ImageType: 'Application',
      ImageTypeValue: 10,
      ComponentId: res.componentId,
      ImageId: res.imageId,
    })
    expect(s.Sections).toEqual(['ID', 'SG', 'DB', 'TP', 'ND'])
    expect(s.Signature.Status).toBe('Verified (development key)')
    expect(s.Manifest.Capabilities.Gpio).toEqual([12, 8])
    expect(s.AbiDepends).toEqual([{Type: 'ApplicationRuntime', Version: 16}])
    expect(s.Files.map((f: {Path: string}) => f.Path)).toEqual(['app_manifest.json', 'bin/app'])
  })

  it('show renders every output format and --query', async () => {
    const q = await runCli(
      ['image-package', 'show', '--image-package', out, '--query', 'Identity.ComponentId', '-o', 'tsv'],
      {env},
    )
    expect(q.stdout.trim()).toBe('dc7f135c-6074-4d49-aa3a-160e4eed884f')
    const y = await runCli(['image-package', 'show', '--image-package', out, '-o', 'yaml'], {env})
    expect(parseYaml(y.stdout).Identity.ImageType).toBe('Application')
    const tb = await runCli(['image-package', 'show', '--image-package', out, '-o', 'table'], {env})
    expect(tb.stdout).toMatch(/Component ID/)
    expect(tb.stdout).toContain('GPIO_HighLevelApp')
  })

  it('--output-file is an alias of --destination, and the real SDK package shows', async () => {
    const o2 = join(t.dir, 'alias.imagepackage')
    const r = await runCli(
      [
        'image-package',
        'pack-application',
        '--package-directory',
        app,
        '--output-file',
        o2,
        '--hardware-definitions',
        HW,
        '-o',
        'none',
      ],
      {env},
    )
    expect(r.code).toBe(0)
    expect(existsSync(o2)).toBe(true)
    const s = await runCli(['image-package', 'show', '--image-package', ANVIL_PACKAGE, '-o', 'json'], {env})
    expect(JSON.parse(s.stdout)).toMatchObject({
      Identity: {ImageId: 'c25d88f4-9900-4a8e-9d2c-afc199c28151'},
      Debug: {ImageName: 'Anvil Test App'},
      Signature: {Status: 'Verified (Azure Sphere SDK Test)'},
    })
  })

  it('verify: exit 0 when good; exit 1 with the reason after one flipped byte', async () => {
    const ok = await runCli(['image', 'verify', '--image-package', out, '-o', 'json'], {env})
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({verified: true, trustedBy: 'development key'})
    const bad = join(t.dir, 'bad.imagepackage')
    const b = readFileSync(out)
    b[b.length - 100] = (b[b.length - 100] as number) ^ 0x10
    writeFileSync(bad, b)
    const r = await runCli(['image', 'verify', '--image-package', bad], {env})
    expect(r.code).toBe(1)
    expect(oneLine(r.stderr)).toMatch(/bad\.imagepackage: the signature does not verify/)
    const c = readFileSync(out)
    c[0x1000] = (c[0x1000] as number) ^ 1
    writeFileSync(bad, c)
    const r2 = await runCli(['image', 'verify', '--image-package', bad], {env})
    expect(r2.code).toBe(1)
    expect(oneLine(r2.stderr)).toMatch(/CRC mismatch/)
  })

  it('verify a real SDK package against the given certificate or public key', async () => {
    const sdk = await runCli(
      ['image', 'verify', '--image-package', ANVIL_PACKAGE, '--public-key', join(KEYS, 'sdk-test-key.pub.pem')],
      {env},
    )
    expect(sdk.code).toBe(0)
    const wrong = await runCli(
      ['image', 'verify', '--image-package', ANVIL_PACKAGE, '--certificate', join(KEYS, 'test-signer.cert.pem')],
      {env},
    )
    expect(wrong.code).toBe(1)
    expect(oneLine(wrong.stderr)).toMatch(/signed with certificate thumbprint a8d5cc6958f48710140d7a26160fc1cfc31f5df0/)
  })

  it('sign --key re-signs; verify --certificate then passes and the old key no longer does', async () => {
    const keyPem = join(t.dir, 'signer.pem')
    writeFileSync(
      keyPem,
      readFileSync(join(KEYS, 'test-signer.key.pem'), 'utf8') +
        readFileSync(join(KEYS, 'test-signer.cert.pem'), 'utf8'),
    )
    const signed = join(t.dir, 'signed.imagepackage')
    const s = await runCli(
      ['image', 'sign', '--image-package', out, '--key', keyPem, '--output-file', signed, '-o', 'json'],
      {env},
    )
    expect(s.code).toBe(0)
    const v = await runCli(
      ['image', 'verify', '--image-package', signed, '--certificate', join(KEYS, 'test-signer.cert.der'), '-o', 'json'],
      {env},
    )
    expect(v.code).toBe(0)
    expect(JSON.parse(v.stdout)).toMatchObject({thumbprintMatches: true})
    const dev = await runCli(['image', 'verify', '--image-package', signed], {env})
    expect(dev.code).toBe(1)
    // in place, default key
    const inplace = join(t.dir, 'inplace.imagepackage')
    copyFileSync(ANVIL_PACKAGE, inplace)
    expect((await runCli(['image', 'sign', '--image-package', inplace], {env})).code).toBe(0)
    const after = await runCli(['image', 'verify', '--image-package', inplace, '-o', 'json'], {env})
    expect(JSON.parse(after.stdout).trustedBy).toBe('development key')
  })

  it('a failed pack leaves no output file and keeps an existing one untouched', async () => {
    const broken = join(t.dir, 'broken')
    cpSync(app, broken, {recursive: true})
    writeFileSync(join(broken, 'app_manifest.json'), '{"SchemaVersion": 1, "SchemaVersion": 1}')
    const dest = join(t.dir, 'out', 'never.imagepackage')
    const r = await runCli(
      ['image-package', 'pack-application', '--package-directory', broken, '--destination', dest],
      {env},
    )
    expect(r.code).toBe(1)
    expect(oneLine(r.stderr)).toMatch(/app_manifest\.json: duplicate key "SchemaVersion" at line 1, column 22/)
    expect(existsSync(dest)).toBe(false)
    const before = readFileSync(out)
    const r2 = await runCli(
      ['image-package', 'pack-application', '--package-directory', broken, '--destination', out],
      {env},
    )
    expect(r2.code).toBe(1)
    expect(readFileSync(out).equals(before)).toBe(true)
    expect(readdirSync(t.dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
    // unresolved $NAME without hardware definitions
    const r3 = await runCli(['image-package', 'pack-application', '--package-directory', app, '--destination', dest], {
      env,
    })
    expect(r3.code).toBe(1)
    expect(oneLine(r3.stderr)).toMatch(/refers to \$SAMPLE_BUTTON_1 but no hardware definition was given/)
    expect(existsSync(dest)).toBe(false)
  })
})

describe('hardware-definition generate-header / test-header', () => {
  it('writes inc/hw/<name>.h next to the JSON, identical to the SDK-generated one; test-header checks it', async () => {
    const dir = join(t.dir, 'hw', 'mt3620_rdb')
    mkdirSync(dir, {recursive: true})
    copyFileSync(join(HW, 'sample_appliance.json'), join(dir, 'sample_appliance.json'))
    const file = join(dir, 'sample_appliance.json')
    const missing = await runCli(['hardware-definition', 'test-header', '--hardware-definition-file', file], {env})
    expect(missing.code).toBe(1)
    const g = await runCli(
      ['hardware-definition', 'generate-header', '--hardware-definition-file', file, '-o', 'json'],
      {env},
    )
    expect(g.code).toBe(0)
    expect(JSON.parse(g.stdout)).toMatchObject({header: join(dir, 'inc', 'hw', 'sample_appliance.h'), defines: 21})
    expect(readFileSync(join(dir, 'inc', 'hw', 'sample_appliance.h'), 'utf8')).toBe(
      readFileSync(join(HW, 'inc', 'hw', 'sample_appliance.h'), 'utf8'),
    )
    expect((await runCli(['hardware-definition', 'test-header', '--hardware-definition-file', file], {env})).code).toBe(
      0,
    )
    writeFileSync(file, readFileSync(file, 'utf8').replace('MT3620_RDB_LED1_RED', 'MT3620_RDB_LED1_GREEN'))
    const stale = await runCli(['hardware-definition', 'test-header', '--hardware-definition-file', file], {env})
    expect(stale.code).toBe(1)
    expect(oneLine(stale.stderr)).toMatch(/sample_appliance\.h is out of date/)
  })

  it('an unknown Mapping is a one-line error', async () => {
    const f = join(t.dir, 'bad.json')
    writeFileSync(
      f,
      JSON.stringify({
        Metadata: {Type: 'Azure Sphere Hardware Definition', Version: 1},
        Imports: [{Path: 'mt3620.json'}],
        Peripherals: [{Name: 'X', Type: 'Gpio', Mapping: 'MT3620_GPIO99'}],
      }),
    )
    const r = await runCli(['hardware-definition', 'generate-header', '--hardware-definition-file', f], {env})
    expect(r.code).toBe(1)
    expect(oneLine(r.stderr)).toMatch(/X maps to MT3620_GPIO99, which is not defined/)
  })
})
