// Requests in flight, counted per remote address, with a cap for each. Unlike
// a rate limit (address-limits.ts) nothing is remembered about an address once
// its requests are done: an entry leaves the map when its count is back to 0,
// so the map never holds more addresses than there are requests in flight.

export class InFlightPerAddress {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxPerAddress: number) {}

  /** Counts one more request from `address`; false (and nothing counted) when it already has the maximum. */
  tryEnter(address: string): boolean {
    const count = this.counts.get(address) ?? 0;
    if (count >= this.maxPerAddress) return false;
    this.counts.set(address, count + 1);
    return true;
  }

  /** One request from `address` is done: call once for each successful tryEnter. */
  leave(address: string): void {
    const count = this.counts.get(address) ?? 0;
    if (count <= 1) this.counts.delete(address);
    else this.counts.set(address, count - 1);
  }

  /** Addresses with a request in flight now. */
  get size(): number {
    return this.counts.size;
  }
}
