/**
 * The libcurl C API (sdk/libapplibs/curl.c) as an SDK-built app uses it (test/fixtures/curl-api/main.c), against
 * the local internet: request headers from a curl_slist (added and removed), HEADERFUNCTION and DEBUGFUNCTION,
 * redirects and CURLINFO_*, CURLOPT_ERRORBUFFER and curl's own strerror texts, a write callback's
 * CURL_WRITEFUNC_PAUSE resumed from the progress callback, and the classic multi loop (curl_multi_perform +
 * curl_multi_wait + curl_multi_info_read).
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {cpSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device, NS_PER_MS} from '../../../src/os/index.js'
import {buildApp} from '../../../src/sdk/index.js'
import {removeDir, repoRoot, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip

d('the libcurl C API', () => {
  let root: string
  let dev: Device
  let log = ''

  beforeAll(async () => {
    root = tempDir('sphere-curl-api-')
    const home = join(root, 'home')
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    const first = await Device.boot({stateDir: join(root, 'state'), clock: 'fast-forward'})
    const ca = first.internet.caPem()
    await first.shutdown()
    const project = join(root, 'app')
    cpSync(join(repoRoot, 'test', 'fixtures', 'curl-api'), project, {recursive: true})
    mkdirSync(join(project, 'certs'))
    writeFileSync(join(project, 'certs', 'ca.pem'), ca)
    const built = await buildApp({dir: project, env, sphereHome: home})
    dev = await Device.boot({stateDir: join(root, 'state'), clock: 'fast-forward', trust: loadTrustStore(home)})
    dev.internet.configure(
      {
        sites: {
          'api.test': {
            pages: {
              '/hop': {redirect: 'https://api.test/echo'},
              '/echo': {echo: true},
              '/text': {body: 'plain text body', type: 'text/plain'},
              '/missing': {body: 'nope', status: 404},
            },
          },
        },
      },
      root,
    )
    await dev.internet.ready()
    const {componentId} = await dev.installPackage(readFileSync(built.apps[0]!.imagePackage), {start: true})
    const done = (): boolean => dev.appLog(componentId).includes('curl api done')
    for (let i = 0; i < 600 && !done(); i++) {
      await dev.kernel.runUntil(done, 50 * NS_PER_MS)
      if (!done()) await new Promise((r) => setTimeout(r, 5))
    }
    log = dev.appLog(componentId)
  }, 240_000)
  afterAll(async () => {
    await dev?.shutdown()
    removeDir(root)
  })

  test('easy: slist headers, header and debug callbacks, redirects and CURLINFO values', () => {
    expect(log).toContain('one rc=0 code=200 redirects=1 url=https://api.test/echo type=application/json size=')
    expect(log).toContain('one sent X-Sphere-Test=1 no-accept=1 agent=1')
    expect(log).toContain('header Content-Type: application/json')
    expect(log).toContain('one headerLines>=3 1 debugText>0 1 debugHeaderOut>0 1')
  })

  test("errors: CURLOPT_ERRORBUFFER and curl's own texts", () => {
    expect(log).toContain("two rc=6 text='Couldn't resolve host name' buffer='Could not resolve host: unlisted.test'")
    expect(log).toContain(
      "two strerror 28='Timeout was reached' 60='SSL peer certificate or SSH remote key was not OK' 99='Unrecoverable error in select/poll' 100='Unknown error'",
    )
    expect(log).toContain("two setopt unknown=48 multi strerror='Invalid easy handle'")
  })

  test('a write callback pauses; the progress callback resumes; the held data is delivered again', () => {
    expect(log).toContain("three rc=0 paused=1 body='plain text body'")
  })

  test('multi: perform + wait runs both transfers to completion, each reported once', () => {
    expect(log).toContain('four add again=7')
    expect(log).toContain('four done a result=0 code=200')
    expect(log).toContain('four done b result=0 code=404')
    expect(log).toContain("four finished=2 a='plain text body'")
  })
})
