/**
 * A trace: what a device did during a run, in order, each entry stamped with its boot and that boot's virtual
 * time. The one definition is the record/replay trace (src/os/replay/trace.ts): scenarios, the determinism
 * test, replays and snapshots all compare traces of that shape.
 */
export {
  TRACE_EVENTS,
  describeDifference,
  firstDifference,
  parseTrace,
  traceEntry,
  traceLine,
  traceText,
  type TraceDifference,
  type TraceEntry,
  type TraceKind,
} from '../os/replay/trace.js'
