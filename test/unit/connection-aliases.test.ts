// The aliases that stand for geckos' connection ids (issue item 7): random,
// resolvable while geckos holds the connection, forgotten after.
import { describe, expect, it } from 'vitest';
import { ConnectionAliases, signalingRouteName } from '../../game-server/transport/geckos/connection-aliases.ts';
import { CONNECTION_ALIAS_BYTES } from '../../protocol/constants.ts';

const ALIAS = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((CONNECTION_ALIAS_BYTES * 4) / 3)}}$`);

describe('ConnectionAliases', () => {
  it('hands out a fresh base64url alias each time, even for the same id', () => {
    const aliases = new ConnectionAliases();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      const alias = aliases.add('abcdefghijklmnopqrstuvwx');
      expect(alias).toMatch(ALIAS);
      seen.add(alias);
    }
    expect(seen.size).toBe(1000);
  });

  it('resolves an alias while geckos holds the connection, and forgets it once it does not', () => {
    const aliases = new ConnectionAliases();
    const open = new Set(['real-1']);
    const alias = aliases.add('real-1');
    expect(aliases.resolve(alias, (id) => open.has(id))).toBe('real-1');
    open.delete('real-1');
    expect(aliases.resolve(alias, (id) => open.has(id))).toBeUndefined();
    expect(aliases.size).toBe(0);
  });

  it('never resolves a real id, or an alias it did not hand out', () => {
    const aliases = new ConnectionAliases();
    aliases.add('real-1');
    expect(aliases.resolve('real-1', () => true)).toBeUndefined();
    expect(aliases.resolve('x'.repeat(32), () => true)).toBeUndefined();
  });

  it('forgets every alias whose connection is gone in one sweep', () => {
    const aliases = new ConnectionAliases();
    for (let i = 0; i < 100; i += 1) aliases.add(`real-${i}`);
    aliases.forgetClosed((id) => id === 'real-7');
    expect(aliases.size).toBe(1);
  });
});

describe('signalingRouteName', () => {
  it('names the route and never the id in it', () => {
    expect(signalingRouteName('/.wrtc/v2/connections')).toBe('connections');
    expect(signalingRouteName('/.wrtc/v2/connections/secretsecretsecret/close')).toBe('close');
    expect(signalingRouteName('/.wrtc/v2/connections/secretsecretsecret/remote-description?x=1')).toBe('remote-description');
    expect(signalingRouteName('/.wrtc/v2/secretsecretsecret')).toBe('other');
    expect(signalingRouteName('/.wrtc/v2/connections/secretsecretsecret/nope')).toBe('other');
  });
});
