/**
 * Input files a command reads (image packages, keys, certificates, capability files): the one place a failed
 * read becomes a one-line error that names the file and the reason in words, never a raw ENOENT/EISDIR text.
 */
import {readFileSync, statSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {MAX_PACKAGE_BYTES, parseImagePackage, type ImagePackage} from '../image/package.js'
import {SphereError, isSphereError} from '../util/errors.js'
import {fsReason} from './fs-errors.js'

export {fsReason, describeFsError} from './fs-errors.js'

function notReadable(path: string, what: string, e: unknown): SphereError {
  return new SphereError('FILE_NOT_FOUND', `Cannot read ${what} ${path}: ${fsReason(e)}.`, {cause: e})
}

function checkFile(path: string, what: string, max: number): void {
  let st
  try {
    st = statSync(path)
  } catch (e) {
    throw notReadable(path, what, e)
  }
  if (st.isDirectory()) throw notReadable(path, what, Object.assign(new Error('EISDIR'), {code: 'EISDIR'}))
  if (st.size > max) throw new SphereError('FILE_TOO_LARGE', `Cannot read ${what} ${path}: ${st.size} bytes is more than the ${max}-byte limit.`)
}

/** Read a file a flag names; a missing, unreadable or oversized file is a one-line error naming it. */
export async function readInputFile(path: string, what: string, max = MAX_PACKAGE_BYTES): Promise<Buffer> {
  checkFile(path, what, max)
  try {
    return await readFile(path)
  } catch (e) {
    throw notReadable(path, what, e)
  }
}

/** readInputFile, synchronously. */
export function readInputFileSync(path: string, what: string, max = MAX_PACKAGE_BYTES): Buffer {
  checkFile(path, what, max)
  try {
    return readFileSync(path)
  } catch (e) {
    throw notReadable(path, what, e)
  }
}

/**
 * Parse an image package read from `path`: a malformed file is one line naming the file and what is wrong with it
 * (the parser's own messages start "image package: ...").
 */
export function parsePackageFile(path: string, bytes: Uint8Array): ImagePackage {
  try {
    return parseImagePackage(bytes)
  } catch (e) {
    throw packageFileError(path, e)
  }
}

/** An image-layer error about the bytes of `path` as one line that names the file. */
export function packageFileError(path: string, e: unknown): unknown {
  if (!isSphereError(e)) return e
  const detail = e.message.replace(/^image package: /, '')
  return new SphereError(e.code, `${path} is not a valid image package: ${detail}.`.replace(/\.\.$/, '.'), {
    exit: e.exit,
    suggestions: e.suggestions,
    cause: e,
  })
}
