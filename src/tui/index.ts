/**
 * The device monitor (`sphere device monitor`): state model, event-stream store, snapshot output and the
 * full-screen Ink view. This barrel never imports Ink: `launchMonitor` loads it on demand.
 */
export {
  applyEvent,
  addAudit,
  addLogs,
  auditComponentId,
  capabilityForAudit,
  capabilityRows,
  filterApps,
  formatBytes,
  headerFacts,
  initialState,
  ledGroups,
  parseEvent,
  AUDIT_KEEP,
  LOG_KEEP,
  type AppUsage,
  type CapabilityRow,
  type ConnectionState,
  type LedGroup,
  type MonitorState,
} from './model.js'
export {MonitorStore, type MonitorSource, type MonitorStoreOptions} from './store.js'
export {readSnapshot, formatSnapshotText, boardLines, type MonitorSnapshot} from './snapshot.js'
export {tableLayout, appCells, type TableLayout} from './table.js'
export {launchMonitor, type LaunchMonitorOptions} from './launch.js'
