export {createSerialTransport, type SerialTransport, type SerialTransportOptions} from './serial.js'
