// A bare aedes broker on MQTT over TLS (the broker under the local hub, with none of the hub's work), for
// bench/hub.js's baseline: `node bench/_aedes-broker.js KEY_FILE CERT_FILE` prints its port and serves until killed.
import {Aedes} from 'aedes'
import {readFileSync} from 'node:fs'
import tls from 'node:tls'

const broker = await Aedes.createBroker()
const server = tls.createServer({key: readFileSync(process.argv[2]), cert: readFileSync(process.argv[3])}, (s) =>
  broker.handle(s),
)
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`))
