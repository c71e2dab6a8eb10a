/** src/scenario: `sphere test` (scenario files, the in-process runner, verdicts, JUnit, sharding) and the trace. */
export {
  ACTIONS,
  DEFAULT_RUN_TIMEOUT_MS,
  DEFAULT_WAIT_TIMEOUT_NS,
  SCENARIO_SCHEMA_URL,
  formatNs,
  loadScenario,
  parseBlinkRate,
  parseDuration,
  parseScenario,
  type Action,
  type AppSource,
  type Scenario,
  type Step,
} from './scenario.js'
export {
  EXIT_FAILED,
  EXIT_PASSED,
  EXIT_TIMEOUT,
  buildScenarioApps,
  exitCodeFor,
  runScenario,
  type Failure,
  type RunOptions,
  type ScenarioResult,
  type StepResult,
  type Verdict,
} from './runner.js'
export {collectScenarioFiles, failureText, junitXml, parseShard, selectShard, shardOf} from './suite.js'
export {InProcessTarget, deviceIdFor, type DeviceSetup, type DeviceTarget} from './target.js'
export {TRACE_EVENTS, firstDifference, parseTrace, traceEntry, traceLine, traceText, type TraceDifference, type TraceEntry, type TraceKind} from './trace.js'
