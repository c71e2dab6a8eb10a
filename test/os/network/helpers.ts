/** Helpers for the networking tests: the socket test app (net-app.wat) and its images. */
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {AppManifest, UnpackedImage} from '../../../src/os/index.js'
import {cid, wat} from '../helpers.js'

const here = dirname(fileURLToPath(import.meta.url))

let bin: Uint8Array | undefined
export async function netAppBinary(): Promise<Uint8Array> {
  bin ??= await wat(readFileSync(join(here, 'net-app.wat'), 'utf8'))
  return bin
}

/** The little-endian u32 of an IPv4 address's bytes (how net-app.wat takes its address argument). */
export function ipArg(ip: string): number {
  return ip.split('.').reduce((v, b, i) => v + Number(b) * 256 ** i, 0)
}

export const Mode = {tcpClient: 0, tcpServer: 1, udpEcho: 2, udpClient: 3} as const

/** An image of net-app.wat: `mode`, `port`, `ip` become its CmdArgs. */
export async function netImage(
  n: number,
  mode: number,
  port: number,
  ip: string,
  caps: AppManifest['Capabilities'],
  imageN = n,
): Promise<UnpackedImage> {
  const manifest: AppManifest = {
    SchemaVersion: 1,
    Name: `net${n}`,
    ComponentId: cid(n),
    EntryPoint: '/bin/app',
    CmdArgs: [String(mode), String(port), String(ipArg(ip))],
    Capabilities: caps,
    ApplicationType: 'Default',
  }
  return {
    componentId: cid(n),
    imageId: `${cid(n).slice(0, 24)}${(0x200000 + imageN).toString(16).padStart(12, '0')}`,
    manifest,
    files: new Map([
      ['bin/app', await netAppBinary()],
      ['app_manifest.json', new TextEncoder().encode(JSON.stringify(manifest))],
    ]),
  }
}
