// sphere-sdk AssemblyScript library: applibs/gpio.h. Functions return an fd / 0, or -1 with errno set.
import {applibs_gpio_get_value, applibs_gpio_open_input, applibs_gpio_open_output, applibs_gpio_set_value} from "./imports"
import {check} from "./errno"

export namespace GPIO {
  // GPIO_Value
  export const Low: i32 = 0
  export const High: i32 = 1
  // GPIO_OutputMode
  export const PushPull: i32 = 0
  export const OpenDrain: i32 = 1
  export const OpenSource: i32 = 2

  /** GPIO_OpenAsOutput: the GPIO must be listed in app_manifest.json ("Gpio" capability), else EACCES. */
  export function openAsOutput(gpioId: i32, outputMode: i32 = PushPull, initialValue: i32 = High): i32 {
    return check(applibs_gpio_open_output(gpioId, outputMode, initialValue))
  }

  /** GPIO_OpenAsInput. */
  export function openAsInput(gpioId: i32): i32 {
    return check(applibs_gpio_open_input(gpioId))
  }

  /** GPIO_SetValue(fd, GPIO.Low | GPIO.High): 0, or -1 with errno set. */
  export function setValue(fd: i32, value: i32): i32 {
    return check(applibs_gpio_set_value(fd, value))
  }

  /** GPIO_GetValue: GPIO.Low or GPIO.High, or -1 with errno set. */
  export function getValue(fd: i32): i32 {
    const out = memory.data(4)
    store<u8>(out, 0)
    if (check(applibs_gpio_get_value(fd, out)) < 0) return -1
    return <i32>load<u8>(out)
  }
}
