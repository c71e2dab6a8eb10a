// README.md's "sphere on the PATH" is the truth: its command lines are read from the README and run top to
// bottom in the repository with npm's global prefix in a scratch directory (so `npm link` / `npm install -g .`
// put `sphere` in <prefix>/bin, which is on PATH). Each must exit 0; after a link or install, plain `sphere`
// must be the built CLI, and after the unlink / uninstall it must be gone again.
import {afterAll, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, tempHome} from '../helpers/cli.js'

function pathCommands(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('sphere on the PATH'))
  if (!section) throw new Error('README.md has no "## sphere on the PATH" section')
  const block = /```sh\n([\s\S]*?)```/.exec(section)
  if (!block) throw new Error('the "sphere on the PATH" section has no ```sh block')
  return block[1]!
    .split('\n')
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

describe('README.md "sphere on the PATH"', () => {
  const prefix = mkdtempSync(join(tmpdir(), 'sphere-prefix-'))
  const {home, cleanup} = tempHome()
  afterAll(() => {
    rmSync(prefix, {recursive: true, force: true})
    cleanup()
  })

  it('npx sphere, npm link and npm install -g . each give a working sphere command', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version
    const lines = pathCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'))
    expect(lines.some((l) => l.startsWith('npx sphere'))).toBe(true)
    expect(lines).toContain('npm link')
    const bin = join(prefix, 'bin', 'sphere')
    const env = {
      ...process.env,
      SPHERE_HOME: home,
      NODE_OPTIONS: '',
      PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
      npm_config_prefix: prefix,
      // the build is there already: `prepare` would only rebuild it; no registry is needed for a local folder
      npm_config_ignore_scripts: 'true',
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    }
    let linked = false
    for (const line of lines) {
      const r = spawnSync('sh', ['-c', line], {cwd: ROOT, env, encoding: 'utf8', timeout: 120_000})
      expect({line, status: r.status}).toEqual({line, status: 0})
      if (/^npm (link|install -g)/.test(line)) linked = true
      if (/^npm (unlink|uninstall) -g/.test(line)) {
        linked = false
        expect(existsSync(bin)).toBe(false)
      }
      if (line.startsWith('sphere ') || line.startsWith('npx sphere ')) {
        expect(JSON.parse(r.stdout)).toMatchObject({version})
        if (line.startsWith('sphere ')) expect(linked).toBe(true)
      }
    }
  })
})
