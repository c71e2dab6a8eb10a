export {crc32c, internetChecksum} from './checksum.js'
export {isLinkError, LinkError, type LinkErrorCode} from './errors.js'
export {decodeIpv4, encodeIpv4, formatIpv4Address, type Ipv4Packet, parseIpv4Address} from './ipv4.js'
export {
  type ConnectionSink,
  DEVICE_ADDRESS,
  DEVICE_API_PORT,
  DEVICE_TLS_PORT,
  HOST_ADDRESS,
  openSerialEndpoint,
  openSerialPort,
  type SerialEndpoint,
  type SerialEndpointOptions,
  type SerialLineSettings,
  SERVICE_UART_LINE,
  type SerialServer,
  serveSerial,
} from './serial.js'
export {type PtyPair, startPtyPair} from './pty-pair.js'
export {SlipDecoder, slipEncode, slipUnescape} from './slip.js'
export {attachTcp, type LinkStats, SlipLink, type SlipLinkOptions} from './slip-link.js'
export {type PacketOutput, type TcpOptions, TcpSocket, TcpStack, type TcpStackStats, type TcpState} from './tcp.js'
export {decodeTcpSegment, encodeTcpPacket, type TcpSegment} from './tcp-segment.js'
