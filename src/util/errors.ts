/**
 * The one error type every layer throws for expected failures: a stable machine-readable `code`,
 * a one-line human message, an exit status, and optional suggestions for the user.
 * The CLI prints `Error: <message>` (+ suggestions) and exits with `exit`; stack traces only with --debug.
 */
export class SphereError extends Error {
  /** Stable identifier, e.g. `IMAGE_BAD_MAGIC`, `LSM_DENY`, `DEVICE_NOT_FOUND`. */
  readonly code: string
  /** Process exit status: 1 for failures, 2 for usage errors. */
  readonly exit: number
  /** What the user can do about it, one line each. */
  readonly suggestions: string[]

  constructor(code: string, message: string, opts: {exit?: number; suggestions?: string[]; cause?: unknown} = {}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'SphereError'
    this.code = code
    this.exit = opts.exit ?? 1
    this.suggestions = opts.suggestions ?? []
  }
}

/** A usage error (bad flag value, missing argument): exit status 2. */
export function usageError(code: string, message: string, suggestions: string[] = []): SphereError {
  return new SphereError(code, message, {exit: 2, suggestions})
}

export function isSphereError(e: unknown): e is SphereError {
  return e instanceof SphereError
}
