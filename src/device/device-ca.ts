/**
 * Which CA a device's HTTPS certificate must chain to. The real tools pin one CA and trust nothing else (the Python
 * `azuresphere_device_api` passes its bundled `device_rest_api_certificate.pem` as `verify=` and checks the name
 * against the Host header `*.devices.sphere.azure.local`; the C# package builds the chain with that CA as the only
 * custom root). We do the same, choosing the CA by the device:
 *
 *   1. `SPHERE_DEVICE_CA`: a PEM file path, or PEM text (kept for scripts that export the text);
 *   2. our own simulator, found from its state under SPHERE_HOME: the one whose serial PTY (`sim start --serial`) or
 *      HTTPS listener (`--listen`) is the address given; its CA is `sims/<name>/state/tls/ca.pem`;
 *   3. otherwise a real board: the "Azure Sphere Device" CA every MT3620 chains to (below).
 */
import {readFileSync, realpathSync} from 'node:fs'
import {join} from 'node:path'
import {SphereError} from '../util/errors.js'
import {listSimNames, readDaemonInfo, isPidAlive, simDir} from './sims.js'

/**
 * The "Azure Sphere Device" CA of real MT3620 devices (self-signed EC P-256, CA:TRUE, 2018-05-22 to 2038-05-17), as
 * published in Azure/azure-sphere-tools (MIT licence, Copyright (c) Microsoft Corporation),
 * Manufacturing/src/Python/package/azuresphere_device_api/certs/device_rest_api_certificate.pem.
 */
export const AZURE_SPHERE_DEVICE_CA = `-----BEGIN CERTIFICATE-----
MIICKzCCAdGgAwIBAgIJAMfIlwEUrTAVMAoGCCqGSM49BAMCMHIxCzAJBgNVBAYT
AlVTMRMwEQYDVQQIDApXYXNoaW5ndG9uMRAwDgYDVQQHDAdSZWRtb25kMR4wHAYD
VQQKDBVNaWNyb3NvZnQgQ29ycG9yYXRpb24xHDAaBgNVBAMME0F6dXJlIFNwaGVy
ZSBEZXZpY2UwHhcNMTgwNTIyMDAwNDAzWhcNMzgwNTE3MDAwNDAzWjByMQswCQYD
VQQGEwJVUzETMBEGA1UECAwKV2FzaGluZ3RvbjEQMA4GA1UEBwwHUmVkbW9uZDEe
MBwGA1UECgwVTWljcm9zb2Z0IENvcnBvcmF0aW9uMRwwGgYDVQQDDBNBenVyZSBT
cGhlcmUgRGV2aWNlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEey23eqF+2cMX
fG/2qcv/o4/jvTkJXy2PxEfqMQNQlCGtL25Ukf7g4bIuinELL5dnxd73fOesX6Og
Ilg0z0qLfaNQME4wHQYDVR0OBBYEFHmNTgU+W4oisyaUX7UjMUh9++pKMB8GA1Ud
IwQYMBaAFHmNTgU+W4oisyaUX7UjMUh9++pKMAwGA1UdEwQFMAMBAf8wCgYIKoZI
zj0EAwIDSAAwRQIhAMML3+zMBqmHiA9UCHdBEiRiBEqFqixlthD65GXEi2w4AiAI
Pw/eNjQa3R/Oz4pkuwSzu/S2rqW27ALiiupKJpZ0qQ==
-----END CERTIFICATE-----
`

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/

/** `SPHERE_DEVICE_CA` as PEM: the variable's text when it holds PEM, else the file it names. Undefined when unset. */
export function caFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.SPHERE_DEVICE_CA
  if (v === undefined || v.trim() === '') return undefined
  if (v.includes('-----BEGIN')) return v
  let text: string
  try {
    text = readFileSync(v, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message
    throw new SphereError('DEVICE_CA_UNREADABLE', `Cannot read the device CA file '${v}' (SPHERE_DEVICE_CA): ${why}.`, {
      suggestions: ['Set SPHERE_DEVICE_CA to a PEM certificate file, or unset it to use the CA the device is known by.'],
    })
  }
  if (!PEM_CERT.test(text)) {
    throw new SphereError('DEVICE_CA_BAD', `The device CA file '${v}' (SPHERE_DEVICE_CA) holds no PEM certificate.`, {
      suggestions: ['Export the simulator CA with `sphere sim ca --name NAME > ca.pem`.'],
    })
  }
  return text
}

function samePath(a: string, b: string): boolean {
  if (a === b) return true
  try {
    return realpathSync(a) === realpathSync(b)
  } catch {
    return false
  }
}

function simCa(home: string, name: string): string | undefined {
  try {
    return readFileSync(join(simDir(home, name), 'state', 'tls', 'ca.pem'), 'utf8')
  } catch {
    return undefined
  }
}

/** The CA of the running simulator whose serial PTY is `path`, if any. */
export function simCaForSerial(home: string, path: string): string | undefined {
  for (const name of listSimNames(home)) {
    const info = readDaemonInfo(home, name)
    if (info?.serialPath && isPidAlive(info.pid) && samePath(info.serialPath, path)) return simCa(home, name)
  }
  return undefined
}

/** The CA of the running simulator whose `--listen` HTTPS listener is host:port (a wildcard listen matches any host). */
export function simCaForAddress(home: string, host: string, port: number): string | undefined {
  for (const name of listSimNames(home)) {
    const info = readDaemonInfo(home, name)
    if (!info?.listen || !isPidAlive(info.pid)) continue
    const i = info.listen.lastIndexOf(':')
    const lhost = info.listen.slice(0, i).replace(/^\[|\]$/g, '')
    const lport = Number(info.listen.slice(i + 1))
    if (lport !== port) continue
    if (lhost === host || lhost === '0.0.0.0' || lhost === '::' || (lhost === 'localhost' && host === '127.0.0.1')) return simCa(home, name)
  }
  return undefined
}

/** The CA to pin for the device on serial port `path`. */
export function deviceCaForSerial(home: string, path: string): string {
  return caFromEnv() ?? simCaForSerial(home, path) ?? AZURE_SPHERE_DEVICE_CA
}

/** The CA to pin for the device at https://host:port. */
export function deviceCaForAddress(home: string, host: string, port: number): string {
  return caFromEnv() ?? simCaForAddress(home, host, port) ?? AZURE_SPHERE_DEVICE_CA
}
