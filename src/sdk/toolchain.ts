/**
 * Checks that the system packages the C SDK needs are installed, and names the apt packages when not.
 * clang (wasm32 target) + wasm-ld + libclang_rt.builtins-wasm32 + wasi-libc compile apps; cmake + ninja run
 * Azure Sphere projects (their presets use the Ninja generator).
 */
import {execFileSync} from 'node:child_process'
import {existsSync, realpathSync} from 'node:fs'
import {delimiter, dirname, join} from 'node:path'
import {SphereError} from '../util/errors.js'

export const SDK_APT_PACKAGES = ['clang-14', 'lld-14', 'wasi-libc', 'libclang-rt-14-dev-wasm32', 'cmake', 'ninja-build'] as const

export interface Toolchain {
  clang: string
  wasmLd: string
  cmake: string
  ninja: string
  wasiSysroot: {include: string; lib: string}
  builtins: string
}

/** One missing piece: what and which apt package provides it. */
export interface MissingTool {
  what: string
  aptPackage: string
}

function which(names: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '')
  for (const name of names) {
    for (const d of dirs) {
      const p = join(d, name)
      if (existsSync(p)) return p
    }
  }
  return undefined
}

const WASI_INCLUDES = ['/usr/include/wasm32-wasi', '/usr/share/wasi-sysroot/include/wasm32-wasi', '/usr/share/wasi-sysroot/include']
const WASI_LIBS = ['/usr/lib/wasm32-wasi', '/usr/share/wasi-sysroot/lib/wasm32-wasi']

/** Looks for every tool; returns what was found and what is missing (never throws). */
export function probeToolchain(env: NodeJS.ProcessEnv = process.env): {found: Partial<Toolchain>; missing: MissingTool[]} {
  const found: Partial<Toolchain> = {}
  const missing: MissingTool[] = []
  const clang = which(['clang-14', 'clang-15', 'clang-16', 'clang-19', 'clang'], env)
  if (clang) {
    found.clang = clang
    const llvmBin = dirname(realpathSync(clang))
    const ld = existsSync(join(llvmBin, 'wasm-ld')) ? join(llvmBin, 'wasm-ld') : which(['wasm-ld-14', 'wasm-ld'], env)
    if (ld) found.wasmLd = ld
    else missing.push({what: 'wasm-ld (WebAssembly linker)', aptPackage: 'lld-14'})
    try {
      const builtins = execFileSync(clang, ['--target=wasm32-wasi', '-print-libgcc-file-name'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
      if (existsSync(builtins)) found.builtins = builtins
      else missing.push({what: 'wasm32 compiler runtime (libclang_rt.builtins-wasm32.a)', aptPackage: 'libclang-rt-14-dev-wasm32'})
    } catch {
      missing.push({what: 'wasm32 compiler runtime (libclang_rt.builtins-wasm32.a)', aptPackage: 'libclang-rt-14-dev-wasm32'})
    }
  } else {
    missing.push({what: 'clang (C compiler with the wasm32 target)', aptPackage: 'clang-14'})
    missing.push({what: 'wasm-ld (WebAssembly linker)', aptPackage: 'lld-14'})
  }
  const root = env.WASI_SYSROOT
  const includes = root ? [join(root, 'include', 'wasm32-wasi'), join(root, 'include'), ...WASI_INCLUDES] : WASI_INCLUDES
  const libs = root ? [join(root, 'lib', 'wasm32-wasi'), join(root, 'lib'), ...WASI_LIBS] : WASI_LIBS
  const include = includes.find((d) => existsSync(join(d, 'wasi', 'api.h')))
  const lib = libs.find((d) => existsSync(join(d, 'libc.a')) && existsSync(join(d, 'crt1-command.o')))
  if (include && lib) found.wasiSysroot = {include, lib}
  else missing.push({what: 'wasi-libc (C library for wasm32-wasi)', aptPackage: 'wasi-libc'})
  const cmake = which(['cmake'], env)
  if (cmake) found.cmake = cmake
  else missing.push({what: 'cmake', aptPackage: 'cmake'})
  const ninja = which(['ninja', 'ninja-build'], env)
  if (ninja) found.ninja = ninja
  else missing.push({what: 'ninja (the build tool Azure Sphere presets use)', aptPackage: 'ninja-build'})
  return {found, missing}
}

/** The toolchain, or SDK_TOOLCHAIN_MISSING naming what is missing and the apt-get line that installs it. */
export function requireToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  const {found, missing} = probeToolchain(env)
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((m) => m.aptPackage))]
    throw new SphereError('SDK_TOOLCHAIN_MISSING', `The C toolchain is incomplete: missing ${missing.map((m) => m.what).join(', ')}`, {
      suggestions: [
        `Install it: sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
        `The full SDK toolchain is: ${SDK_APT_PACKAGES.join(' ')}`,
      ],
    })
  }
  return found as Toolchain
}
