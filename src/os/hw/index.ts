export * from './chip.js'
export * from './board.js'
export * from './world.js'
