/** Images for the update tests: versions of one app, good (blinks forever) or bad (crashes after 100 ms). */
import type {AppManifest, UnpackedImage} from '../../../src/os/index.js'
import {wat} from '../helpers.js'

export const APP = '00000000-0000-0000-0000-0000000000c1'

export async function version(n: number, good: boolean): Promise<UnpackedImage> {
  const manifest: AppManifest = {
    SchemaVersion: 1,
    Name: `${good ? 'good' : 'bad'}-${n}`,
    ComponentId: APP,
    EntryPoint: '/bin/app',
    CmdArgs: [],
    Capabilities: {Gpio: [8]},
    ApplicationType: 'Default',
  }
  return {
    componentId: APP,
    imageId: imageIdOf(n),
    manifest,
    files: new Map([
      ['bin/app', await wat(good ? 'blink' : 'trap')],
      ['app_manifest.json', new TextEncoder().encode(JSON.stringify(manifest))],
    ]),
  }
}

export function imageIdOf(n: number): string {
  return `00000000-0000-0000-00c1-${n.toString(16).padStart(12, '0')}`
}
