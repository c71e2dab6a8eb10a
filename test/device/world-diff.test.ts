import {describe, expect, it} from '@jest/globals'
import {worldChanges} from '../../src/device/world-diff.js'

const world = (over: {presses?: number; led2?: boolean; gpios?: unknown[]; volts?: number; t?: number; blink?: number}) => ({
  virtualTimeMs: over.t ?? 1000,
  leds: [
    {name: 'LED1_RED', gpio: 8, on: true, color: 'red', transitions: over.blink ?? 10, lastChangeMs: 900, periodMs: 125, blinkHz: 4},
    {name: 'LED2_RED', gpio: 15, on: over.led2 ?? false, color: 'red', transitions: 0, lastChangeMs: null, periodMs: null, blinkHz: null},
  ],
  buttons: [{name: 'A', gpio: 12, pressed: false, presses: over.presses ?? 0}],
  gpios: over.gpios ?? [{id: 8, level: 0, direction: 'out', transitions: 10, blinkHz: 4}],
  adc: [{controller: 'ADC-CONTROLLER-0', channels: [{channel: 0, volts: over.volts ?? 0}]}],
})

describe('worldChanges', () => {
  it('lists what a press changed, by name, without the clock or a blinking LED moving on', () => {
    const before = world({})
    const after = world({presses: 1, led2: true, t: 1100, blink: 11, gpios: [{id: 8, level: 1, direction: 'out', transitions: 11, blinkHz: 4}, {id: 12, level: 1, direction: 'in'}]})
    expect(worldChanges(before, after)).toEqual([
      {path: 'leds.LED2_RED.on', before: false, after: true},
      {path: 'buttons.A.presses', before: 0, after: 1},
      {path: 'gpios.12.level', before: null, after: 1},
      {path: 'gpios.12.direction', before: null, after: 'in'},
    ])
  })

  it('names ADC channels by controller and channel; nothing changed is an empty list', () => {
    expect(worldChanges(world({}), world({volts: 1.65}))).toEqual([
      {path: 'adc.ADC-CONTROLLER-0.channels.0.volts', before: 0, after: 1.65},
    ])
    expect(worldChanges(world({}), world({t: 5000}))).toEqual([])
  })
})
