// `insecure` against a simulator that serves HTTPS with a self-signed certificate.
import { VcenterClient } from '../../src/tools/vcenter';
import { Vcsim, startVcsim } from '../support/vcsim';

let sim: Vcsim;

beforeAll(async () => {
  sim = await startVcsim({ tls: true });
});

afterAll(async () => {
  await sim?.stop();
});

test('the simulator serves https', () => {
  expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
});

test('a self-signed certificate is refused by default', async () => {
  await expect(VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password })).rejects.toThrow(
    /^vCenter RetrieveServiceContent failed: cannot reach https:\/\/127\.0\.0\.1:\d+\/sdk \(.*certificate/i,
  );
});

test('insecure: true accepts it and logs in', async () => {
  const client = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  await expect(client.findByInventoryPath('/DC0')).resolves.toMatchObject({ type: 'Datacenter' });
  await client.logout();
});
