import {afterAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildFixturePackage} from '../helpers/apps.js'
import {runCli, tempHome} from '../helpers/cli.js'

/** Sideload replaces in place (development); `device ota deploy` goes through A/B with rollback. */
describe('sideload vs over-the-air update of a crashing build', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-ota-'))
  const cli = async (...args: string[]): Promise<unknown> => {
    const r = await runCli([...args, '-o', 'json'], {env})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
  }
  const imageOf = async (cid: string): Promise<string | null> => {
    const list = (await cli('device', 'image', 'list-installed')) as {components: {uid: string; images: {uid: string}[]}[]}
    return list.components.find((x) => x.uid === cid)?.images[0]?.uid ?? null
  }
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('a crashing sideloaded build stays installed; the same build delivered over the air is rolled back', async () => {
    // one build date for both: going back to the good build is then a reinstall, not a downgrade (which the
    // device refuses), however the two builds straddle a second on a loaded machine
    const buildDate = Math.floor(Date.now() / 1000)
    const good = await buildFixturePackage(home, dir, 'blink', {n: 9, name: 'v1', buildDate})
    const bad = await buildFixturePackage(home, dir, 'trap', {n: 9, name: 'v2', buildDate})
    await cli('device', 'sideload', 'deploy', '-p', good.path)
    const goodImage = await imageOf(good.componentId)
    await cli('device', 'sideload', 'deploy', '-p', bad.path)
    const badImage = await imageOf(good.componentId)
    expect(badImage).not.toBe(goodImage)
    await new Promise((r) => setTimeout(r, 4000)) // it crashes and restarts with back-off, and stays the new build
    expect(await imageOf(good.componentId)).toBe(badImage)

    await cli('device', 'sideload', 'deploy', '-p', good.path)
    const restored = await imageOf(good.componentId)
    expect(await cli('device', 'ota', 'deploy', '-p', bad.path)).toMatchObject({componentId: good.componentId})
    let rolledBack = false
    for (let i = 0; i < 60 && !rolledBack; i++) {
      await new Promise((r) => setTimeout(r, 500))
      const s = (await cli('device', 'ota', 'show')) as {history: {action: string; componentId?: string}[]}
      rolledBack = s.history.some((h) => h.action === 'rolled-back' && h.componentId === good.componentId)
    }
    expect(rolledBack).toBe(true)
    expect(await imageOf(good.componentId)).toBe(restored)
    expect(await cli('device', 'app', 'show-status', '-i', good.componentId)).toEqual([{componentId: good.componentId, state: 'running'}])
  }, 120_000)
})
