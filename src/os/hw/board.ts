/** The MT3620 Reference Development Board (RDB): which GPIOs carry its LEDs and buttons. */

export type LedColor = 'red' | 'green' | 'blue'

export interface BoardLed {
  /** e.g. `LED1_RED`, `STATUS_LED_GREEN` (the hardware-definition name without `MT3620_RDB_`). */
  name: string
  gpio: number
  color: LedColor
  /** RDB LEDs are active-low: the LED is lit when the pin is driven low. */
  activeLow: boolean
}

export interface BoardButton {
  /** `A` or `B`. */
  name: string
  gpio: number
  /** Pulled up: reads high when released, low when pressed. */
  activeLow: boolean
}

export interface Board {
  name: string
  leds: readonly BoardLed[]
  buttons: readonly BoardButton[]
}

const rgb = (prefix: string, r: number, g: number, b: number): BoardLed[] => [
  {name: `${prefix}_RED`, gpio: r, color: 'red', activeLow: true},
  {name: `${prefix}_GREEN`, gpio: g, color: 'green', activeLow: true},
  {name: `${prefix}_BLUE`, gpio: b, color: 'blue', activeLow: true},
]

export const MT3620_RDB: Board = {
  name: 'MT3620 Reference Development Board (RDB)',
  leds: [
    ...rgb('LED1', 8, 9, 10),
    ...rgb('LED2', 15, 16, 17),
    ...rgb('LED3', 18, 19, 20),
    ...rgb('LED4', 21, 22, 23),
    ...rgb('STATUS_LED', 45, 46, 47),
    ...rgb('NETWORKING_LED', 48, 14, 11),
  ],
  buttons: [
    {name: 'A', gpio: 12, activeLow: true},
    {name: 'B', gpio: 13, activeLow: true},
  ],
}
