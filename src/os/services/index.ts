export * from './app-log.js'
export * from './app-manager.js'
