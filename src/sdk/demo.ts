/**
 * The prebuilt demo app (sdk/demo/), so `npm start` works on a machine without clang: templates/c-eventloop
 * instantiated as DEMO_NAME with DEMO_COMPONENT_ID and built with the Release preset. test/sdk/demo.test.ts
 * rebuilds it when clang is present and compares bin/app byte for byte.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {writeFileAtomic} from '../util/atomic-file.js'
import {SphereError} from '../util/errors.js'
import {buildApp} from './build.js'
import {createApp} from './create.js'
import {sdkDir} from './paths.js'

export const DEMO_NAME = 'SphereDemo'
export const DEMO_TEMPLATE = 'c-eventloop'
export const DEMO_COMPONENT_ID = '5f1ec0de-5a7e-4d3b-9d1e-000000000001'
/** Build date stamped into the demo package (2025-01-01T00:00:00Z), so rebuilding it changes nothing. */
export const DEMO_BUILD_DATE = 1735689600

export interface DemoApp {
  name: string
  componentId: string
  /** bin/app of the demo (WebAssembly, debug sections stripped). */
  wasm: string
  /** The demo packed as an image package (unsigned: sign it with the development key before sideloading). */
  imagePackage: string
  /** The manifest as packed. */
  manifest: string
}

/** Paths of the prebuilt demo; throws if the files are missing from this installation. */
export function demoApp(): DemoApp {
  const dir = join(sdkDir(), 'demo')
  const app: DemoApp = {
    name: DEMO_NAME,
    componentId: DEMO_COMPONENT_ID,
    wasm: join(dir, `${DEMO_NAME}.wasm`),
    imagePackage: join(dir, `${DEMO_NAME}.imagepackage`),
    manifest: join(dir, 'app_manifest.json'),
  }
  for (const p of [app.wasm, app.imagePackage, app.manifest]) {
    if (!existsSync(p)) throw new SphereError('SDK_DEMO_MISSING', `The prebuilt demo app is missing: ${p}`)
  }
  return app
}

/**
 * Builds the demo from templates/DEMO_TEMPLATE (Release preset, unsigned, fixed build date) into outDir as
 * DEMO_NAME.wasm, DEMO_NAME.imagepackage and app_manifest.json. Used to refresh sdk/demo/ and by its test.
 */
export async function buildDemo(outDir: string, opts: {env?: NodeJS.ProcessEnv} = {}): Promise<DemoApp> {
  const work = mkdtempSync(join(tmpdir(), 'sphere-demo-'))
  try {
    const created = createApp({template: DEMO_TEMPLATE, name: DEMO_NAME, dir: work, componentId: DEMO_COMPONENT_ID})
    const built = await buildApp({dir: created.projectDir, preset: 'ARM-Release', buildDate: DEMO_BUILD_DATE, ...(opts.env ? {env: opts.env} : {})})
    const app = built.apps[0]
    if (!app) throw new SphereError('SDK_DEMO_BUILD', 'The demo project built no app')
    mkdirSync(outDir, {recursive: true})
    const out: DemoApp = {
      name: DEMO_NAME,
      componentId: DEMO_COMPONENT_ID,
      wasm: join(outDir, `${DEMO_NAME}.wasm`),
      imagePackage: join(outDir, `${DEMO_NAME}.imagepackage`),
      manifest: join(outDir, 'app_manifest.json'),
    }
    writeFileAtomic(out.wasm, readFileSync(app.app))
    writeFileAtomic(out.imagePackage, readFileSync(app.imagePackage))
    writeFileAtomic(out.manifest, readFileSync(join(created.projectDir, 'app_manifest.json')))
    return out
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
}
