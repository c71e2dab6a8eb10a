export * from './policy.js'
export * from './lsm.js'
