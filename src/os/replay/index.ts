/** Record / replay and snapshots (docs/replay.md): above the REST API, below the daemon. */
export {RecordSession, SwitchTap, appDigests, unsnapshottable, type RecordSessionOptions} from './service.js'
export {InputRecorder, TraceCollector, fileSink, memorySink, type LineSink} from './recorder.js'
export {parseRecording, readStateDir, RECORDING_FORMAT, RECORDING_VERSION, type Recording, type RecordingHeader, type InputRecord} from './recording.js'
export {replay, ReplayDiverged, ReplayTap, writeState, type ReplayOptions, type ReplayResult} from './replayer.js'
export {traceEntry, traceLine, parseTrace, firstDifference, describeDifference, TRACE_EVENTS, type TraceEntry, type TraceDifference} from './trace.js'
