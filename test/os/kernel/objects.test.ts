/**
 * The kernel's own pieces, without an app: the fd table, timerfd and eventfd objects, the virtual clock
 * and the host timers the scheduler runs in fast-forward time.
 */
import {describe, expect, test} from '@jest/globals'
import {World} from '../../../src/os/hw/index.js'
import {Errno} from '../../../src/os/kernel/errno.js'
import {Kernel, NS_PER_MS, NS_PER_S, VirtualClock} from '../../../src/os/kernel/index.js'
import {
  EPOLLIN,
  EVENTFD_MAX,
  EpollObject,
  EventFdObject,
  FdTable,
  TimerFdObject,
} from '../../../src/os/kernel/objects.js'

describe('fd table', () => {
  test('0, 1, 2 are stdio; new objects take the lowest free number from 3; the table is bounded (EMFILE)', () => {
    const t = new FdTable()
    expect(t.list().map((e) => [e.fd, e.kind])).toEqual([
      [0, 'stdio'],
      [1, 'stdio'],
      [2, 'stdio'],
    ])
    const a = new EventFdObject(0n, false)
    const b = new EventFdObject(0n, false)
    expect(t.add(a)).toBe(3)
    expect(t.add(b)).toBe(4)
    expect(t.remove(3)).toBe(a)
    expect(t.get(3)).toBeUndefined()
    expect(t.add(new TimerFdObject(1))).toBe(3)
    expect(t.get(-1)).toBeUndefined()
    while (t.size < FdTable.MAX_FDS) expect(t.add(new EventFdObject(0n, false))).toBeGreaterThan(2)
    expect(t.add(new EventFdObject(0n, false))).toBe(-Errno.EMFILE)
  })

  test('an object is closed when its last fd goes, and closing an fd drops it from every epoll interest list', () => {
    const t = new FdTable()
    let closed = 0
    const obj = new EventFdObject(0n, false)
    obj.close = () => void closed++
    const fd1 = t.add(obj)
    const fd2 = t.add(obj) // a dup
    const ep = new EpollObject()
    t.add(ep)
    ep.set(fd1, {events: EPOLLIN, data: 0n})
    t.remove(fd1)
    expect(closed).toBe(0)
    expect(ep.interest.has(fd1)).toBe(false)
    t.remove(fd2)
    expect(closed).toBe(1)
    expect(t.remove(fd2)).toBeUndefined()
  })
})

describe('timerfd and eventfd', () => {
  test('a periodic timer counts every expiry since the last read and re-arms; a one-shot fires once', () => {
    const periodic = new TimerFdObject(1)
    periodic.arm(100, 50)
    expect(periodic.readable(99)).toBe(false)
    expect(periodic.consume(99)).toBe(0)
    expect(periodic.consume(260)).toBe(4) // 100, 150, 200, 250
    expect(periodic.next).toBe(300)
    expect(periodic.readableAt()).toBe(300)
    const once = new TimerFdObject(1)
    once.arm(10, 0)
    expect(once.consume(1000)).toBe(1)
    expect(once.consume(2000)).toBe(0)
    expect(once.next).toBe(Infinity)
    periodic.disarm()
    expect(periodic.consume(10_000)).toBe(0)
  })

  test('eventfd: counter or semaphore reads, EAGAIN at the limit, EINVAL for the all-ones value', () => {
    const counter = new EventFdObject(0n, false)
    expect(counter.readable()).toBe(false)
    expect(counter.take()).toBe(0n)
    expect(counter.add(3n)).toBe(0)
    expect(counter.add(4n)).toBe(0)
    expect(counter.take()).toBe(7n)
    expect(counter.readable()).toBe(false)
    const sem = new EventFdObject(2n, true)
    expect([sem.take(), sem.take(), sem.take()]).toEqual([1n, 1n, 0n])
    const full = new EventFdObject(EVENTFD_MAX, false)
    expect(full.writable()).toBe(false)
    expect(full.add(1n)).toBe(Errno.EAGAIN)
    expect(full.add(0xffff_ffff_ffff_ffffn)).toBe(Errno.EINVAL)
    expect(full.counter).toBe(EVENTFD_MAX)
  })
})

describe('virtual clock and host timers', () => {
  test('fast-forward time only moves forward, and only when told; CLOCK_REALTIME follows monotonic time', () => {
    const c = new VirtualClock('fast-forward', {epochMs: Date.UTC(2030, 0, 1)})
    expect(c.now()).toBe(0)
    c.advanceTo(5 * NS_PER_S)
    c.advanceTo(NS_PER_S)
    expect(c.now()).toBe(5 * NS_PER_S)
    expect(c.realtimeAt(c.now())).toBe((Date.UTC(2030, 0, 1) + 5000) * NS_PER_MS)
    c.setRealtime(Date.UTC(2040, 0, 1) * NS_PER_MS, c.now())
    expect(c.realtimeAt(c.now() + NS_PER_S)).toBe((Date.UTC(2040, 0, 1) + 1000) * NS_PER_MS)
  })

  test('with nothing to run, the kernel jumps to each timer in time order; a cleared timer never fires', async () => {
    const k = new Kernel({clock: 'fast-forward', world: new World()})
    const fired: [string, number][] = []
    k.setTimer(300 * NS_PER_MS, () => fired.push(['c', k.now()]))
    k.setTimer(100 * NS_PER_MS, () => fired.push(['a', k.now()]))
    const gone = k.setTimer(200 * NS_PER_MS, () => fired.push(['cleared', k.now()]))
    k.setTimer(100 * NS_PER_MS, () => fired.push(['b', k.now()]))
    k.clearTimer(gone)
    await k.runFor(250 * NS_PER_MS)
    expect(fired).toEqual([
      ['a', 100 * NS_PER_MS],
      ['b', 100 * NS_PER_MS],
    ])
    expect(k.now()).toBe(250 * NS_PER_MS)
    await k.runFor(NS_PER_S)
    expect(fired.map((f) => f[0])).toEqual(['a', 'b', 'c'])
    expect(fired[2]![1]).toBe(300 * NS_PER_MS)
    expect(k.now()).toBe(1250 * NS_PER_MS)
    k.stop()
  })
})
