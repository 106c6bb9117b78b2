// The port Çözüm is told to listen on is already taken (another instance, another service): start-up
// must fail with the reason, not go on with a server that listens nowhere.
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttpApp, listen } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';

describe('listen', () => {
  it('rejects with EADDRINUSE when the port is taken, and listens when it is free', async () => {
    const logger = createLogger('silent');
    const first = await listen(createHttpApp([], logger), 0, '127.0.0.1');
    try {
      const { port } = first.address() as AddressInfo;
      await expect(listen(createHttpApp([], logger), port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      first.close();
    }
  });
});
