/**
 * Host ends of simulated UARTs: a PTY pair made with socat (the app's UART on one end, a path a user opens
 * with screen / minicom / serialport on the other), or a file that records what the app transmits.
 */
import {appendFileSync, lstatSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {UartLineSettings, UartPeer, UartPort} from '../hw/uart.js'
import {startPtyPair} from '../../protocol/link/pty-pair.js'
import {OsError} from '../errors.js'

export interface UartBridge {
  readonly isu: string
  /** `pty` or `file`. */
  readonly kind: 'pty' | 'file'
  /** The host path: the PTY a user opens, or the file that records the app's output. */
  readonly path: string
  close(): Promise<void>
}

interface SerialLike {
  write(data: Buffer): boolean
  on(ev: 'data', fn: (d: Buffer) => void): void
  on(ev: 'error', fn: (e: Error) => void): void
  close(cb?: (e: Error | null) => void): void
  readonly isOpen: boolean
}

const live = new Set<UartBridge>()
let exitHook = false

function removeLink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) rmSync(path, {force: true})
  } catch {
    // absent
  }
}

/**
 * Bridge `port` to a new PTY whose user end is the symlink `path`. Bytes the app transmits appear on the PTY;
 * bytes written to the PTY arrive in the app's receive buffer. `settings`: line settings the host side
 * expects (a mismatch with the app's UART_Config makes the bytes framing errors).
 */
export async function bridgeUartToPty(
  port: UartPort,
  path: string,
  settings?: Partial<UartLineSettings>,
  /** Where the bytes from the host enter the device (World.hostGate); default: at once. */
  gate?: (input: {source: string; object: string; event: string; args?: unknown[]}, apply: () => void) => void,
): Promise<UartBridge> {
  removeLink(path)
  const dir = mkdtempSync(join(tmpdir(), 'sphere-uart-'))
  const pair = await startPtyPair({dir, name: port.isu.toLowerCase()})
  pair.process.unref()
  let serial: SerialLike | undefined
  try {
    symlinkSync(realpathSync(pair.b), path)
    const {SerialPort} = (await import('serialport')) as unknown as {
      SerialPort: new (o: {path: string; baudRate: number; autoOpen: boolean}) => SerialLike & {
        open(cb: (e: Error | null) => void): void
      }
    }
    const sp = new SerialPort({path: pair.a, baudRate: 115200, autoOpen: false})
    await new Promise<void>((resolve, reject) => sp.open((e) => (e ? reject(e) : resolve())))
    serial = sp
  } catch (e) {
    await pair.stop()
    removeLink(path)
    rmSync(dir, {recursive: true, force: true})
    throw new OsError('UART_BRIDGE_FAILED', `cannot bridge ${port.isu} to ${path}: ${(e as Error).message}`)
  }
  const s = serial
  // serial bytes from the host are an input of the device (recorded / replayed through the gate)
  s.on('data', (d: Buffer) => {
    const apply = (): void => port.inject(new Uint8Array(d))
    if (gate) gate({source: 'uart', object: `uart:${port.isu}`, event: 'data', args: [d.toString('base64')]}, apply)
    else apply()
  })
  s.on('error', () => {})
  let closed = false
  const bridge: UartBridge = {
    isu: port.isu,
    kind: 'pty',
    path,
    close: async () => {
      if (closed) return
      closed = true
      live.delete(bridge)
      exitCleanups.delete(bridge)
      if (port.peer === peer) port.detachPeer()
      if (s.isOpen) await new Promise<void>((r) => s.close(() => r()))
      await pair.stop()
      removeLink(path)
      rmSync(dir, {recursive: true, force: true})
    },
  }
  const peer: UartPeer = {
    description: `pty ${path}`,
    settings,
    receive: (data) => {
      if (s.isOpen) s.write(Buffer.from(data))
    },
    close: () => void bridge.close(),
  }
  port.attachPeer(peer)
  track(bridge, () => {
    pair.process.kill()
    removeLink(path)
    rmSync(dir, {recursive: true, force: true})
  })
  return bridge
}

/** Record everything the app transmits on `port` in `path` (created empty). */
export function bridgeUartToFile(port: UartPort, path: string, settings?: Partial<UartLineSettings>): UartBridge {
  writeFileSync(path, '')
  let closed = false
  const bridge: UartBridge = {
    isu: port.isu,
    kind: 'file',
    path,
    close: async () => {
      if (closed) return
      closed = true
      live.delete(bridge)
      if (port.peer === peer) port.detachPeer()
    },
  }
  const peer: UartPeer = {
    description: `file ${path}`,
    settings,
    receive: (data) => appendFileSync(path, data),
    close: () => void bridge.close(),
  }
  port.attachPeer(peer)
  track(bridge)
  return bridge
}

/** What must not outlive the simulator process: socat and the PTY links it made (removed synchronously). */
const exitCleanups = new Map<UartBridge, () => void>()

function track(b: UartBridge, cleanup?: () => void): void {
  live.add(b)
  if (cleanup) exitCleanups.set(b, cleanup)
  if (!exitHook) {
    exitHook = true
    process.once('exit', () => {
      for (const fn of exitCleanups.values()) {
        try {
          fn()
        } catch {
          // best effort at exit
        }
      }
    })
  }
}

/** Close every bridge this process opened (tests, daemon shutdown). */
export async function closeAllUartBridges(): Promise<void> {
  await Promise.all([...live].map((b) => b.close()))
}
