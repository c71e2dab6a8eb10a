#!/usr/bin/env node
// Fast path: `sphere --version` is called by scripts in loops; answer it without loading the framework.
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
  const {readFileSync} = await import('node:fs')
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else if ((argv[0] === 'monitor' || (argv[0] === 'device' && argv[1] === 'monitor')) && process.stdout.isTTY &&
  (await (await import('../dist/tui/fast-start.js')).tryFastMonitor(argv))) {
  // the full-screen monitor started without the framework (see src/tui/fast-start.ts)
} else {
  const {run, flush} = await import('@oclif/core')
  try {
    await run(argv, import.meta.url)
    await flush()
  } catch (error) {
    if (error?.oclif?.exit !== undefined && error.code === 'EEXIT') {
      await flush()
      process.exit(error.oclif.exit)
    }
    const {handleTopLevelError} = await import('../dist/cli/handle-error.js')
    process.exitCode = await handleTopLevelError(error, import.meta.url, argv)
  }
}
