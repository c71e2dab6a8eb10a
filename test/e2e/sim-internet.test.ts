/**
 * `sphere sim start --internet` and the network keys of a world file, through the built CLI: the daemon starts
 * in internet mode with the world's names and DNS-SD records; a world file with a bad `dnsSd` entry stops the
 * start with one line naming the entry and the problem, and a non-zero exit.
 */
import {afterAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'

describe('sim start --internet and the world file network keys', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-e2e-inet-'))
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('starts in internet mode with the world file hosts and dnsSd', async () => {
    const world = join(dir, 'world.yaml')
    writeFileSync(
      world,
      'hosts:\n  example.com: 127.0.0.9\ndnsSd:\n  - {service: _svc._tcp.local, instance: A, host: a.local, address: 127.0.0.3, port: 8080}\n',
    )
    const r = await runCli(['sim', 'start', '--name', 'inet', '--internet', '--world', world, '-o', 'json'], {env})
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({name: 'inet', started: true})
    const log = readFileSync(join(home, 'sims', 'inet', 'daemon.log'), 'utf8')
    expect(log).toContain("internet: names the device does not know go to the host's resolver")
  })

  it('a bad dnsSd entry is one line naming it, and the simulator does not start', async () => {
    const world = join(dir, 'bad.yaml')
    writeFileSync(
      world,
      'dnsSd:\n  - {service: _svc._tcp.local, instance: A, host: a.local, address: 127.0.0.300, port: 8080}\n',
    )
    const r = await runCli(['sim', 'start', '--name', 'bad', '--world', world], {env})
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain("Simulator 'bad' did not start: dnsSd[0].address: 127.0.0.300 is not an IPv4 address")
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.includes('dnsSd')),
    ).toHaveLength(1)
    const list = await runCli(['sim', 'list', '-o', 'json'], {env})
    expect(
      (JSON.parse(list.stdout) as {name: string; running?: boolean}[]).filter((s) => s.name === 'bad' && s.running),
    ).toEqual([])
  })
})
