// Where a client on this machine reaches a server listening on host:port.
// Shared by the server (the URL it prints) and `npm run dev` (the one address
// Vite proxies to), so the two can never disagree.

/** http://host:port, with a wildcard address replaced by loopback and an IPv6 literal bracketed. */
export function localUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
