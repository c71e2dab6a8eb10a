// sphere-sdk AssemblyScript: an extra entry file `sphere app build` compiles with every app. Its exports
// are the module exports the OS requires besides _start and memory (sdk/ABI.md, "Host-side contract").
import {unwindAreaPointer, unwindAreaSize} from "applibs/runtime"

export function sphere_unwind_area(): usize {
  return unwindAreaPointer()
}

export function sphere_unwind_size(): u32 {
  return unwindAreaSize()
}
