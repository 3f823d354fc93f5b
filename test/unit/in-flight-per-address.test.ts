// Requests in flight per address (the signaling cap of issue item 7): a cap
// per address, and no memory of an address once its requests are done.
import { describe, expect, it } from 'vitest';
import { InFlightPerAddress } from '../../game-server/limits/in-flight-per-address.ts';

describe('InFlightPerAddress', () => {
  it('refuses an address past its cap and counts nothing for the refusal', () => {
    const inFlight = new InFlightPerAddress(2);
    expect(inFlight.tryEnter('10.0.0.1')).toBe(true);
    expect(inFlight.tryEnter('10.0.0.1')).toBe(true);
    expect(inFlight.tryEnter('10.0.0.1')).toBe(false);
    inFlight.leave('10.0.0.1');
    expect(inFlight.tryEnter('10.0.0.1')).toBe(true); // one left, one back in
    expect(inFlight.tryEnter('10.0.0.1')).toBe(false);
  });

  it('counts each address on its own', () => {
    const inFlight = new InFlightPerAddress(1);
    expect(inFlight.tryEnter('10.0.0.1')).toBe(true);
    expect(inFlight.tryEnter('10.0.0.2')).toBe(true);
    expect(inFlight.tryEnter('10.0.0.1')).toBe(false);
  });

  it('forgets an address once its last request leaves, so the map holds only addresses in flight', () => {
    const inFlight = new InFlightPerAddress(4);
    for (let i = 0; i < 1000; i += 1) {
      const address = `10.0.${i >> 8}.${i & 255}`;
      inFlight.tryEnter(address);
      inFlight.tryEnter(address);
      inFlight.leave(address);
      expect(inFlight.size).toBe(1);
      inFlight.leave(address);
      expect(inFlight.size).toBe(0);
    }
  });
});
