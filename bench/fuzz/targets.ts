// Every decoder `npm run fuzz` drives, in the order the table lists them.
import { bitReaderTarget } from './bit-reader-target.ts';
import { datagramTarget, deltaTarget, inputTarget, pingTarget, snapshotTarget } from './datagram-targets.ts';
import type { AnyFuzzTarget } from './fuzz-target.ts';
import { roomListTarget } from './room-list-target.ts';
import { clientMessageTarget, conditionsTarget, serverMessageTarget } from './stream-targets.ts';

export const TARGETS: readonly AnyFuzzTarget[] = [
  inputTarget,
  snapshotTarget,
  deltaTarget,
  pingTarget,
  datagramTarget,
  bitReaderTarget,
  clientMessageTarget,
  serverMessageTarget,
  conditionsTarget,
  roomListTarget,
];
