/**
 * Typed access to the engine's WebAssembly API. The project's TypeScript lib (ES2023, no DOM) does not
 * declare it, so the few parts the runtime uses are typed here instead of adding a global declaration.
 */
export interface WasmModule {
  readonly __brand?: 'WasmModule'
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
export interface WasmGlobal {
  value: number
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>
}
export type WasmImports = Record<string, Record<string, unknown>>
export interface WasmImportDescriptor {
  module: string
  name: string
  kind: string
}

interface WasmApi {
  Module: {
    new (bytes: Uint8Array): WasmModule
    imports(m: WasmModule): WasmImportDescriptor[]
    exports(m: WasmModule): {name: string; kind: string}[]
  }
  Instance: new (m: WasmModule, imports: WasmImports) => WasmInstance
  RuntimeError: new (...a: unknown[]) => Error
  CompileError: new (...a: unknown[]) => Error
  LinkError: new (...a: unknown[]) => Error
  validate(bytes: Uint8Array): boolean
  compile(bytes: Uint8Array): Promise<WasmModule>
}

export const Wasm = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly
