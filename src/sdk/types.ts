/** Options and results shared by the C (CMake) and AssemblyScript app builds. */
import type {SigningKey} from '../image/index.js'

export interface BuildOptions {
  /** Project directory (holds CMakeLists.txt, or asconfig.json / assembly/index.ts). */
  dir: string
  /** CMake configure preset (default: ARM-Debug, else the first visible one), or an asconfig.json target. */
  preset?: string
  /** CMAKE_BUILD_TYPE when the project has no CMakePresets.json (default Debug). */
  buildType?: string
  /** Delete the binary directory first. */
  clean?: boolean
  /** Signs the packages; default: the development key under sphereHome (when given), else unsigned. */
  key?: SigningKey
  /** Where the development key lives (SPHERE_HOME). */
  sphereHome?: string
  /** Package build date (seconds since 1970); default SOURCE_DATE_EPOCH or now. */
  buildDate?: number
  /** Environment for cmake (default process.env). */
  env?: NodeJS.ProcessEnv
  /** Called with a short status line per step (configure, build, pack). */
  onStep?: (step: string) => void
}

export interface BuiltApp {
  /** CMake target name. */
  target: string
  /** The linked module (with debug info in Debug builds). */
  wasm: string
  /** The packaged bin/app (debug sections stripped). */
  app: string
  appBytes: number
  imagePackage: string
  packageBytes: number
  componentId: string
  name: string
}

export interface BuildResult {
  projectDir: string
  preset?: string
  binaryDir: string
  logFile: string
  apps: BuiltApp[]
  durationMs: number
}
