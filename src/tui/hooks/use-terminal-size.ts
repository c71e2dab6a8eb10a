/** The terminal size, following resizes of the injected stdout. */
import {useStdout} from 'ink'
import {useEffect, useState} from 'react'

export function useTerminalSize(override?: {columns?: number | undefined; rows?: number | undefined}): {
  columns: number
  rows: number
} {
  const {stdout} = useStdout()
  const read = (): {columns: number; rows: number} => ({
    columns: override?.columns ?? (stdout.columns || 80),
    rows: override?.rows ?? (stdout.rows || 24),
  })
  const [size, setSize] = useState(read)
  useEffect(() => {
    const onResize = (): void => setSize(read())
    stdout.on('resize', onResize)
    onResize()
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout, override?.columns, override?.rows])
  return size
}
