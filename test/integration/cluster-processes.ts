// Game server processes for the cluster tests: `game-server/main.ts` as its
// own process on 127.0.0.1 (port 0), registered in a shared Redis.
import { parseRoomList } from '../../protocol/wire/room-list.ts';
import { startServerScript, type ScriptProcess } from './script-process.ts';

export interface ServerProcess {
  process: ScriptProcess;
  /** The game's URL (page, /ws, /rooms, signaling). */
  url: string;
  /** Where its detailed /healthz and /metrics answer. */
  opsUrl: string;
}

/** Starts a server process registered in `redisUrl` as `id`, with any extra flags. */
export async function startServerProcess(id: string, redisUrl: string, flags: string[] = []): Promise<ServerProcess> {
  const args = ['--host', '127.0.0.1', '--port', '0', '--redis-url', redisUrl, '--server-id', id, ...flags];
  return startServerScript(args, `server ${id}`, { LOG_LEVEL: 'info' });
}

/** Its detailed health (JSON). */
export async function health(server: ServerProcess): Promise<Record<string, unknown>> {
  return (await fetch(`${server.opsUrl}/healthz`)).json() as Promise<Record<string, unknown>>;
}

/** The rooms its /rooms lists. */
export async function roomsSeenBy(server: ServerProcess) {
  const list = parseRoomList(await (await fetch(`${server.url}/rooms`)).json());
  if (!list.ok) throw new Error(list.message);
  return list.value.rooms;
}
