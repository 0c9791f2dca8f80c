/** closedPort(): below the ephemeral range (listen(0) and outgoing connections never get it), and refused. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'vitest';
import { closedPort } from '../helpers/closed-port.ts';

test('closedPort is below 32768 and a connection to it is refused', async () => {
  for (let i = 0; i < 5; i++) {
    const port = await closedPort();
    assert.ok(port >= 20_000 && port < 32_768, String(port));
    const code = await new Promise<string | undefined>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve('connected');
      });
      c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    });
    assert.equal(code, 'ECONNREFUSED');
  }
});
