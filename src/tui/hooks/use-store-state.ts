/** Follow a MonitorStore's state, re-rendering at most once per interval however fast events come. */
import {useEffect, useRef, useState} from 'react'
import type {MonitorState} from '../model.js'
import type {MonitorStore} from '../store.js'

export function useStoreState(store: MonitorStore, intervalMs: number): MonitorState {
  const [state, setState] = useState(() => store.getState())
  const last = useRef(0)
  const timer = useRef<NodeJS.Timeout | undefined>(undefined)
  useEffect(() => {
    const flush = (): void => {
      timer.current = undefined
      last.current = Date.now()
      setState(store.getState())
    }
    const off = store.subscribe((s) => {
      if (timer.current) return
      const wait = intervalMs - (Date.now() - last.current)
      // Connection changes are shown at once; data changes are batched into one frame per interval.
      if (wait <= 0 || s.connection.status !== 'live') flush()
      else timer.current = setTimeout(flush, wait)
    })
    // A change may have happened between the first render and this subscription.
    if (store.getState() !== state) flush()
    return () => {
      off()
      if (timer.current) clearTimeout(timer.current)
    }
  }, [store, intervalMs])
  return state
}
