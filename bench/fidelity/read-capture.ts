// Reads a capture kept by `--save-capture` (bench:fidelity or bench:tcp-stalls)
// again: per connection, how the server's segments were resent and why.
//
//   npx tsx bench/fidelity/read-capture.ts FILE PORT [--all]   (--all: every connection, not only those that carried data)
import { readFileSync } from 'node:fs';
import { captureSummary } from './capture-summary.ts';

const [file, port] = process.argv.slice(2);
if (!file || !port) {
  console.error('usage: npx tsx bench/fidelity/read-capture.ts FILE SERVER_PORT [--all]');
  process.exit(2);
}
const all = process.argv.includes('--all');
for (const c of captureSummary(readFileSync(file, 'utf8'), Number(port), '127.0.0.2').connections) {
  if (!all && c.serverSent.segments < 100) continue;
  console.log(`${c.role} ${c.client} ${c.opened ? '(opened) ' : ''}${c.closed ? '(closed) ' : ''}over ${c.spanS} s`);
  console.log(`  server segments ${c.serverSent.segments}, sent ×n ${JSON.stringify(c.serverSent.transmissions)}, waits ${JSON.stringify(c.serverSent.waits)}, longest ${c.serverSent.longestWaitMs} ms`);
  console.log(`  resends by wait and cause: ${JSON.stringify(c.serverResends)}`);
  console.log(`  client segments ${c.clientSent.segments}, waits ${JSON.stringify(c.clientSent.waits)}`);
}
