/**
 * The monitor screen: header, process table, capabilities/details, log tail, audit feed, board, footer.
 *
 * It reads everything from an injected MonitorStore (fed by the device event stream) and acts through the
 * store's MonitorSource, so a test can drive it with a fake source and ink-testing-library.
 */
import {Box, useApp, useInput, type Key} from 'ink'
import {useCallback, useEffect, useMemo, useRef, useState} from 'react'
import type {SphereAppInfo} from '../../protocol/rest-api.js'
import {filterApps, isActive} from '../model.js'
import type {MonitorStore} from '../store.js'
import {useStoreState} from '../hooks/use-store-state.js'
import {useTerminalSize} from '../hooks/use-terminal-size.js'
import {AuditFeed} from './AuditFeed.js'
import {BoardPanel} from './BoardPanel.js'
import {CapabilityPanel} from './CapabilityPanel.js'
import {DetailsPanel} from './DetailsPanel.js'
import {Footer, type Message} from './Footer.js'
import {Header} from './Header.js'
import {HelpOverlay} from './HelpOverlay.js'
import {LogTail} from './LogTail.js'
import {ProcessTable} from './ProcessTable.js'
import {ThemeContext, makeTheme} from './theme.js'

export interface MonitorProps {
  store: MonitorStore
  /** Where the device is, for the header (e.g. "simulator 'default'"). */
  label: string
  /** Use colour (false with NO_COLOR or when not a TTY). */
  color?: boolean
  /** Minimum time between two data-driven frames (ms). Default 1000. */
  intervalMs?: number
  /** Fixed terminal size (tests); default: the injected stdout's size, following resizes. */
  columns?: number
  rows?: number
  /** Host clock (tests). */
  now?: () => number
  /** How long an action's result stays in the footer (ms). Default 5000. */
  messageMs?: number
  /** How often the header's uptime is redrawn when nothing else changes (ms). Default 5000. */
  clockTickMs?: number
  /** Called when the user quits (q, Ctrl-C), before Ink exits. */
  onQuit?: () => void
}

type Mode = 'normal' | 'filter' | 'confirm' | 'help'

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] as string

export function Monitor(props: MonitorProps) {
  const {store, label} = props
  const now = props.now ?? Date.now
  const {exit} = useApp()
  const state = useStoreState(store, props.intervalMs ?? 1000)
  const {columns, rows} = useTerminalSize({columns: props.columns, rows: props.rows})
  const theme = useMemo(() => makeTheme(props.color ?? false), [props.color])

  const [selectedId, setSelectedId] = useState<string | undefined>(undefined)
  const [filter, setFilter] = useState('')
  const [mode, setMode] = useState<Mode>('normal')
  const [details, setDetails] = useState(false)
  const [message, setMessageState] = useState<Message | undefined>(undefined)
  const [tick, setTick] = useState(0)
  const messageTimer = useRef<NodeJS.Timeout | undefined>(undefined)

  const setMessage = (m: Message | undefined): void => {
    setMessageState(m)
    if (messageTimer.current) clearTimeout(messageTimer.current)
    if (m && m.kind !== 'info')
      messageTimer.current = setTimeout(() => setMessageState(undefined), props.messageMs ?? 5000)
  }

  // Uptime advances every few seconds even when the device is quiet (a frame costs a few ms of CPU).
  useEffect(() => {
    const t = setInterval(() => setTick((x) => x + 1), props.clockTickMs ?? 5000)
    return () => {
      clearInterval(t)
      if (messageTimer.current) clearTimeout(messageTimer.current)
    }
  }, [])

  const apps = useMemo(() => filterApps(state.apps, filter), [state.apps, filter])
  let index = apps.findIndex((a) => a.componentId === selectedId)
  if (index < 0 && apps.length > 0) index = 0
  const app: SphereAppInfo | undefined = apps[index]
  const cid = app?.componentId

  useEffect(() => {
    if (cid !== undefined) store.ensureLog(cid)
  }, [cid, store, state.connection.status])

  const select = (delta: number): void => {
    if (apps.length === 0) return
    const next = Math.min(apps.length - 1, Math.max(0, index + delta))
    setSelectedId(apps[next]?.componentId)
  }

  const act = (what: string, run: () => Promise<unknown>, done: string): void => {
    setMessage({text: `${what}...`, kind: 'info'})
    run().then(
      () => setMessage({text: done, kind: 'ok'}),
      (e: unknown) => setMessage({text: `${what} failed: ${errorText(e)}`, kind: 'error'}),
    )
  }

  const quit = (): void => {
    props.onQuit?.()
    exit()
  }

  // Keys are handled by the handler of the latest render: Ink re-subscribes useInput in a passive effect,
  // which can lag behind a render caused by the event stream, so a closure could see old apps.
  const onKey = (input: string, key: Key): void => {
    // Keys typed faster than a frame arrive as one chunk ("jjj"): replay them one by one; j/k add up.
    if (input.length > 1 && mode === 'normal' && !key.ctrl && !key.meta) {
      let delta = 0
      for (const ch of input) {
        if (ch === 'j' || ch === 'k') delta += ch === 'j' ? 1 : -1
        else onKey(ch, key)
      }
      if (delta !== 0) select(delta)
      return
    }
    if (key.ctrl && input === 'c') return quit()
    if (mode === 'help') return setMode('normal')
    if (mode === 'confirm') {
      setMode('normal')
      if ((input === 'y' || input === 'Y') && app) {
        const target = app
        act(`Deleting ${target.name}`, () => store.source.deleteApp(target.componentId), `Deleted ${target.name}`)
      } else setMessage({text: 'Delete cancelled', kind: 'info'})
      return
    }
    if (mode === 'filter') {
      if (key.return) return setMode('normal')
      if (key.escape) {
        setFilter('')
        return setMode('normal')
      }
      if (key.backspace || key.delete) return setFilter((f) => f.slice(0, -1))
      if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow) setFilter((f) => f + input)
      return
    }
    if (input === 'q') return quit()
    if (key.upArrow || input === 'k') return select(-1)
    if (key.downArrow || input === 'j') return select(1)
    if (key.return) return setDetails((d) => !d)
    if (key.escape) {
      setDetails(false)
      return setMessage(undefined)
    }
    if (input === '?') return setMode('help')
    if (input === '/') return setMode('filter')
    if (input === 'b' || input === 'B') {
      const button = input === 'b' ? 'A' : 'B'
      return act(`Pressing button ${button}`, () => store.source.press(button), `Pressed button ${button}`)
    }
    if (!app) {
      if ('srd'.includes(input) && input !== '') setMessage({text: 'No app selected', kind: 'error'})
      return
    }
    const target = app
    if (input === 's') {
      if (isActive(target.state))
        act(
          `Stopping ${target.name}`,
          () => store.source.setAppState(target.componentId, 'stop'),
          `Stopped ${target.name}`,
        )
      else
        act(
          `Starting ${target.name}`,
          () => store.source.setAppState(target.componentId, 'start'),
          `Started ${target.name}`,
        )
      return
    }
    if (input === 'r') {
      act(
        `Restarting ${target.name}`,
        async () => {
          if (isActive(target.state)) await store.source.setAppState(target.componentId, 'stop')
          await store.source.setAppState(target.componentId, 'start')
        },
        `Restarted ${target.name}`,
      )
      return
    }
    if (input === 'd') return setMode('confirm')
  }
  const keyHandler = useRef(onKey)
  keyHandler.current = onKey
  useInput(useCallback((input: string, key: Key) => keyHandler.current(input, key), []))

  void tick
  const width = Math.max(20, columns)
  // One line short of the terminal: a frame as tall as the screen makes Ink clear it on every update.
  const height = Math.max(12, rows - 1)
  const body = height - 3
  const stale = state.connection.status !== 'live'

  let main
  if (mode === 'help') {
    main = <HelpOverlay width={width} height={body} />
  } else {
    const maxRows = Math.max(3, Math.floor((body - 2) * 0.4))
    const tableH = 2 + Math.min(maxRows, Math.max(1, apps.length))
    const bottom = body - tableH
    const usage = cid ? state.usage[cid.toLowerCase()] : undefined
    const logs = cid ? (state.logs[cid.toLowerCase()] ?? []) : []
    const capsOrDetails = (w: number, h: number) =>
      details ? (
        <DetailsPanel app={app} usage={usage} width={w} height={h} />
      ) : (
        <CapabilityPanel app={app} usage={usage} width={w} height={h} />
      )
    let panels
    if (width >= 70) {
      const leftW = Math.floor((width - 1) / 2)
      const rightW = width - 1 - leftW
      const leftTop = details ? Math.max(3, bottom - 4) : Math.ceil(bottom * 0.45)
      const ledRows = Math.ceil(6 / Math.max(1, Math.floor(rightW / 18)))
      const boardH = Math.min(Math.max(3, bottom - 3), 3 + ledRows)
      panels = (
        <Box height={bottom}>
          <Box flexDirection="column" width={leftW}>
            {capsOrDetails(leftW, leftTop)}
            <LogTail appName={app?.name} entries={logs} width={leftW} height={bottom - leftTop} />
          </Box>
          <Box width={1} />
          <Box flexDirection="column" width={rightW}>
            <AuditFeed records={state.audit} apps={state.apps} width={rightW} height={bottom - boardH} />
            <BoardPanel world={state.world} width={rightW} height={boardH} />
          </Box>
        </Box>
      )
    } else {
      const boardH = Math.min(5, Math.max(2, Math.floor(bottom / 4)))
      const rest = bottom - boardH
      const capsH = details ? Math.ceil(rest * 0.6) : Math.ceil(rest / 3)
      const auditH = Math.floor((rest - capsH) / 2)
      panels = (
        <Box flexDirection="column" height={bottom}>
          {capsOrDetails(width, capsH)}
          <LogTail appName={app?.name} entries={logs} width={width} height={rest - capsH - auditH} />
          <AuditFeed records={state.audit} apps={state.apps} width={width} height={auditH} />
          <BoardPanel world={state.world} width={width} height={boardH} />
        </Box>
      )
    }
    main = (
      <Box flexDirection="column" height={body}>
        <ProcessTable
          apps={apps}
          selected={index}
          width={width}
          height={tableH}
          filter={filter}
          total={state.apps.length}
          stale={stale}
        />
        {panels}
      </Box>
    )
  }

  let footer
  if (mode === 'filter') footer = <Footer mode="filter" filter={filter} width={width} />
  else if (mode === 'confirm' && app)
    footer = <Footer mode="confirm" question={`Delete ${app.name} (${app.componentId})?`} width={width} />
  else footer = <Footer mode={mode === 'help' ? 'help' : 'normal'} message={message} width={width} />

  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={width} height={height}>
        <Header state={state} label={label} now={now()} width={width} />
        {main}
        {footer}
      </Box>
    </ThemeContext.Provider>
  )
}
