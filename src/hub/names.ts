/** The names the local hub answers to unless told otherwise (both are in its server certificate). */
export const DEFAULT_HUB_HOST_NAME = 'sphere-hub.azure-devices.net'
/** DPS's global device endpoint, the name apps and the Azure IoT C SDK use by default. */
export const DEFAULT_DPS_HOST_NAME = 'global.azure-devices-provisioning.net'
/** The api-version IoT Hub's MQTT usernames carry. */
export const HUB_API_VERSION = '2021-04-12'
export const DPS_API_VERSION = '2019-03-31'
