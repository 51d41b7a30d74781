// A kept-alive connection that vCenter closed while the caller was busy: the next call on it is sent again on a new
// connection, once; a connection that fails on its first request is a failure as before.
import * as http from 'http';
import { AddressInfo } from 'net';
import { SoapTransport } from '../../src/tools/vcenter';

const SERVICE_INSTANCE = { type: 'ServiceInstance', value: 'ServiceInstance' };

/** A SOAP endpoint that answers CurrentTime; `drop(n)` decides, per connection's n-th request (1-based), to hang up. */
async function endpoint(drop: (nthOnConnection: number) => boolean) {
  const seen: { connection: number; nth: number; answered: boolean }[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const socket = req.socket as typeof req.socket & { id?: number; requests?: number };
    socket.id ??= ++connections;
    socket.requests = (socket.requests ?? 0) + 1;
    req.resume();
    req.on('end', () => {
      const answered = !drop(socket.requests!);
      seen.push({ connection: socket.id!, nth: socket.requests!, answered });
      if (!answered) {
        socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
          `<soapenv:Body><CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-12-05T00:00:0${seen.length}Z</returnval></CurrentTimeResponse>` +
          '</soapenv:Body></soapenv:Envelope>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('a kept-alive connection that hangs up on the next request: that request is sent once more, on a new connection', async () => {
  const ep = await endpoint((nth) => nth === 2);
  const transport = new SoapTransport({ url: ep.url, insecure: false, timeoutMs: 5_000 });
  try {
    expect(await transport.call('CurrentTime', SERVICE_INSTANCE)).toBe('2026-12-05T00:00:01Z');
    expect(await transport.call('CurrentTime', SERVICE_INSTANCE)).toBe('2026-12-05T00:00:03Z');
    expect(ep.seen).toEqual([
      { connection: 1, nth: 1, answered: true },
      { connection: 1, nth: 2, answered: false },
      { connection: 2, nth: 1, answered: true },
    ]);
  } finally {
    transport.close();
    await ep.close();
  }
});

test('a new connection that hangs up is a failure that names the endpoint, not retried', async () => {
  const ep = await endpoint(() => true);
  const transport = new SoapTransport({ url: ep.url, insecure: false, timeoutMs: 5_000 });
  try {
    await expect(transport.call('CurrentTime', SERVICE_INSTANCE)).rejects.toThrow(
      `vCenter CurrentTime failed: cannot reach ${ep.url}/sdk (ECONNRESET: socket hang up).`,
    );
    expect(ep.seen).toEqual([{ connection: 1, nth: 1, answered: false }]);
  } finally {
    transport.close();
    await ep.close();
  }
});
