/** Where the SDK's own files live: sdk/ and templates/ next to src/ (and dist/). */
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

/** The SDK directory users point AzureSphereDefaultSDKDir at (holds CMakeFiles/AzureSphereToolchain.cmake). */
export function sdkDir(): string {
  return fileURLToPath(new URL('../../sdk', import.meta.url))
}

/** The app templates directory. */
export function templatesDir(): string {
  return fileURLToPath(new URL('../../templates', import.meta.url))
}

/** The toolchain file CMake projects use. */
export function toolchainFile(): string {
  return fileURLToPath(new URL('../../sdk/CMakeFiles/AzureSphereToolchain.cmake', import.meta.url))
}

/** The CLI entry script (bin/run.js), which the toolchain calls for hardware-definition headers. */
export function cliScript(): string | undefined {
  const p = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
  return existsSync(p) ? p : undefined
}
