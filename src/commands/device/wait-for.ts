import {Flags} from '../../cli/flags.js'
import {DeviceCommand} from '../../cli/device-command.js'
import {sphereHome} from '../../cli/config.js'
import {selectDevice} from '../../device/index.js'
import {SphereError, isSphereError} from '../../util/errors.js'

export interface WaitForResult {
  device: string
  uptime: number
  waitedMs: number
}

/** How often an absent or silent device is asked again. */
const RETRY_MS = 200
/** The shortest and longest time one ask may take (--timeout 0 still gives the device this long to answer). */
const ATTEMPT_MIN_MS = 1000
const ATTEMPT_MAX_MS = 30_000

export default class DeviceWaitFor extends DeviceCommand<WaitForResult> {
  static override summary = 'Wait until the selected device answers (like adb wait-for-device)'
  static override description =
    'Selects the device as every device command does (--device, else defaults.device, else the one attached simulator or the ' +
    'default one) and asks it for its status until it answers. It never starts a simulator: start one with `sphere sim start` ' +
    '(in another shell or before). Exit codes: 0 the device answered; 1 --timeout passed without an answer (the line names the ' +
    'device and the last reason); 2 a bad --device or --timeout value. Without --timeout it waits for ever.'
  static override examples = [
    '<%= config.bin %> device wait-for',
    '<%= config.bin %> device wait-for -d sim:lab --timeout 30',
    '<%= config.bin %> device wait-for -d /dev/ttyUSB0 --timeout 10 && <%= config.bin %> device show-os-version',
  ]
  static override flags = {
    timeout: Flags.integer({
      char: 't',
      description: 'Give up after this many seconds (exit 1); 0 asks once. Default: wait for ever',
      min: 0,
      max: 86_400,
    }),
  }
  static override columns = [
    {key: 'device', header: 'Device'},
    {key: 'uptime', header: 'Uptime (s)'},
    {key: 'waitedMs', header: 'Waited (ms)'},
  ]

  async execute(): Promise<WaitForResult> {
    const {flags} = await this.parse(DeviceWaitFor)
    const {value, from} = await this.deviceValue()
    const home = sphereHome()
    const t0 = Date.now()
    const deadline = flags.timeout === undefined ? Infinity : t0 + flags.timeout * 1000
    let last: unknown
    for (;;) {
      let close: (() => Promise<void>) | undefined
      try {
        const sel = await selectDevice(home, value, from, {autoStart: false})
        close = sel.close
        // each ask within the time left (at least ATTEMPT_MIN_MS): a device that accepts but never answers must not
        // hold the wait past --timeout
        const left = deadline - Date.now()
        const {uptime} = await sel.client.status({timeoutMs: Math.round(Math.min(ATTEMPT_MAX_MS, Math.max(ATTEMPT_MIN_MS, left)))})
        return {device: sel.client.label, uptime, waitedMs: Date.now() - t0}
      } catch (e) {
        // a value that can never select a device is a usage error at once, not a wait
        if (isSphereError(e) && e.exit === 2) throw e
        last = e
      } finally {
        await close?.().catch(() => undefined)
      }
      if (Date.now() + RETRY_MS > deadline) break
      await new Promise((r) => setTimeout(r, RETRY_MS))
    }
    const what = value === undefined ? 'the default device' : `${from} ${value}`
    const why = (last instanceof Error ? last.message.replace(/\.$/, '') : String(last)).replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase())
    // one line: the device, the time waited and why it did not answer (which says how to bring it up)
    throw new SphereError('DEVICE_WAIT_TIMEOUT', `No answer from ${what} within ${flags.timeout} s: ${why}.`)
  }
}
