import {afterAll, describe, expect, it} from '@jest/globals'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parse as parseYaml} from 'yaml'
import {runCli, tempHome} from '../helpers/cli.js'

const {home, cleanup} = tempHome()
const env = {SPHERE_HOME: home}
afterAll(cleanup)

describe('sphere show-version', () => {
  it('renders JSON that parses, with the versions', async () => {
    const r = await runCli(['show-version', '-o', 'json'], {env})
    expect(r.code).toBe(0)
    const v = JSON.parse(r.stdout)
    expect(v.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(v.node).toBe(process.versions.node)
    expect(typeof v.abiVersion).toBe('number')
  })

  it('defaults to JSON when stdout is not a terminal', async () => {
    const r = await runCli(['show-version'], {env})
    expect(JSON.parse(r.stdout).node).toBe(process.versions.node)
  })

  it('renders yaml, tsv, table and none', async () => {
    const y = await runCli(['show-version', '-o', 'yaml'], {env})
    expect(parseYaml(y.stdout).node).toBe(process.versions.node)
    const t = await runCli(['show-version', '-o', 'tsv'], {env})
    expect(t.stdout.trim().split('\t')).toContain(process.versions.node)
    const tb = await runCli(['show-version', '-o', 'table'], {env})
    expect(tb.stdout).toMatch(/CLI.*Node/)
    expect(tb.stdout).toContain(process.versions.node)
    const n = await runCli(['show-version', '-o', 'none'], {env})
    expect(n.code).toBe(0)
    expect(n.stdout).toBe('')
  })

  it('applies --query before rendering', async () => {
    const r = await runCli(['show-version', '-o', 'json', '--query', 'node'], {env})
    expect(JSON.parse(r.stdout)).toBe(process.versions.node)
    const tsv = await runCli(['show-version', '-o', 'tsv', '--query', '{n: node, a: abiVersion}'], {env})
    expect(tsv.stdout.trim()).toMatch(new RegExp(`^${process.versions.node.replace(/\./g, '\\.')}\\t\\d+$`))
  })

  it('rejects a malformed --query with exit 2 and one line', async () => {
    const r = await runCli(['show-version', '--query', '[[['], {env})
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n')[0]).toMatch(/^Error: Invalid --query/)
  })
})

describe('usage errors', () => {
  it('unknown flag: exit 2, one-line message, suggestion, no stack', async () => {
    const r = await runCli(['show-version', '--bogus'], {env})
    expect(r.code).toBe(2)
    const lines = r.stderr.trim().split('\n')
    expect(lines[0]).toBe('Error: Nonexistent flag: --bogus')
    expect(r.stderr).toMatch(/Try: .*--help/)
    expect(r.stderr).not.toMatch(/\s+at .*\.js:\d+/)
  })

  it('unknown command: exit 2 with a did-you-mean', async () => {
    const r = await runCli(['show-verison'], {env})
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n')[0]).toBe("Error: 'show-verison' is not a sphere command.")
    expect(r.stderr).toContain('Did you mean: sphere show-version')
    expect(r.stderr).not.toMatch(/\s+at .*\.js:\d+/)
  })

  it('bad option value: exit 2', async () => {
    const r = await runCli(['show-version', '-o', 'xml'], {env})
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n')[0]).toMatch(/^Error: .*xml/)
  })

  it('--debug adds a stack trace to a failure', async () => {
    const r = await runCli(['config', 'get', 'nope', '--debug'], {env})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/\s+at .*\.(js|ts):\d+/)
  })
})

describe('sphere config', () => {
  it('set survives a new process; nothing is written outside SPHERE_HOME', async () => {
    const s = await runCli(['config', 'set', 'defaults.output', 'yaml'], {env})
    expect(s.code).toBe(0)
    const g = await runCli(['config', 'get', 'defaults.output', '-o', 'json'], {env})
    expect(JSON.parse(g.stdout)).toEqual({key: 'defaults.output', value: 'yaml'})
    // the default format now applies
    const v = await runCli(['show-version'], {env})
    expect(parseYaml(v.stdout).node).toBe(process.versions.node)
    expect(readdirSync(home)).toEqual(['config.json'])
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'))).toEqual({defaults: {output: 'yaml'}})
    const l = await runCli(['config', 'list', '-o', 'json'], {env})
    expect(JSON.parse(l.stdout)).toEqual([{key: 'defaults.output', value: 'yaml'}])
    const u = await runCli(['config', 'unset', 'defaults.output', '-o', 'json'], {env})
    expect(JSON.parse(u.stdout)).toEqual({key: 'defaults.output', removed: true})
    const g2 = await runCli(['config', 'get', 'defaults.output'], {env})
    expect(g2.code).toBe(1)
    expect(g2.stderr).toMatch(/not set/)
  })

  it('rejects unknown keys and invalid values with exit 2', async () => {
    expect((await runCli(['config', 'set', 'nope', 'x'], {env})).code).toBe(2)
    const r = await runCli(['config', 'set', 'defaults.output', 'xml'], {env})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Invalid value 'xml' for defaults.output/)
  })
})

describe('help', () => {
  it('root help lists topics; topic help lists commands', async () => {
    const r = await runCli(['--help'], {env})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/TOPICS/)
    expect(r.stdout).toMatch(/config\s+Read and change sphere settings/)
    const t = await runCli(['config', '--help'], {env})
    expect(t.stdout).toMatch(/config set/)
  })

  it('--version prints the CLI version', async () => {
    const r = await runCli(['--version'], {env})
    expect(r.stdout).toMatch(/^sphere-sdk\/\d+\.\d+\.\d+/)
  })
})
