import {readFile} from 'node:fs/promises'
import {SphereError} from '../util/errors.js'

/** Read a file a flag names; a missing or unreadable file is a one-line error naming it. */
export async function readInputFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (e) {
    throw new SphereError('FILE_NOT_FOUND', `Cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`)
  }
}
