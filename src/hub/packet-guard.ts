/**
 * A bound on the MQTT packets a connection may send, enforced before the broker buffers them: the guard reads
 * each packet's fixed header (type byte + remaining length) as the bytes pass and ends the connection as soon as a
 * header announces more than `maxPacket` bytes, so a client cannot make the hub hold a 256 MiB packet (MQTT's
 * limit). IoT Hub refuses device-to-cloud messages over 256 KiB the same way, by closing the connection.
 */
import {Duplex} from 'node:stream'
import type {TLSSocket} from 'node:tls'

/** IoT Hub's largest device-to-cloud message (256 KiB) plus room for the topic and its property bag. */
export const MAX_MQTT_PACKET = 256 * 1024 + 16 * 1024

export class PacketGuard extends Duplex {
  /** 0: at a packet's first byte; 1..4: reading the remaining-length bytes; 5: inside the body. */
  private phase = 0
  private length = 0
  private multiplier = 1
  private left = 0

  constructor(
    readonly socket: TLSSocket,
    private readonly maxPacket = MAX_MQTT_PACKET,
    private readonly onTooLarge: (bytes: number) => void = () => undefined,
  ) {
    super()
    socket.on('data', (chunk: Buffer) => {
      if (!this.scan(chunk)) return
      if (!this.push(chunk)) socket.pause()
    })
    socket.on('end', () => this.push(null))
    socket.on('error', (e) => this.destroy(e))
    socket.on('close', () => this.destroy())
  }

  /** The TLS peer's certificate chain (the broker's authentication reads it through the connection). */
  getPeerCertificate(detailed: true): ReturnType<TLSSocket['getPeerCertificate']> {
    return this.socket.getPeerCertificate(detailed)
  }

  private scan(chunk: Buffer): boolean {
    let i = 0
    while (i < chunk.length) {
      if (this.phase === 5) {
        const n = Math.min(this.left, chunk.length - i)
        this.left -= n
        i += n
        if (this.left === 0) this.phase = 0
        continue
      }
      const b = chunk[i++]!
      if (this.phase === 0) {
        this.phase = 1
        this.length = 0
        this.multiplier = 1
        continue
      }
      this.length += (b & 0x7f) * this.multiplier
      this.multiplier *= 128
      if (this.length > this.maxPacket) {
        this.onTooLarge(this.length)
        this.socket.destroy()
        this.destroy()
        return false
      }
      if (b & 0x80) {
        if (++this.phase > 4) {
          this.socket.destroy()
          this.destroy()
          return false
        }
        continue
      }
      this.left = this.length
      this.phase = this.left > 0 ? 5 : 0
    }
    return true
  }

  override _read(): void {
    this.socket.resume()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.socket.write(chunk, cb)
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.socket.end(cb)
  }

  override _destroy(e: Error | null, cb: (e?: Error | null) => void): void {
    this.socket.destroy()
    cb(e)
  }
}
