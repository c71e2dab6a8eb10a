import {
  ADC_CONTROLLERS,
  ISU_GPIO_BASE,
  ISU_NAMES,
  PWM_CONTROLLERS,
  adcControllerName,
  isuFromI2cId,
  isuFromSpiId,
  isuFromUartId,
  pwmControllerName,
} from '../../hw/chip.js'
import type {UartLineSettings} from '../../hw/uart.js'
import {ADC_SAMPLE_BITS} from '../../hw/world.js'
import {Errno} from '../../kernel/errno.js'
import {isGpioId} from '../../hw/chip.js'
import {GpioObject, type KObject} from '../../kernel/objects.js'
import type {SysCtx} from '../context.js'
import {syscall, type Impl, type SyscallGroup} from '../syscalls/types.js'
import {AdcObject, I2cObject, PwmObject, SpiObject, UartObject, type SpiTransferSpec} from './objects.js'

/**
 * The applibs peripheral imports (sdk/ABI.md): GPIO, UART, I2C master, SPI master, ADC and PWM. Each open
 * passes the LSM check first (the table's policy: denials are audited, EACCES), then takes the pin / ISU /
 * controller exclusively (EBUSY when another fd holds it or one of its pins is open as a GPIO), and returns
 * an fd.
 */

export const UART_CONFIG_MAGIC = 0xde2a0000
export const SPI_CONFIG_MAGIC = 0x45170000
export const SPI_TRANSFER_MAGIC = 0x22130000
/** Baud rates the MT3620 UART driver accepts (mt3620-hardware.md 4.5). */
export const UART_BAUD_RATES: readonly number[] = [
  1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000,
  1500000, 2000000, 2500000, 3000000,
]
/** Largest I2C / SPI transfer the simulated drivers accept in one call. */
export const MAX_BUS_TRANSFER = 4096
const SPI_MAX_TRANSFERS = 256
const I2C_SPEEDS = [50_000, 100_000, 200_000, 400_000, 1_000_000]
const SPI_MAX_HZ = 40_000_000
/** Highest ADC reference the MT3620 accepts (its 2.5 V rail). */
const ADC_MAX_REFERENCE = 2.5

function isuPins(isu: string): number[] {
  const base = ISU_GPIO_BASE[ISU_NAMES.indexOf(isu)]!
  return [base, base + 1, base + 2, base + 3, base + 4]
}

function peripheralImports(c: SysCtx): Record<string, Impl> {
  const {mem, proc, kernel} = c
  const fds = proc.fds
  const world = kernel.world

  /** Take a resource and its pins for this process; returns a release function, or -EBUSY. */
  const claim = (resource: string, pins: number[]): (() => void) | number => {
    if (world.claimedBy(resource) !== undefined) return -Errno.EBUSY
    if (pins.some((g) => kernel.gpioOwners.has(g))) return -Errno.EBUSY
    world.claim(resource, proc.pid)
    for (const g of pins) kernel.gpioOwners.set(g, proc.pid)
    return () => {
      world.release(resource)
      for (const g of pins) if (kernel.gpioOwners.get(g) === proc.pid) kernel.gpioOwners.delete(g)
    }
  }

  /** Exclusive claim (the table's policy already ran the LSM check); returns the release function or -errno. */
  const open = (unit: string | undefined, pins: () => number[]): (() => void) | number => {
    if (unit === undefined) return -Errno.ENODEV
    return claim(unit, pins())
  }

  const openGpio = (id: number, direction: 'input' | 'output', mode: number, value: number): number => {
    if (!isGpioId(id)) return -Errno.ENODEV
    if (direction === 'output' && ((mode !== 0 && mode !== 1 && mode !== 2) || (value !== 0 && value !== 1)))
      return -Errno.EINVAL
    if (kernel.gpioOwners.has(id)) return -Errno.EBUSY
    const g = new GpioObject(id, direction, mode, () => {
      kernel.gpioOwners.delete(id)
      if (direction === 'output') world.releaseOutput(id)
    })
    const fd = fds.add(g)
    if (fd < 0) return fd
    kernel.gpioOwners.set(id, proc.pid)
    if (direction === 'output') world.driveOutput(id, value as 0 | 1)
    return fd
  }

  const addOrRelease = (o: KObject, release: () => void): number => {
    const fd = fds.add(o)
    if (fd < 0) release()
    return fd
  }

  function objectOf<T>(fd: number, cls: new (...a: never[]) => T): T | number {
    const o = fds.get(fd)
    if (!o) return -Errno.EBADF
    return o instanceof cls ? (o as T) : -Errno.EBADF
  }

  /** Complete a bus operation after its bus time has passed (the call blocks meanwhile). */
  const afterBusTime = (durationNs: number, complete: () => number): number => {
    const now = kernel.now()
    if (c.callState === undefined) c.callState = now + durationNs
    const deadline = c.callState as number
    if (now < deadline) return c.block([], deadline)
    return complete()
  }

  return {
    // ---- GPIO ---------------------------------------------------------------------------------------------
    gpio_open_input(id: number): number {
      return openGpio(id, 'input', 0, 0)
    },
    gpio_open_output(id: number, mode: number, value: number): number {
      return openGpio(id, 'output', mode, value)
    },
    gpio_get_value(fd: number, out: number): number {
      const o = fds.get(fd)
      if (!(o instanceof GpioObject)) return -Errno.EBADF
      if (!mem.ok(out, 1) || out === 0) return -Errno.EFAULT
      mem.setU8(out, world.level(o.gpio))
      return 0
    },
    gpio_set_value(fd: number, value: number): number {
      const o = fds.get(fd)
      if (!(o instanceof GpioObject)) return -Errno.EBADF
      if (value !== 0 && value !== 1) return -Errno.EINVAL
      if (o.direction !== 'output') return -Errno.EPERM
      world.driveOutput(o.gpio, value)
      return 0
    },

    // ---- UART ---------------------------------------------------------------------------------------------
    uart_open(id: number, config: number): number {
      const isu = isuFromUartId(id)
      const settings: UartLineSettings = {
        baudRate: mem.u32(config + 4),
        dataBits: mem.bytes()[(config >>> 0) + 9]!,
        parity: mem.bytes()[(config >>> 0) + 10]!,
        stopBits: mem.bytes()[(config >>> 0) + 11]!,
        flowControl: mem.bytes()[(config >>> 0) + 12]!,
      }
      const blocking = mem.bytes()[(config >>> 0) + 8]!
      const release = open(isu, () => isuPins(isu!))
      if (typeof release === 'number') return release
      const bad =
        mem.u32(config) !== (UART_CONFIG_MAGIC | 1) >>> 0 ||
        blocking !== 0 ||
        !UART_BAUD_RATES.includes(settings.baudRate) ||
        settings.dataBits < 5 ||
        settings.dataBits > 8 ||
        settings.parity > 2 ||
        (settings.stopBits !== 1 && settings.stopBits !== 2) ||
        settings.flowControl > 2
      if (bad) {
        release()
        return -Errno.EINVAL
      }
      const port = world.uarts.get(isu!)!
      const o = new UartObject(port, settings, (x) => kernel.notifyReady(x), release)
      world.notePeripheral(`uarts.${isu}.settings`, settings, 'app')
      return addOrRelease(o, () => o.close())
    },

    // ---- I2C master ---------------------------------------------------------------------------------------
    i2c_open(id: number): number {
      const isu = isuFromI2cId(id)
      const release = open(isu, () => isuPins(isu!))
      if (typeof release === 'number') return release
      return addOrRelease(new I2cObject(world, isu!, release), release)
    },
    i2c_set_bus_speed(fd: number, hz: number): number {
      const o = objectOf(fd, I2cObject)
      if (typeof o === 'number') return o
      const speed = hz >>> 0
      if (speed === 0) return -Errno.EINVAL
      // The MT3620 supports 50/100/200/400/1000 kHz: the highest supported speed not above the request.
      const pick = [...I2C_SPEEDS].reverse().find((s) => s <= speed)
      if (pick === undefined) return -Errno.EINVAL
      o.busSpeedHz = pick
      return 0
    },
    i2c_set_timeout(fd: number, ms: number): number {
      const o = objectOf(fd, I2cObject)
      if (typeof o === 'number') return o
      if (ms >>> 0 === 0) return -Errno.EINVAL
      o.timeoutMs = ms >>> 0
      return 0
    },
    i2c_set_default_target_address(fd: number, address: number): number {
      const o = objectOf(fd, I2cObject)
      if (typeof o === 'number') return o
      if (address >>> 0 > 0x7f) return -Errno.EINVAL
      o.defaultAddress = address >>> 0
      return 0
    },
    i2c_transfer(fd: number, address: number, wr: number, wlen: number, rd: number, rlen: number): number {
      const o = objectOf(fd, I2cObject)
      if (typeof o === 'number') return o
      const wl = wlen >>> 0
      const rl = rlen >>> 0
      if (wl > MAX_BUS_TRANSFER || rl > MAX_BUS_TRANSFER) return -Errno.EINVAL
      if ((wl > 0 && (wr === 0 || !mem.ok(wr, wl))) || (rl > 0 && (rd === 0 || !mem.ok(rd, rl)))) return -Errno.EFAULT
      if (address >>> 0 > 0x7f) return -Errno.EINVAL
      return afterBusTime(o.durationNs(wl, rl), () => {
        const r = o.transfer(address >>> 0, wl > 0 ? mem.read(wr, wl).slice() : undefined, rl)
        if (typeof r === 'number') return r
        if (rl > 0) mem.write(rd, r)
        return wl + rl
      })
    },

    // ---- SPI master ---------------------------------------------------------------------------------------
    spi_open(id: number, chipSelect: number, config: number): number {
      const isu = isuFromSpiId(id)
      if (chipSelect !== -1 && chipSelect !== -2) return -Errno.EINVAL
      const release = open(isu, () => isuPins(isu!))
      if (typeof release === 'number') return release
      const polarity = mem.u32(config + 4)
      if (mem.u32(config) !== (SPI_CONFIG_MAGIC | 1) >>> 0 || (polarity !== 1 && polarity !== 2)) {
        release()
        return -Errno.EINVAL
      }
      return addOrRelease(new SpiObject(world, isu!, chipSelect, polarity, release), release)
    },
    spi_set_bus_speed(fd: number, hz: number): number {
      const o = objectOf(fd, SpiObject)
      if (typeof o === 'number') return o
      if (hz >>> 0 === 0) return -Errno.EINVAL
      o.busSpeedHz = Math.min(SPI_MAX_HZ, hz >>> 0) // the actual speed may be lower than requested
      return 0
    },
    spi_set_mode(fd: number, mode: number): number {
      const o = objectOf(fd, SpiObject)
      if (typeof o === 'number') return o
      if (mode < 1 || mode > 4) return -Errno.EINVAL
      o.mode = mode
      return 0
    },
    spi_set_bit_order(fd: number, order: number): number {
      const o = objectOf(fd, SpiObject)
      if (typeof o === 'number') return o
      if (order !== 1 && order !== 2) return -Errno.EINVAL
      o.bitOrder = order
      return 0
    },
    spi_transfer_sequential(fd: number, transfers: number, count: number): number {
      const o = objectOf(fd, SpiObject)
      if (typeof o === 'number') return o
      const n = count >>> 0
      if (n === 0 || n > SPI_MAX_TRANSFERS) return -Errno.EINVAL
      if (!mem.ok(transfers, n * 20)) return -Errno.EFAULT
      const specs: (SpiTransferSpec & {dst?: number})[] = []
      let total = 0
      for (let i = 0; i < n; i++) {
        const t = transfers + i * 20
        const flags = mem.u32(t + 4)
        const len = mem.u32(t + 16)
        if (mem.u32(t) !== (SPI_TRANSFER_MAGIC | 1) >>> 0 || (flags !== 1 && flags !== 2) || len === 0)
          return -Errno.EINVAL
        total += len
        if (total > MAX_BUS_TRANSFER) return -Errno.EINVAL
        const ptr = mem.u32(t + (flags === 2 ? 8 : 12))
        if (ptr === 0 || !mem.ok(ptr, len)) return -Errno.EFAULT
        specs.push(flags === 2 ? {write: mem.read(ptr, len).slice()} : {readLen: len, dst: ptr})
      }
      return afterBusTime(o.durationNs(total), () => {
        const out = o.transaction(specs)
        specs.forEach((s, i) => {
          if (s.dst !== undefined) mem.write(s.dst, out[i]!)
        })
        return total
      })
    },

    // ---- ADC ----------------------------------------------------------------------------------------------
    adc_open(id: number): number {
      const name = adcControllerName(id)
      const release = open(name, () => [...ADC_CONTROLLERS[id]!.gpios])
      if (typeof release === 'number') return release
      return addOrRelease(new AdcObject(id, release), release)
    },
    adc_get_sample_bit_count(fd: number, channel: number): number {
      const o = objectOf(fd, AdcObject)
      if (typeof o === 'number') return o
      if (channel >>> 0 >= world.adc[o.controller]!.volts.length) return -Errno.EINVAL
      return ADC_SAMPLE_BITS
    },
    adc_set_reference_voltage(fd: number, channel: number, volts: number): number {
      const o = objectOf(fd, AdcObject)
      if (typeof o === 'number') return o
      const a = world.adc[o.controller]!
      if (channel >>> 0 >= a.volts.length) return -Errno.EINVAL
      if (!Number.isFinite(volts) || volts <= 0 || volts > ADC_MAX_REFERENCE + 1e-6) return -Errno.EINVAL
      a.referenceVolts[channel >>> 0] = Math.round(volts * 1e6) / 1e6
      world.notePeripheral(`adc.${o.controller}.${channel >>> 0}.reference`, a.referenceVolts[channel >>> 0], 'app')
      return 0
    },
    adc_poll(fd: number, channel: number, out: number): number {
      const o = objectOf(fd, AdcObject)
      if (typeof o === 'number') return o
      if (channel >>> 0 >= world.adc[o.controller]!.volts.length) return -Errno.EINVAL
      if (out === 0 || !mem.ok(out, 4)) return -Errno.EFAULT
      mem.setU32(out, world.adcSample(o.controller, channel >>> 0))
      return 0
    },

    // ---- PWM ----------------------------------------------------------------------------------------------
    pwm_open(id: number): number {
      const name = pwmControllerName(id)
      const release = open(name, () => [...PWM_CONTROLLERS[id]!.gpios])
      if (typeof release === 'number') return release
      return addOrRelease(new PwmObject(id, release), release)
    },
    pwm_apply(fd: number, channel: number, state: number): number {
      const o = objectOf(fd, PwmObject)
      if (typeof o === 'number') return o
      if (channel >>> 0 >= PWM_CONTROLLERS[o.controller]!.gpios.length) return -Errno.ENODEV
      if (state === 0) return -Errno.EINVAL
      if (!mem.ok(state, 13)) return -Errno.EFAULT
      const periodNs = mem.u32(state)
      const dutyNs = mem.u32(state + 4)
      const polarity = mem.u32(state + 8)
      const enabled = mem.bytes()[(state >>> 0) + 12]! !== 0
      if (polarity > 1 || dutyNs > periodNs || (enabled && periodNs === 0)) return -Errno.EINVAL
      world.applyPwm(o.controller, channel >>> 0, {periodNs, dutyNs, polarity: polarity as 0 | 1, enabled})
      return 0
    },
  }
}

const A = 'applibs'
const onFd = {none: 'works on a peripheral fd the process already holds (opened under the LSM)'}

export const peripheralGroup: SyscallGroup = {
  source: 'src/os/runtime/applibs/peripherals.ts',
  bind: peripheralImports,
  entries: [
    syscall(A, 'gpio_open_input', 'int32_t gpioId', {returns: 'fd', policy: (_c, gpio: number) => ({op: 'gpio.open', gpio}),
      doc: '`GPIO_OpenAsInput` (LSM: Gpio)'}),
    syscall(A, 'gpio_open_output', 'int32_t gpioId, int32_t outputMode, int32_t initialValue', {returns: 'fd',
      policy: (_c, gpio: number) => ({op: 'gpio.open', gpio}), doc: '`GPIO_OpenAsOutput` (LSM: Gpio)'}),
    syscall(A, 'gpio_get_value', 'int32_t fd, uint8_t *outValue', {returns: '0', policy: onFd, doc: '`GPIO_GetValue` (writes one byte)'}),
    syscall(A, 'gpio_set_value', 'int32_t fd, int32_t value', {returns: '0', policy: onFd, doc: '`GPIO_SetValue`'}),
    syscall(A, 'uart_open', 'int32_t uartId, const void *config', {returns: 'fd', mem: ['config[13]!'],
      policy: (_c, id: number) => {
        const isu = isuFromUartId(id)
        return isu === undefined ? undefined : {op: 'uart.open', isu}
      },
      doc: '`UART_Open` (`UART_Config` v1 as the SDK header lays it out; LSM: Uart)'}),
    syscall(A, 'i2c_open', 'int32_t id', {returns: 'fd',
      policy: (_c, id: number) => {
        const isu = isuFromI2cId(id)
        return isu === undefined ? undefined : {op: 'i2c.open', isu}
      },
      doc: '`I2CMaster_Open` (LSM: I2cMaster)'}),
    syscall(A, 'i2c_set_bus_speed', 'int32_t fd, uint32_t hz', {returns: '0', policy: onFd, doc: '`I2CMaster_SetBusSpeed`'}),
    syscall(A, 'i2c_set_timeout', 'int32_t fd, uint32_t ms', {returns: '0', policy: onFd, doc: '`I2CMaster_SetTimeout`'}),
    syscall(A, 'i2c_set_default_target_address', 'int32_t fd, uint32_t address', {returns: '0', policy: onFd,
      doc: '`I2CMaster_SetDefaultTargetAddress`'}),
    syscall(A, 'i2c_transfer', 'int32_t fd, uint32_t address, const uint8_t *writeData, uint32_t writeLen, uint8_t *readData, uint32_t readLen', {
      returns: 'n', policy: onFd, heavy: 'bytes moved (at most 4 KiB each way)',
      doc: '`I2CMaster_Read` (writeLen 0), `_Write` (readLen 0), `_WriteThenRead`; returns bytes written + read; ENXIO when no device ACKs'}),
    syscall(A, 'spi_open', 'int32_t id, int32_t chipSelect, const void *config', {returns: 'fd', mem: ['config[8]!'],
      policy: (_c, id: number, cs: number) => {
        const isu = isuFromSpiId(id)
        return isu === undefined || (cs !== -1 && cs !== -2) ? undefined : {op: 'spi.open', isu}
      },
      doc: '`SPIMaster_Open`; config = `SPIMaster_Config` v1 `{u32 magicAndVersion; u32 csPolarity}` (LSM: SpiMaster)'}),
    syscall(A, 'spi_set_bus_speed', 'int32_t fd, uint32_t hz', {returns: '0', policy: onFd, doc: '`SPIMaster_SetBusSpeed`'}),
    syscall(A, 'spi_set_mode', 'int32_t fd, int32_t mode', {returns: '0', policy: onFd, doc: '`SPIMaster_SetMode`'}),
    syscall(A, 'spi_set_bit_order', 'int32_t fd, int32_t order', {returns: '0', policy: onFd, doc: '`SPIMaster_SetBitOrder`'}),
    syscall(A, 'spi_transfer_sequential', 'int32_t fd, const void *transfers, uint32_t count', {returns: 'n', policy: onFd,
      heavy: 'bytes moved (at most 4 KiB)',
      doc: 'array of `SPIMaster_Transfer` v1, 20 bytes each: `{u32 magicAndVersion; u32 flags (1 read, 2 write); ptr writeData; ptr readData; u32 length}`'}),
    syscall(A, 'adc_open', 'uint32_t id', {returns: 'fd',
      policy: (_c, id: number) => {
        const controller = adcControllerName(id)
        return controller === undefined ? undefined : {op: 'adc.open', controller}
      },
      doc: '`ADC_Open` (LSM: Adc)'}),
    syscall(A, 'adc_get_sample_bit_count', 'int32_t fd, uint32_t channel', {returns: 'bits', policy: onFd, doc: '`ADC_GetSampleBitCount`'}),
    syscall(A, 'adc_set_reference_voltage', 'int32_t fd, uint32_t channel, float volts', {returns: '0', policy: onFd,
      doc: '`ADC_SetReferenceVoltage` (at most 2.5 V)'}),
    syscall(A, 'adc_poll', 'int32_t fd, uint32_t channel, uint32_t *outValue', {returns: '0', policy: onFd, doc: '`ADC_Poll`: writes a u32 sample'}),
    syscall(A, 'pwm_open', 'uint32_t id', {returns: 'fd',
      policy: (_c, id: number) => {
        const controller = pwmControllerName(id)
        return controller === undefined ? undefined : {op: 'pwm.open', controller}
      },
      doc: '`PWM_Open` (LSM: Pwm)'}),
    syscall(A, 'pwm_apply', 'int32_t fd, uint32_t channel, const void *state', {returns: '0', policy: onFd,
      doc: '`PWM_Apply`; `PwmState` = `{u32 period_nsec; u32 dutyCycle_nsec; u32 polarity; u8 enabled; pad}` (16 B)'}),
  ],
}
