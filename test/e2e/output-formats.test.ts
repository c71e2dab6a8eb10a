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

  it.each(COMMANDS.map((c) => [c.join(' '), c]))('%s', async (_name, cmd) => {
    const json = await runCli([...(cmd as string[]), '-o', 'json'], {env})
    expect(json.stderr).toBe('')
    expect(json.code).toBe(0)
    const data = JSON.parse(json.stdout)
    const yaml = await runCli([...(cmd as string[]), '-o', 'yaml'], {env})
    expect(yaml.code).toBe(0)
    // yaml carries the same data (uptime-like fields aside, these commands are stable)
    if (!/world|show-status|memory/.test((cmd as string[]).join(' '))) expect(parseYaml(yaml.stdout)).toEqual(data)
    for (const f of ['jsonc', 'yamlc', 'table', 'tsv']) {
      const r = await runCli([...(cmd as string[]), '-o', f], {env})
      expect(r.code).toBe(0)
      if (!(Array.isArray(data) && data.length === 0) || f === 'table') expect(r.stdout.length).toBeGreaterThan(0)
    }
    const none = await runCli([...(cmd as string[]), '-o', 'none'], {env})
    expect(none.code).toBe(0)
    expect(none.stdout).toBe('')
  })

  it('--query applies on device commands too', async () => {
    const r = await runCli(['device', 'network', 'list-interfaces', '--query', '[].interfaceName', '-o', 'tsv'], {env})
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['wlan0', 'azspheresvc']))
  })
})
