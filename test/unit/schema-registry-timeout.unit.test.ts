import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AvroCodec } from '../../platform/avro-codec';
import { createSchemaRegistry } from '../../platform/schema-registry';

/**
 * A registry that accepts connections and never answers must not hold an encode for ever: every
 * request has a deadline, so the call fails and the caller's failure handling can run.
 */
describe('the schema registry client', () => {
  let server: Server;
  let requests = 0;
  let url: URL;

  beforeAll(async () => {
    server = createServer(() => {
      requests += 1; // Never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/ccompat/v7`);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('retries a request the registry never answers once its deadline passes, then fails instead of waiting for ever', async () => {
    const codec = new AvroCodec(createSchemaRegistry(url, 200));
    const encoding = codec.encode('fleet.commands', 'fleet.RegisterVehicle', {
      vehicleId: '5c7e1d2a-8f3b-4a6c-9d0e-1f2a3b4c5d6e',
      plateNumber: 'T 1',
      vin: null,
      make: 'Renault',
      model: 'Zoe',
      variant: null,
      year: null,
      vehicleClass: 'compact',
    });
    await expect(encoding).rejects.toThrow(/timeout/i);
    // The client tried again before giving up: a registry that hangs once does not fail the call.
    expect(requests).toBeGreaterThanOrEqual(2);
  }, 20_000);
});
