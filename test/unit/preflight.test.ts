// The one line a start prints when it cannot listen: which address, why, and
// a flag and variable that pick another. Errors nobody can fix by choosing
// another address get no line (they keep their stack trace).
import { describe, expect, it } from 'vitest';
import { cannotListenLine } from '../../game-server/preflight.ts';
import { DEFAULT_HTTP_PORT, MAX_TCP_PORT } from '../../protocol/constants.ts';

const listenError = (code: string) => Object.assign(new Error(`listen ${code}`), { code, syscall: 'listen' });
const loopback = (port: number) => ({ host: '127.0.0.1', port });

describe('cannotListenLine', () => {
  it('names a busy port and suggests the next one, as flag and variable', () => {
    expect(cannotListenLine(listenError('EADDRINUSE'), loopback(8080))).toBe(
      'port 8080 is already in use (is another server running?): choose another with --port 8081 or PORT=8081',
    );
  });

  it('suggests a lower port when the busy one is the highest there is', () => {
    expect(cannotListenLine(listenError('EADDRINUSE'), loopback(MAX_TCP_PORT))).toContain(`--port ${MAX_TCP_PORT - 1} or PORT=${MAX_TCP_PORT - 1}`);
  });

  it('suggests the default port when a privileged one is refused (EACCES)', () => {
    expect(cannotListenLine(listenError('EACCES'), loopback(80))).toBe(
      `port 80 needs privileges this user lacks (EACCES): choose another with --port ${DEFAULT_HTTP_PORT} or PORT=${DEFAULT_HTTP_PORT}`,
    );
  });

  it('names a host address this machine does not have, and suggests loopback (not every interface)', () => {
    expect(cannotListenLine(listenError('EADDRNOTAVAIL'), { host: '203.0.113.9', port: 8080 })).toBe(
      'address 203.0.113.9 is not on this machine (EADDRNOTAVAIL): choose another with --host 127.0.0.1 or HOST=127.0.0.1',
    );
  });

  it("names the ops listener's flags and variables for its own address", () => {
    expect(cannotListenLine(listenError('EADDRINUSE'), { host: '127.0.0.1', port: 9464, listener: 'ops' })).toBe(
      'ops port 9464 is already in use (is another server running?): choose another with --ops-port 9465 or OPS_PORT=9465',
    );
    expect(cannotListenLine(listenError('EADDRNOTAVAIL'), { host: '203.0.113.9', port: 0, listener: 'ops' })).toBe(
      'address 203.0.113.9 is not on this machine (EADDRNOTAVAIL): choose another with --ops-host 127.0.0.1 or OPS_HOST=127.0.0.1',
    );
  });

  it('gives no line for other errors, or for what is not an error', () => {
    expect(cannotListenLine(listenError('EMFILE'), loopback(8080))).toBeNull();
    expect(cannotListenLine(new Error('boom'), loopback(8080))).toBeNull();
    expect(cannotListenLine('EADDRINUSE', loopback(8080))).toBeNull();
  });
});
