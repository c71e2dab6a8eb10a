import {afterAll, describe, expect, it} from '@jest/globals'
import {parse as parseYaml} from 'yaml'
import {runCli, tempHome} from '../helpers/cli.js'

const COMMANDS: string[][] = [
  ['device', 'show-os-version'],
  ['device', 'show-attached'],
  ['device', 'app', 'show-status'],
  ['device', 'app', 'show-memory-stats'],
  ['device', 'image', 'list-installed', '--all'],
  ['device', 'manufacturing-state', 'show'],
  ['device', 'network', 'list-interfaces'],
  ['device', 'network', 'show-status'],
  ['device', 'network', 'list-firewall-rules'],
  ['device', 'network', 'proxy', 'show'],
  ['device', 'wifi', 'list'],
  ['device', 'wifi', 'scan'],
  ['device', 'wifi', 'show-status'],
  ['device', 'certificate', 'list'],
  ['device', 'certificate', 'show-quota'],
  ['device', 'world', 'show'],
  ['device', 'list-attached'],
  ['device', 'sideload', 'show-deployment-timeout'],
  ['sim', 'list'],
]

describe('every device command renders every output format', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
  })

  // Rendering is shared by every command (src/cli/output.ts): each command is checked in json (the data)
  // and table (its declared columns); a representative set in every other format.
  const ALL_FORMATS = new Set(['device app show-status', 'device network list-interfaces', 'device show-os-version', 'device network proxy show', 'sim list'])
  const isEmpty = (d: unknown): boolean => (Array.isArray(d) ? d.length === 0 : d !== null && typeof d === 'object' && Object.keys(d).length === 0)

  it.each(COMMANDS.map((c) => [c.join(' '), c]))('%s', async (name, cmd) => {
    const args = cmd as string[]
    const json = await runCli([...args, '-o', 'json'], {env})
    expect(json.stderr).toBe('')
    expect(json.code).toBe(0)
    const data = JSON.parse(json.stdout)
    const table = await runCli([...args, '-o', 'table'], {env})
    expect(table.code).toBe(0)
    if (!isEmpty(data) || (Array.isArray(data) && /list|status|installed|scan/.test(name as string))) expect(table.stdout.length).toBeGreaterThan(0)
    if (!ALL_FORMATS.has(name as string)) return
    const yaml = await runCli([...args, '-o', 'yaml'], {env})
    expect(yaml.code).toBe(0)
    if (!/status|memory/.test(name as string)) expect(parseYaml(yaml.stdout)).toEqual(data)
    for (const f of ['jsonc', 'yamlc', 'tsv']) {
      const r = await runCli([...args, '-o', f], {env})
      expect(r.code).toBe(0)
      if (!isEmpty(data)) expect(r.stdout.length).toBeGreaterThan(0)
    }
    const none = await runCli([...args, '-o', 'none'], {env})
    expect(none.code).toBe(0)
    expect(none.stdout).toBe('')
  })

  it('--query applies on device commands too', async () => {
    const r = await runCli(['device', 'network', 'list-interfaces', '--query', 'interfaces[].interfaceName', '-o', 'tsv'], {env})
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['wlan0', 'azspheresvc']))
  })
})
