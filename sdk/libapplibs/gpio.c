/* sphere-sdk libapplibs: GPIO. */
#include <applibs/gpio.h>

#include "internal.h"

SPHERE_API int GPIO_OpenAsInput(GPIO_Id gpioId)
{
    return __sphere_ret(__applibs_gpio_open_input(gpioId));
}

SPHERE_API int GPIO_OpenAsOutput(GPIO_Id gpioId, GPIO_OutputMode_Type outputMode, GPIO_Value_Type initialValue)
{
    return __sphere_ret(__applibs_gpio_open_output(gpioId, outputMode, initialValue));
}

SPHERE_API int GPIO_GetValue(int gpioFd, GPIO_Value_Type *outValue)
{
    SPHERE_REQUIRE_PTR(outValue);
    return __sphere_ret(__applibs_gpio_get_value(gpioFd, outValue));
}

SPHERE_API int GPIO_SetValue(int gpioFd, GPIO_Value_Type value)
{
    return __sphere_ret(__applibs_gpio_set_value(gpioFd, value));
}
