export * from './policy.js'
export * from './lsm.js'
export * from './os-endpoints.js'
export * from './audit.js'
