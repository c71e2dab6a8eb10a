import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {HubClient, liveHub, type HubEvent} from '../../hub/index.js'
import {SphereError} from '../../util/errors.js'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export default class HubMonitorEvents extends SphereCommand<undefined> {
  static override summary = 'Stream the device-to-cloud telemetry the local hub accepts'
  static override description =
    'Each event shows its origin device, payload, system properties (message-id, content-type, ...) and application properties, and its sequence number. If the hub goes away the monitor waits for it and resumes after the last event it showed, so a restart of the hub loses and repeats nothing. With --output json each event is one line of JSON; otherwise indented JSON.'
  static override examples = [
    '<%= config.bin %> hub monitor-events',
    '<%= config.bin %> hub monitor-events --device-id dev1 --timeout 60 --output json',
  ]
  static override flags = {
    'device-id': Flags.string({char: 'd', description: 'Only events from this device'}),
    timeout: Flags.integer({
      description: 'Stop after this many seconds (0: run until interrupted)',
      default: 300,
      min: 0,
      aliases: ['to'],
    }),
    'from-sequence': Flags.integer({
      description: 'First show the events accepted after this sequence number (0: all kept)',
      min: 0,
    }),
  }

  async execute(): Promise<undefined> {
    const {flags} = await this.parse(HubMonitorEvents)
    const home = sphereHome()
    const compact = this.globals.output === 'json'
    const ac = new AbortController()
    const timer = flags.timeout > 0 ? setTimeout(() => ac.abort(), flags.timeout * 1000) : undefined
    const stop = () => ac.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    let since: number | undefined = flags['from-sequence']
    let announced = false
    try {
      for (;;) {
        if (ac.signal.aborted) break
        const info = liveHub(home)
        if (!info) {
          if (!announced)
            throw new SphereError('HUB_NOT_RUNNING', 'The local hub is not running.', {
              suggestions: ['sphere hub start'],
            })
          await sleep(200)
          continue
        }
        const outcome = await new HubClient(info.socketPath)
          .monitor(
            (e: HubEvent & {sequence: number}) => {
              since = e.sequence
              const {sequence: _s, ...event} = e
              process.stdout.write((compact ? JSON.stringify(event) : JSON.stringify(event, null, 4)) + '\n')
            },
            {
              ...(flags['device-id'] ? {deviceId: flags['device-id']} : {}),
              ...(since !== undefined ? {since} : {}),
              signal: ac.signal,
              onOpen: (seq) => {
                since ??= seq
                if (!announced) {
                  announced = true
                  process.stderr.write(
                    `Starting event monitor${flags['device-id'] ? `, filtering on device: ${flags['device-id']}` : ''}, use ctrl-c to stop...\n`,
                  )
                }
              },
            },
          )
          .catch((e: unknown) => {
            if (!announced) throw e
            return 'closed' as const
          })
        if (outcome === 'aborted') break
        await sleep(200) // the hub went away: wait for it and resume after the last event shown
      }
    } finally {
      if (timer) clearTimeout(timer)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
    return undefined
  }
}
