import {Args, Flags} from '@oclif/core'
import {readFile} from 'node:fs/promises'
import {DeviceCommand} from '../../cli/device-command.js'
import {sphereHome} from '../../cli/config.js'
import {buildApp} from '../../sdk/index.js'
import {SphereError} from '../../util/errors.js'

export interface AppRunResult {
  name: string
  componentId: string
  imagePackage: string
  state: string
  logLines: number
}

export default class AppRun extends DeviceCommand<AppRunResult> {
  static override summary = 'Build an app, sideload it to the device, start it and stream its log until Ctrl-C'
  static override description =
    'The edit-build-run loop in one command: `app build`, then `device sideload deploy`, then `device app logs --follow`. ' +
    'Ctrl-C stops streaming (the app keeps running; add --stop-on-exit to stop it). With --no-follow it returns after starting.'
  static override examples = [
    '<%= config.bin %> app run',
    '<%= config.bin %> app run ./MyApp --device sim:lab',
    '<%= config.bin %> app run ./MyApp --no-follow -o json',
  ]
  static override args = {dir: Args.string({description: 'Project directory (default: current directory)', default: '.'})}
  static override flags = {
    preset: Flags.string({char: 'p', description: 'CMake configure preset (default: ARM-Debug, else the first one)'}),
    follow: Flags.boolean({description: 'Stream the log until Ctrl-C', default: true, allowNo: true}),
    'stop-on-exit': Flags.boolean({description: 'Stop the app when streaming ends'}),
    timeout: Flags.integer({description: 'Stop streaming after this many seconds (for scripts)', min: 1}),
  }
  static override columns = [
    {key: 'name', header: 'App'},
    {key: 'componentId', header: 'Component ID'},
    {key: 'state', header: 'State'},
  ]

  async execute(): Promise<AppRunResult> {
    const {args, flags} = await this.parse(AppRun)
    const built = await buildApp({
      dir: args.dir,
      ...(flags.preset !== undefined ? {preset: flags.preset} : {}),
      sphereHome: sphereHome(),
      onStep: (step) => this.verboseLine(step),
    })
    const app = built.apps[0]
    if (!app) throw new SphereError('APP_NOTHING_BUILT', `The project in ${args.dir} produced no image package.`)
    if (built.apps.length > 1) this.warnLine(`The project builds ${built.apps.length} apps; running the first, ${app.name}.`)
    const client = await this.client()
    const pkg = await readFile(app.imagePackage)
    await client.stage(pkg)
    await client.install('Auto')
    const status = await client.appStatus(app.componentId)
    this.verboseLine(`${app.name} (${app.componentId}) is ${status.state}`)
    let lines = 0
    if (flags.follow) {
      const ac = new AbortController()
      const stop = (): void => ac.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      const timer = flags.timeout ? setTimeout(stop, flags.timeout * 1000) : undefined
      try {
        await client.followAppLog(
          app.componentId,
          0,
          (e) => {
            lines++
            process.stderr.write(e.text.endsWith('\n') ? e.text : e.text + '\n')
          },
          ac.signal,
        )
      } finally {
        if (timer) clearTimeout(timer)
        process.removeListener('SIGINT', stop)
        process.removeListener('SIGTERM', stop)
      }
      if (flags['stop-on-exit']) await client.setAppState(app.componentId, 'stop')
    }
    const final = await client.appStatus(app.componentId)
    return {name: app.name, componentId: app.componentId, imagePackage: app.imagePackage, state: final.state, logLines: lines}
  }
}
