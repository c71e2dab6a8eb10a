#!/usr/bin/env node
// The start path loads one command's code only (dist/cli/fast-run.js); the framework (@oclif/core) is loaded for
// help, topic listings, plugin commands and unknown commands.
const argv = process.argv.slice(2)
const root = new URL('../', import.meta.url)
const exitOf = (error) => (error?.oclif?.exit !== undefined && error.code === 'EEXIT' ? error.oclif.exit : undefined)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
  const {readFileSync} = await import('node:fs')
  const pjson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
  process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else if ((argv[0] === 'monitor' || (argv[0] === 'device' && argv[1] === 'monitor')) && process.stdout.isTTY &&
  (await (await import('../dist/tui/fast-start.js')).tryFastMonitor(argv))) {
  // the full-screen monitor started without the framework (see src/tui/fast-start.ts)
} else {
  let handled = false
  try {
    handled = await (await import('../dist/cli/fast-run.js')).fastRun(argv, root)
  } catch (error) {
    handled = true
    const code = exitOf(error)
    if (code !== undefined) process.exitCode = code
    else {
      const {handleTopLevelError} = await import('../dist/cli/handle-error.js')
      process.exitCode = await handleTopLevelError(error, import.meta.url, argv)
    }
  }
  if (!handled) {
    const {run, flush} = await import('@oclif/core')
    try {
      await run(argv, import.meta.url)
      await flush()
    } catch (error) {
      const code = exitOf(error)
      if (code !== undefined) {
        await flush()
        process.exit(code)
      }
      const {handleTopLevelError} = await import('../dist/cli/handle-error.js')
      process.exitCode = await handleTopLevelError(error, import.meta.url, argv)
    }
  }
}
