/**
 * `sphere app create`: copy a template from templates/ into a new project directory, substituting the app
 * name (__APP_NAME__) and a fresh component ID (__COMPONENT_ID__) in every text file.
 */
import {randomUUID} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {SphereError, usageError} from '../util/errors.js'
import {templatesDir} from './paths.js'

export interface TemplateInfo {
  name: string
  description: string
}

export interface CreateOptions {
  template: string
  /** App name: project name, manifest Name and directory name. */
  name: string
  /** Parent directory of the new project (default: the current directory). */
  dir?: string
  /** Component ID (default: a random UUID). */
  componentId?: string
}

export interface CreateResult {
  template: string
  name: string
  componentId: string
  projectDir: string
  files: string[]
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_TEMPLATE_FILES = 200

/** The templates shipped in templates/ (each directory with a template.json). */
export function listTemplates(): TemplateInfo[] {
  const root = templatesDir()
  let names: string[] = []
  try {
    names = readdirSync(root).sort()
  } catch {
    return []
  }
  const out: TemplateInfo[] = []
  for (const n of names) {
    try {
      const meta = JSON.parse(readFileSync(join(root, n, 'template.json'), 'utf8')) as {description?: string}
      out.push({name: n, description: meta.description ?? ''})
    } catch {
      // not a template directory
    }
  }
  return out
}

function walk(root: string, dir: string, out: string[]): void {
  for (const n of readdirSync(dir).sort()) {
    const abs = join(dir, n)
    if (statSync(abs).isDirectory()) walk(root, abs, out)
    else out.push(relative(root, abs))
    if (out.length > MAX_TEMPLATE_FILES) throw new SphereError('TEMPLATE_TOO_LARGE', `template has more than ${MAX_TEMPLATE_FILES} files`)
  }
}

/** Creates <dir>/<name> from a template. Fails (and writes nothing) if the directory exists. */
export function createApp(opts: CreateOptions): CreateResult {
  const templates = listTemplates()
  const template = templates.find((t) => t.name === opts.template)
  if (!template) {
    throw usageError('APP_UNKNOWN_TEMPLATE', `Unknown template ${JSON.stringify(opts.template)}`, [`Templates: ${templates.map((t) => t.name).join(', ')}`])
  }
  if (!NAME_RE.test(opts.name)) {
    throw usageError('APP_BAD_NAME', `Invalid app name ${JSON.stringify(opts.name)}: use letters, digits, '_' or '-', starting with a letter (at most 64)`)
  }
  const componentId = (opts.componentId ?? randomUUID()).toLowerCase()
  if (!GUID_RE.test(componentId)) throw usageError('APP_BAD_COMPONENT_ID', `Invalid component ID ${JSON.stringify(opts.componentId)}: expected a GUID`)
  const parent = resolve(opts.dir ?? '.')
  const projectDir = join(parent, opts.name)
  if (existsSync(projectDir)) {
    throw new SphereError('APP_DIR_EXISTS', `${projectDir} already exists`, {suggestions: ['Pick another name or --output-dir']})
  }
  const src = join(templatesDir(), template.name)
  const files: string[] = []
  walk(src, src, files)
  const wanted = files.filter((f) => f !== 'template.json')
  // Build in a sibling temp dir, then rename: a failure never leaves a half-made project.
  mkdirSync(parent, {recursive: true})
  const tmp = join(parent, `.${opts.name}.tmp-${process.pid}-${Date.now()}`)
  try {
    for (const rel of wanted) {
      const text = readFileSync(join(src, rel), 'utf8').replace(/__APP_NAME__/g, opts.name).replace(/__COMPONENT_ID__/g, componentId)
      const dest = join(tmp, rel.replace(/\.template$/, ''))
      mkdirSync(dirname(dest), {recursive: true})
      writeFileSync(dest, text)
    }
    renameSync(tmp, projectDir)
  } catch (e) {
    rmSync(tmp, {recursive: true, force: true})
    throw e
  }
  return {template: template.name, name: opts.name, componentId, projectDir, files: wanted.map((f) => f.replace(/\.template$/, '')).sort()}
}
