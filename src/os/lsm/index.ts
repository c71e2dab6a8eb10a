export * from './policy.js'
export * from './lsm.js'
export * from './audit.js'
