/**
 * A free TCP port on loopback, for servers the tests start. The port is chosen at random
 * below the kernel's ephemeral range (32768 and up), in a band of its own for each test
 * lane (`GALERA_TEST_LANE`, set by scripts/test.sh): a port the kernel hands out for
 * `listen(0)` can be handed out again to another process before our server binds it,
 * which once pointed one lane's apiserver at another lane's etcd.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';

const BAND = 4000;
const handedOut = new Set<number>();

async function bindable(port: number): Promise<boolean> {
  const server = createServer();
  server.on('error', () => undefined);
  server.listen(port, '127.0.0.1');
  const [outcome] = await Promise.race([once(server, 'listening').then(() => ['ok']), once(server, 'error').then(() => ['busy'])]);
  if (outcome !== 'ok') return false;
  server.close();
  await once(server, 'close');
  return true;
}

export async function freePort(): Promise<number> {
  const lane = Number(process.env.GALERA_TEST_LANE ?? '0') % 3;
  const first = 20000 + lane * BAND;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = first + Math.floor(Math.random() * BAND);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${String(first)} and ${String(first + BAND - 1)}`);
}
