#!/usr/bin/env node
// Development entry: same as run.js but always rebuilds first would be slow; run `npm run build` or `tsc -w`.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
