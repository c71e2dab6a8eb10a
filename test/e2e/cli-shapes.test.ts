/**
 * The -o json shape of every device-local command against test/fixtures/cli/shapes.json (written from the azsphere
 * reference): the built CLI in a subprocess against a simulator, each result type-checked (keys, nesting, types,
 * casing; not values). Every fixture entry runs, and every part of every shape is seen filled at least once.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildFixturePackage} from '../helpers/apps.js'
import {ROOT, runCli, tempHome} from '../helpers/cli.js'
import {checkShape, requiredPaths, type Shape} from '../helpers/shape.js'

const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'cli', 'shapes.json'), 'utf8')) as {
  commands: Record<string, {source: string; shape: Shape}>
}

describe('the shape checker', () => {
  const shape: Shape = {a: 'integer', 'b?': ['string:uuid'], c: {d: 'string|null'}, $ours: {x: 'boolean'}}
  it('passes a value of the shape, with or without the optional key', () => {
    expect(checkShape({a: 1, b: ['5ee0a000-0000-4000-8000-000000000001'], c: {d: null}, x: true}, shape)).toEqual([])
    expect(checkShape({a: 1, c: {d: 's'}, x: false}, shape)).toEqual([])
  })
  it('names each missing key, extra key, wrong type and wrong format', () => {
    expect(checkShape({a: '1', b: ['ABC'], c: {}, y: 0}, shape)).toEqual([
      '$.a: expected integer, got string "1"',
      "$.b[0]: expected string:uuid, got string \"ABC\"",
      '$.c.d: missing',
      '$.x: missing',
      '$.y: a key azsphere does not print (add it under $ours if it is ours)',
    ])
    expect(checkShape([{a: 1}], {a: 'integer'})).toEqual(['$: expected an object, got an array'])
  })
  it('lists the paths a value must fill', () => {
    expect(requiredPaths(shape)).toEqual(['$', '$.a', '$.c', '$.c.d', '$.x'])
  })
})

describe('device-local commands print the shapes of the azsphere reference', () => {
  const {home, cleanup} = tempHome('sphere-shapes-')
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-shapes-'))
  const seen = new Map<string, Set<string>>()
  let app: {path: string; componentId: string}

  /** Run one command with -o json and check its result against the fixture entry `name`. */
  const check = async (name: string, ...args: string[]): Promise<unknown> => {
    const entry = fixture.commands[name]
    if (!entry) throw new Error(`no entry '${name}' in shapes.json`)
    const r = await runCli([...args, '-o', 'json'], {env})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    const value: unknown = r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)
    const paths = seen.get(name) ?? new Set<string>()
    seen.set(name, paths)
    expect({command: args.join(' '), problems: checkShape(value, entry.shape, paths)}).toEqual({command: args.join(' '), problems: []})
    return value
  }

  beforeAll(async () => {
    expect((await runCli(['sim', 'start', '-o', 'none'], {env})).code).toBe(0)
    app = await buildFixturePackage(home, dir, 'blink', {n: 61, name: 'shapeblink', capabilities: {Gpio: [8], MutableStorage: {SizeKB: 8}}})
  }, 60_000)
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('device, app, image and sideload commands', async () => {
    await check('device list-attached', 'device', 'list-attached')
    await check('device show-attached', 'device', 'show-attached')
    await check('device rescan-attached', 'device', 'rescan-attached')
    await check('device show-os-version', 'device', 'show-os-version')
    await check('device sideload set-deployment-timeout', 'device', 'sideload', 'set-deployment-timeout', '--value', '60')
    await check('device sideload show-deployment-timeout', 'device', 'sideload', 'show-deployment-timeout')
    await check('device sideload deploy', 'device', 'sideload', 'deploy', '-p', app.path)
    const apps = (await check('device image list-installed', 'device', 'image', 'list-installed')) as {components: {uid: string}[]}
    expect(apps.components.map((c) => c.uid)).toEqual([app.componentId])
    // --all / --full / -f add the OS's own images and gdbserver (a development device), in the same shape
    for (const flag of ['--all', '--full', '-f']) {
      const all = (await check('device image list-installed', 'device', 'image', 'list-installed', flag)) as {
        components: {image_type: number; name?: string}[]
      }
      expect(all.components.some((c) => c.image_type !== 10)).toBe(true)
      expect(all.components.filter((c) => c.image_type === 10).map((c) => c.name).sort()).toEqual(['gdbserver', 'shapeblink'])
    }
    await check('device app show-status', 'device', 'app', 'show-status')
    await check('device app show-quota', 'device', 'app', 'show-quota')
    await check('device app show-memory-stats', 'device', 'app', 'show-memory-stats')
    await check('device app stop', 'device', 'app', 'stop', '-i', app.componentId)
    await check('device app start', 'device', 'app', 'start', '-i', app.componentId)
    await check('device app stop', 'device', 'app', 'stop')
    await check('device app start --debug-mode', 'device', 'app', 'start', '-i', app.componentId, '--debug-mode')
    await check('device app stop', 'device', 'app', 'stop', '-i', app.componentId)
    await check('device sideload delete', 'device', 'sideload', 'delete', '-i', app.componentId)
    await check('device restart', 'device', 'restart')
  }, 120_000)

  it('capability, certificate and manufacturing-state commands', async () => {
    await check('device capability show-attached', 'device', 'capability', 'show-attached')
    const dev = join(dir, 'dev.cap')
    const svc = join(dir, 'service.cap')
    expect((await runCli(['device', 'capability', 'download', '--type', 'ApplicationDevelopment', '-of', dev], {env})).code).toBe(0)
    expect((await runCli(['device', 'capability', 'download', '--type', 'FieldServicing', '-of', svc], {env})).code).toBe(0)
    await check('device capability update', 'device', 'capability', 'update', '--capability-file', dev)
    await check('device capability apply', 'device', 'capability', 'apply', '--capability-file', svc)
    await check('device capability apply', 'device', 'capability', 'apply', '--none')
    const pem = join(ROOT, 'test', 'fixtures', 'image', 'keys', 'test-signer.cert.pem')
    await check('device certificate show-quota', 'device', 'certificate', 'show-quota')
    await check('device certificate add', 'device', 'certificate', 'add', '-c', 'shapeCA', '-t', 'rootca', '-p', pem)
    await check('device certificate list', 'device', 'certificate', 'list')
    await check('device certificate show', 'device', 'certificate', 'show', '-c', 'shapeCA')
    await check('device certificate show-quota', 'device', 'certificate', 'show-quota')
    await check('device certificate delete', 'device', 'certificate', 'delete', '-c', 'shapeCA')
    await check('device manufacturing-state show', 'device', 'manufacturing-state', 'show')
  }, 60_000)

  it('network and Wi-Fi commands', async () => {
    await check('device network list-interfaces', 'device', 'network', 'list-interfaces')
    await check('device network show-status', 'device', 'network', 'show-status')
    await check('device network list-firewall-rules', 'device', 'network', 'list-firewall-rules')
    await check('device network disable', 'device', 'network', 'disable', '--interface', 'eth0')
    await check('device network enable', 'device', 'network', 'enable', '--interface', 'eth0')
    await check('device network proxy apply', 'device', 'network', 'proxy', 'apply', '-a', 'proxy.example.com', '-t', 'anonymous', '-r', '8080', '--enable', '-n', 'a.example.com', 'b.example.com')
    await check('device network proxy show', 'device', 'network', 'proxy', 'show')
    await check('device network proxy delete', 'device', 'network', 'proxy', 'delete')
    await check('device wifi scan', 'device', 'wifi', 'scan')
    await check('device wifi add', 'device', 'wifi', 'add', '--ssid', 'SphereSim-PSK', '--psk', 'EXAMPLEPSK')
    await check('device wifi list', 'device', 'wifi', 'list')
    await check('device wifi show', 'device', 'wifi', 'show', '--id', '0')
    await check('device wifi disable', 'device', 'wifi', 'disable', '--id', '0')
    await check('device wifi enable', 'device', 'wifi', 'enable', '--id', '0')
    await check('device wifi show-status', 'device', 'wifi', 'show-status')
    await check('device wifi reload-config', 'device', 'wifi', 'reload-config')
    await check('device wifi forget', 'device', 'wifi', 'forget', '--id', '0')
  }, 60_000)

  it('table output is headed by the reference keys, as az names table columns (first letter upper case)', async () => {
    /** The row keys of a shape: the object's own, or those of its one nested object / array of objects. */
    const rowKeys = (shape: Shape): string[] => {
      const {$ours: _ours, ...theirs} = shape as Record<string, Shape>
      const keys = Object.keys(theirs)
      const only = keys.length === 1 ? theirs[keys[0]!]! : undefined
      if (only !== undefined && typeof only === 'object') return rowKeys(Array.isArray(only) ? only[0]! : only)
      return keys.map((k) => k.replace(/\?$/, ''))
    }
    const header = (table: string): string[] =>
      (table.split('\n')[1] ?? '').split('│').map((c) => c.trim()).filter(Boolean)
    for (const name of [
      'device show-os-version',
      'device show-attached',
      'device app show-memory-stats',
      'device certificate show-quota',
      'device network list-interfaces',
      'device network show-status',
      'device wifi scan',
      'device manufacturing-state show',
    ]) {
      const r = await runCli([...name.split(' '), '-o', 'table'], {env})
      expect(r.code).toBe(0)
      const want = rowKeys(fixture.commands[name]!.shape).map((k) => k.charAt(0).toUpperCase() + k.slice(1))
      expect({name, header: header(r.stdout)}).toEqual({name, header: want})
    }
  }, 60_000)

  // irreversible: last
  it('manufacturing-state update', async () => {
    await check('device manufacturing-state update', 'device', 'manufacturing-state', 'update', '--state', 'Module1Complete')
  })

  it('every fixture entry ran, and every part of its shape was seen filled', () => {
    expect(Object.keys(fixture.commands).filter((n) => !seen.has(n))).toEqual([])
    const unseen = Object.entries(fixture.commands).flatMap(([n, e]) =>
      requiredPaths(e.shape).filter((p) => !seen.get(n)?.has(p)).map((p) => `${n}: ${p}`),
    )
    expect(unseen).toEqual([])
  })
})
