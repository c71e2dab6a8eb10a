/**
 * The monitor screen: header, process table, capabilities/details, log tail, audit feed, board, footer.
 *
 * It reads everything from an injected MonitorStore (fed by the device event stream) and acts through the
 * store's MonitorSource, so a test can drive it with a fake source and ink-testing-library.
 */
import {Box, useApp, useInput, type Key} from 'ink'
import {useCallback, useEffect, useMemo, useRef, useState} from 'react'
import type {SphereAppInfo} from '../../protocol/rest-api.js'
import {filterApps, isActive, worldNow} from '../model.js'
import type {MonitorScreen} from '../screen.js'
import {lineToAnsi} from '../screen.js'
import type {MonitorStore} from '../store.js'
import {screenLines, type FooterView, type Message} from '../view.js'
import {useStoreState} from '../hooks/use-store-state.js'
import {useTerminalSize} from '../hooks/use-terminal-size.js'
import {Footer} from './Footer.js'
import {Header} from './Header.js'
import {HelpOverlay, IdsOverlay} from './HelpOverlay.js'
import {Lines} from './Lines.js'
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
  /**
   * Draw the normal view straight to this screen (view.ts lines, no Ink layout); Ink then draws only the help
   * and IDs overlays. Without it (tests), Ink draws the same lines.
   */
  screen?: MonitorScreen | undefined
}

type Mode = 'normal' | 'filter' | 'confirm' | 'help' | 'ids'

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
    if (mode === 'help' || mode === 'ids') return setMode('normal')
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
    if (input === 'i') return setMode('ids')
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
  const worldMs = worldNow(state, now())

  let footerView: FooterView
  if (mode === 'filter') footerView = {mode: 'filter', filter, width}
  else if (mode === 'confirm' && app)
    footerView = {mode: 'confirm', question: `Delete ${app.name} (${app.componentId})?`, width}
  else footerView = {mode: mode === 'help' || mode === 'ids' ? 'help' : 'normal', message, width}

  if (mode !== 'help' && mode !== 'ids') {
    const lines = screenLines({
      state,
      label,
      now: now(),
      worldMs,
      width,
      height,
      apps,
      selected: index,
      filter,
      details,
      footer: footerView,
    })
    if (props.screen) {
      // drawn here, in the render that has the data, before Ink commits its (empty) tree
      props.screen.show(lines.map((l) => lineToAnsi(l, theme.color)))
      return null
    }
    return (
      <ThemeContext.Provider value={theme}>
        <Lines lines={lines} width={width} height={height} />
      </ThemeContext.Provider>
    )
  }

  props.screen?.show(undefined)
  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={width} height={height}>
        <Header state={state} label={label} now={now()} width={width} />
        {mode === 'help' ? (
          <HelpOverlay width={width} height={body} />
        ) : (
          <IdsOverlay width={width} height={body} deviceId={state.device?.deviceId} app={app} />
        )}
        <Footer {...footerView} />
      </Box>
    </ThemeContext.Provider>
  )
}
