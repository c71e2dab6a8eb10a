export {createSerialTransport, type SerialTransport, type SerialTransportOptions} from './serial.js'
export {checkDeviceIdentity, DEVICE_API_HOST} from '../device-identity.js'
