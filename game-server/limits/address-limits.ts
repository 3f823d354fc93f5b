// Rate limits per remote address: a token bucket for each address seen,
// remembered in a bounded map (the longest-unseen address is forgotten first),
// so limits that must hold across connections (joins, chat) cannot be reset
// by reconnecting, and a flood of addresses cannot grow memory.
import { MAX_TRACKED_ADDRESSES } from '../../protocol/constants.ts';
import { TokenBucket } from './token-bucket.ts';

export class AddressLimits {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly burst: number,
    private readonly refillPerS: number,
    private readonly maxAddresses = MAX_TRACKED_ADDRESSES,
  ) {}

  /** Takes a token from `address`'s bucket; false when it has none left. */
  take(address: string, nowMs: number): boolean {
    let bucket = this.buckets.get(address);
    if (bucket)
      this.buckets.delete(address); // re-inserted below: Map order is recency
    else bucket = new TokenBucket(this.burst, this.refillPerS, nowMs);
    this.buckets.set(address, bucket);
    if (this.buckets.size > this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket.take(nowMs);
  }

  /** Addresses remembered now. */
  get size(): number {
    return this.buckets.size;
  }
}
