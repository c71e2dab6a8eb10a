export * from './types.js'
export {SyscallTable, bindTable, type DispatchHooks, type TableEntry} from './dispatch.js'
export {SYSCALLS} from './table.js'
