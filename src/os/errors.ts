/**
 * The OS's own error type. An expected failure inside the simulated device carries a stable `code`
 * (e.g. `APP_NOT_INSTALLED`), a one-line message, and where it applies the errno an app sees and the
 * device API error code a REST client gets. It knows nothing of the host: no exit statuses, no CLI
 * suggestions. The REST layer maps it to an HTTP status and error body once (src/os/rest/errors.ts);
 * the CLI maps the device error it receives to its own error and advice once (src/cli/device-errors.ts).
 */
export class OsError extends Error {
  /** Stable identifier, e.g. `APP_NOT_INSTALLED`, `STATE_CORRUPT`, `WORLD_BAD_PATH`. */
  readonly code: string
  /** The Linux errno an app sees for this failure, when an app can see it. */
  readonly errno?: number
  /** The device API error code (REST_ERRORS) when it differs from what the REST layer derives from `code`. */
  readonly deviceErrorCode?: number

  constructor(code: string, message: string, opts: {errno?: number; deviceErrorCode?: number; cause?: unknown} = {}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'OsError'
    this.code = code
    if (opts.errno !== undefined) this.errno = opts.errno
    if (opts.deviceErrorCode !== undefined) this.deviceErrorCode = opts.deviceErrorCode
  }
}

export function isOsError(e: unknown): e is OsError {
  return e instanceof OsError
}
