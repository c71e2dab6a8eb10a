export * from './state-store.js'
export * from './mutable-file.js'
export * from './usage-store.js'
export * from './audit-store.js'
