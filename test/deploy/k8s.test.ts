/**
 * deploy/k8s and deploy/Containerfile: the manifests pass the Kubernetes schemas (kubernetes-models, the
 * OpenAPI schemas of the API server), the Job is Indexed with completions = parallelism = the shard count its
 * pods are given, each pod reads JOB_COMPLETION_INDEX, and the Service reaches the shard pods' fleet API port.
 */
import {describe, expect, test} from '@jest/globals'
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseAllDocuments} from 'yaml'
import {Job} from 'kubernetes-models/batch/v1/Job'
import {Service} from 'kubernetes-models/v1/Service'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const K8S = join(root, 'deploy', 'k8s')

type Obj = Record<string, unknown> & {kind?: string; apiVersion?: string}

function docs(file: string): Obj[] {
  return parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`)
    return d.toJS() as Obj
  })
}

const manifests = readdirSync(K8S)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .sort()
const all = manifests.flatMap((f) => docs(f).map((o) => ({file: f, obj: o})))
const models: Record<string, (o: Obj) => {validate(): void}> = {
  'batch/v1 Job': (o) => new Job(o as ConstructorParameters<typeof Job>[0]),
  'v1 Service': (o) => new Service(o as ConstructorParameters<typeof Service>[0]),
}

function theOne(kind: string): Obj {
  const found = all.filter((m) => m.obj.kind === kind)
  expect(found).toHaveLength(1)
  return found[0]!.obj
}

/** The value after `--flag` (or `--flag=value`) in a shell command line. */
function flag(cmd: string, name: string): string | undefined {
  const m = new RegExp(`--${name}(?:=|\\s+)("[^"]*"|\\S+)`).exec(cmd)
  return m?.[1]
}

describe('deploy/k8s', () => {
  test('every manifest is a Job or a Service that passes the Kubernetes schema', () => {
    expect(all.map((m) => `${m.obj.apiVersion} ${m.obj.kind}`).sort()).toEqual(['batch/v1 Job', 'v1 Service'])
    for (const {file, obj} of all) {
      const make = models[`${obj.apiVersion} ${obj.kind}`]
      if (!make) throw new Error(`${file}: no schema for ${obj.apiVersion} ${obj.kind}`)
      expect(() => make(obj).validate()).not.toThrow()
    }
  })

  test('the schema check catches a broken manifest (a string where the schema wants an integer)', () => {
    const job = structuredClone(theOne('Job')) as {spec: {completions: unknown}}
    job.spec.completions = 'a hundred'
    expect(() => new Job(job as ConstructorParameters<typeof Job>[0]).validate()).toThrow(/completions/)
  })

  test('the Job is Indexed, completions = parallelism = --count, and each pod reads JOB_COMPLETION_INDEX', () => {
    const job = theOne('Job') as {
      spec: {completionMode: string; completions: number; parallelism: number; template: {spec: PodSpec}}
    }
    expect(job.spec.completionMode).toBe('Indexed')
    const shard = job.spec.template.spec.containers.find((c) => c.name === 'shard')!
    const cmd = [...(shard.command ?? []), ...(shard.args ?? [])].join(' ')
    expect(cmd).toMatch(/\bsphere fleet shard\b/)
    expect(flag(cmd, 'index')).toBe('"$JOB_COMPLETION_INDEX"')
    expect(shard.command).toEqual(['/bin/sh', '-c'])
    const count = Number(flag(cmd, 'count'))
    expect(Number.isInteger(count) && count > 0).toBe(true)
    expect(job.spec.completions).toBe(count)
    expect(job.spec.parallelism).toBe(count)
    // 1,000,000 devices split evenly
    expect(Number(flag(cmd, 'devices')) / count).toBe(10_000)
    // past the trap handler's address-space cap (docs/fleet-scale.md)
    expect(shard.env?.find((e) => e.name === 'NODE_OPTIONS')?.value).toContain('--disable-wasm-trap-handler')
  })

  test('the Service selects the shard pods and targets the port their fleet API listens on', () => {
    const svc = theOne('Service') as {
      metadata: {name: string}
      spec: {clusterIP?: string; selector: Record<string, string>; ports: {targetPort: string | number}[]}
    }
    const job = theOne('Job') as {spec: {template: {metadata: {labels: Record<string, string>}; spec: PodSpec}}}
    const labels = job.spec.template.metadata.labels
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(labels[k]).toBe(v)
    expect(job.spec.template.spec.subdomain).toBe(svc.metadata.name)
    expect(svc.spec.clusterIP).toBe('None')
    const pod = job.spec.template.spec
    const ports = [...(pod.initContainers ?? []), ...pod.containers].flatMap((c) => c.ports ?? [])
    for (const p of svc.spec.ports) {
      const target = ports.find((q) => q.name === p.targetPort || q.containerPort === p.targetPort)
      expect(target).toBeDefined()
    }
    // the port is served by a container that keeps running beside the shard (a native sidecar)
    const api = pod.initContainers?.find((c) => (c.ports ?? []).length > 0)
    expect(api?.restartPolicy).toBe('Always')
  })

  test('kustomization.yaml lists every manifest', () => {
    const k = docs('kustomization.yaml')[0] as {resources: string[]}
    expect([...k.resources].sort()).toEqual(manifests)
  })
})

describe('deploy/Containerfile', () => {
  const text = readFileSync(join(root, 'deploy', 'Containerfile'), 'utf8')
  const lines = text.split('\n').filter((l) => !l.trim().startsWith('#'))

  test('runs the built CLI on node 20, without a C toolchain', () => {
    const froms = lines.filter((l) => /^FROM\s/.test(l))
    expect(froms.length).toBeGreaterThanOrEqual(1)
    for (const f of froms) expect(f).toMatch(/node:20\b/)
    expect(lines.join('\n')).not.toMatch(/\b(clang|lld|wasi-sdk|build-essential)\b/)
    expect(lines.join('\n')).toMatch(/npm run build/)
    // the CLI's bin entry is what the image runs
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {bin: Record<string, string>}
    expect(pkg.bin.sphere).toBe('./bin/run.js')
    expect(lines.join('\n')).toContain('/opt/sphere/bin/run.js /usr/local/bin/sphere')
    expect(lines.some((l) => /^ENTRYPOINT \["sphere"\]/.test(l))).toBe(true)
    // what package.json ships ("files") is in the run stage
    const files = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {files: string[]}).files
    const copied = lines
      .slice(lines.lastIndexOf(froms.at(-1)!))
      .filter((l) => l.startsWith('COPY --from=build '))
      .flatMap((l) => l.split(/\s+/).filter((w) => w.startsWith('/src/')))
    for (const f of files) expect(copied).toContain(`/src/${f}`)
  })
})

interface Container {
  name: string
  command?: string[]
  args?: string[]
  env?: {name: string; value?: string}[]
  ports?: {name?: string; containerPort: number}[]
  restartPolicy?: string
}
interface PodSpec {
  subdomain?: string
  containers: Container[]
  initContainers?: Container[]
}
