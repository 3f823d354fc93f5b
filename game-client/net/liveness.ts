// A channel's liveness: when it last heard anything, and whether that is
// long enough ago to call the other end gone. The allowance for our own
// simulated network comes from the decorator below (conditioned-transport.ts),
// so both channels apply one rule.
import { HEARTBEAT_TIMEOUT_MS } from '../../protocol/constants.ts';

export class Liveness {
  private lastHeardMs = 0;

  constructor(
    private readonly now: () => number,
    private readonly network: { simulatedSilenceMs(): number },
  ) {}

  /** Something arrived. */
  heard(): void {
    this.lastHeardMs = this.now();
  }

  /** Silent for longer than HEARTBEAT_TIMEOUT_MS plus whatever our simulated network explains. */
  silentTooLong(): boolean {
    return this.now() - this.lastHeardMs > HEARTBEAT_TIMEOUT_MS + this.network.simulatedSilenceMs();
  }
}
