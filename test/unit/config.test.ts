// Server configuration: defaults, environment, flags (which win), and the
// errors a bad setting gives at start.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../game-server/config.ts';
import {
  DEFAULT_MAX_ROOMS,
  DEFAULT_MAX_ROOMS_PER_ADDRESS,
  DEFAULT_MAX_SEATS_PER_ADDRESS,
  DEFAULT_NPC_COUNT,
  DEFAULT_ROOM_CAPACITY,
  DEFAULT_ROOM_IDLE_MS,
  DEFAULT_SNAPSHOT_RATE_HZ,
  DEFAULT_TICK_RATE_HZ,
} from '../../protocol/constants.ts';

describe('loadConfig', () => {
  it('uses the defaults with no flags and no environment', () => {
    expect(loadConfig([], {})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      tickRate: DEFAULT_TICK_RATE_HZ,
      snapshotRate: DEFAULT_SNAPSHOT_RATE_HZ,
      npcs: DEFAULT_NPC_COUNT,
      roomCapacity: DEFAULT_ROOM_CAPACITY,
      maxRooms: DEFAULT_MAX_ROOMS,
      maxSeatsPerAddress: DEFAULT_MAX_SEATS_PER_ADDRESS,
      maxRoomsPerAddress: DEFAULT_MAX_ROOMS_PER_ADDRESS,
      roomIdleMs: DEFAULT_ROOM_IDLE_MS,
      seed: 1,
      staticDir: 'dist',
      rtcBind: '127.0.0.1',
      allowedOrigins: [],
      opsPort: 0,
      opsHost: '127.0.0.1',
    });
  });

  it('reads environment variables and turns numbers into numbers', () => {
    const config = loadConfig([], {
      PORT: '9000',
      HOST: '127.0.0.1',
      TICK_RATE: '30',
      SNAPSHOT_RATE: '15',
      NPCS: '0',
      ROOM_CAPACITY: '50',
      MAX_ROOMS: '4',
      MAX_SEATS_PER_ADDRESS: '40',
      MAX_ROOMS_PER_ADDRESS: '2',
      ROOM_IDLE_MS: '500',
      RTC_PORT_MIN: '40000',
      RTC_PORT_MAX: '40100',
      PUBLIC_IP: '203.0.113.7',
      SEED: '-5',
      STATIC_DIR: 'public',
      ALLOWED_ORIGINS: 'https://play.example.com, http://[::1]:5173/',
      OPS_PORT: '9464',
      OPS_HOST: '0.0.0.0',
    });
    expect(config).toEqual({
      port: 9000,
      host: '127.0.0.1',
      tickRate: 30,
      snapshotRate: 15,
      npcs: 0,
      roomCapacity: 50,
      maxRooms: 4,
      maxSeatsPerAddress: 40,
      maxRoomsPerAddress: 2,
      roomIdleMs: 500,
      rtcPortMin: 40000,
      rtcPortMax: 40100,
      publicIp: '203.0.113.7',
      rtcBind: '127.0.0.1',
      seed: -5,
      staticDir: 'public',
      allowedOrigins: ['https://play.example.com', 'http://[::1]:5173'],
      opsPort: 9464,
      opsHost: '0.0.0.0',
    });
  });

  it('refuses a room capacity beyond what one arena holds', () => {
    expect(() => loadConfig(['--room-capacity', '65'], {})).toThrow(/^roomCapacity: /);
    expect(() => loadConfig(['--max-rooms', '0'], {})).toThrow(/^maxRooms: /);
  });

  it('lets a flag win over the environment variable', () => {
    const config = loadConfig(['--port', '7000', '--tick-rate=120'], { PORT: '9000', TICK_RATE: '30', NPCS: '9' });
    expect(config).toMatchObject({ port: 7000, tickRate: 120, npcs: 9 });
  });

  it('ignores an empty environment variable', () => {
    expect(loadConfig([], { PORT: '', HOST: '' })).toMatchObject({ port: 8080, host: '127.0.0.1' });
  });

  it('accepts an IPv6 PUBLIC_IP', () => {
    expect(loadConfig(['--public-ip', '2001:db8::1'], {}).publicIp).toBe('2001:db8::1');
  });

  it('listens on loopback only unless told otherwise, WebRTC included', () => {
    expect(loadConfig([], {})).toMatchObject({ host: '127.0.0.1', rtcBind: '127.0.0.1', opsHost: '127.0.0.1' });
  });

  it('binds WebRTC to every interface when the host is every interface', () => {
    expect(loadConfig(['--host', '0.0.0.0'], {}).rtcBind).toBeUndefined();
    expect(loadConfig(['--host', '::'], {}).rtcBind).toBeUndefined();
    expect(loadConfig(['--host', '0:0::0'], {}).rtcBind).toBeUndefined();
  });

  it('binds WebRTC to the host when the host is one address', () => {
    expect(loadConfig(['--host', '127.0.0.1'], {}).rtcBind).toBe('127.0.0.1');
    expect(loadConfig([], { HOST: '192.0.2.10' }).rtcBind).toBe('192.0.2.10');
    expect(loadConfig(['--host', '::1'], {}).rtcBind).toBe('::1');
  });

  it('leaves WebRTC on every interface when the host is a name', () => {
    expect(loadConfig(['--host', 'localhost'], {}).rtcBind).toBeUndefined();
  });

  it('lets --rtc-bind or RTC_BIND override the address taken from the host (0.0.0.0 or :: for every interface)', () => {
    expect(loadConfig(['--host', '127.0.0.1', '--rtc-bind', '0.0.0.0'], {}).rtcBind).toBeUndefined();
    expect(loadConfig(['--host', '127.0.0.1'], { RTC_BIND: '::' }).rtcBind).toBeUndefined();
    expect(loadConfig(['--host', '0.0.0.0'], { RTC_BIND: '192.0.2.10' }).rtcBind).toBe('192.0.2.10');
    expect(loadConfig(['--rtc-bind', '::1'], { RTC_BIND: '192.0.2.10' }).rtcBind).toBe('::1');
  });

  it('refuses an RTC_BIND that is not an IP address', () => {
    expect(() => loadConfig(['--rtc-bind', 'localhost'], {})).toThrow(/^rtcBind: /);
  });

  it('refuses a snapshot rate above the tick rate', () => {
    expect(() => loadConfig([], { TICK_RATE: '30', SNAPSHOT_RATE: '60' })).toThrow('SNAPSHOT_RATE cannot exceed TICK_RATE');
  });

  it('accepts a snapshot rate equal to the tick rate', () => {
    expect(loadConfig(['--tick-rate', '20', '--snapshot-rate', '20'], {})).toMatchObject({ tickRate: 20, snapshotRate: 20 });
  });

  it('refuses only one end of the RTC port range', () => {
    expect(() => loadConfig(['--rtc-port-min', '40000'], {})).toThrow('set both RTC_PORT_MIN and RTC_PORT_MAX, or neither');
    expect(() => loadConfig([], { RTC_PORT_MAX: '40000' })).toThrow('set both RTC_PORT_MIN and RTC_PORT_MAX, or neither');
  });

  it('refuses an RTC port range that runs backwards', () => {
    expect(() => loadConfig(['--rtc-port-min', '40100', '--rtc-port-max', '40000'], {})).toThrow('RTC_PORT_MIN must not exceed RTC_PORT_MAX');
  });

  it('refuses a privileged RTC port', () => {
    expect(() => loadConfig(['--rtc-port-min', '1024', '--rtc-port-max', '2000'], {})).toThrow(/^rtcPortMin: /);
  });

  it('refuses a PUBLIC_IP that is not an IP address', () => {
    expect(() => loadConfig([], { PUBLIC_IP: 'example.com' })).toThrow(/^publicIp: /);
    expect(() => loadConfig([], { PUBLIC_IP: '300.1.1.1' })).toThrow(/^publicIp: /);
  });

  it('refuses a port that is not a whole number in range', () => {
    expect(() => loadConfig(['--port', 'http'], {})).toThrow(/^port: /);
    expect(() => loadConfig(['--port', '65536'], {})).toThrow(/^port: /);
    expect(() => loadConfig(['--port', '80.5'], {})).toThrow(/^port: /);
  });

  it('refuses a tick rate of 0', () => {
    expect(() => loadConfig([], { TICK_RATE: '0' })).toThrow(/^tickRate: /);
  });

  it('lists every field problem, one per line', () => {
    expect(() => loadConfig(['--port', 'x', '--npcs=-1'], {})).toThrow(/^port: .*\nnpcs: /);
  });

  it('lists every cross-field problem, one per line', () => {
    expect(() => loadConfig([], { TICK_RATE: '30', SNAPSHOT_RATE: '60', RTC_PORT_MAX: '40000' })).toThrow(
      /^config: SNAPSHOT_RATE cannot exceed TICK_RATE\nconfig: set both RTC_PORT_MIN and RTC_PORT_MAX, or neither/,
    );
  });

  it('lists a field problem and a cross-field problem together', () => {
    expect(() => loadConfig(['--port', 'x'], { TICK_RATE: '30', SNAPSHOT_RATE: '60' })).toThrow(/^port: .*\nconfig: SNAPSHOT_RATE cannot exceed TICK_RATE$/);
  });

  it('names only the missing end when one end of the RTC port range is set', () => {
    expect(() => loadConfig(['--rtc-port-min', '40000'], {})).toThrow(/^config: set both RTC_PORT_MIN and RTC_PORT_MAX, or neither$/);
  });

  describe('a server in a cluster (REDIS_URL)', () => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    const refusal = /^publicUrl: with REDIS_URL \(a cluster\) and a HOST that is not one IP address, set PUBLIC_URL .*their own machine$/;

    it('refuses a wildcard host without PUBLIC_URL: other servers would send players to loopback', () => {
      expect(() => loadConfig(['--host', '0.0.0.0'], redis)).toThrow(refusal);
      expect(() => loadConfig(['--host', '::'], redis)).toThrow(refusal);
      expect(() => loadConfig(['--redis-url', '/tmp/redis.sock'], { HOST: '0:0::0' })).toThrow(refusal);
    });

    it('refuses a host name without PUBLIC_URL: a name may stand for this machine only', () => {
      expect(() => loadConfig(['--host', 'localhost'], redis)).toThrow(refusal);
    });

    it('accepts a wildcard host with PUBLIC_URL, or a host that is one IP address', () => {
      expect(loadConfig(['--host', '0.0.0.0', '--public-url', 'http://192.0.2.10:8080'], redis).publicUrl).toBe('http://192.0.2.10:8080');
      // Compared as a bare origin everywhere: a trailing slash or a capital letter must not make a server unrecognisable.
      expect(loadConfig(['--public-url', 'https://Play.Example.com/'], {}).publicUrl).toBe('https://play.example.com');
      expect(() => loadConfig(['--public-url', 'http://192.0.2.10:8080/game'], {})).toThrow(/^publicUrl: an origin only/);
      expect(loadConfig(['--host', '192.0.2.10'], redis).host).toBe('192.0.2.10');
      expect(loadConfig([], redis).host).toBe('127.0.0.1');
    });

    it('lets a lone server (no REDIS_URL) listen on every interface without PUBLIC_URL', () => {
      expect(loadConfig(['--host', '0.0.0.0'], {}).host).toBe('0.0.0.0');
    });
  });

  it('reads ALLOWED_ORIGINS as origins, without paths or default ports', () => {
    expect(loadConfig(['--allowed-origins', 'HTTPS://Play.Example.com:443,http://localhost:5173,,'], {}).allowedOrigins).toEqual([
      'https://play.example.com',
      'http://localhost:5173',
    ]);
    expect(loadConfig([], { ALLOWED_ORIGINS: '*' }).allowedOrigins).toEqual(['*']);
  });

  it('refuses an ALLOWED_ORIGINS entry that is not an http(s) origin, naming it', () => {
    for (const bad of ['play.example.com', 'ftp://play.example.com', 'https://play.example.com/game', 'https://u:p@play.example.com', 'null']) {
      const load = () => loadConfig(['--allowed-origins', `https://ok.example.com,${bad}`], {});
      expect(load).toThrow(/^allowedOrigins: /);
      expect(load).toThrow(`${JSON.stringify(bad)} is not an origin`);
    }
  });

  it('refuses an OPS_PORT equal to PORT, and accepts 0 for any free port', () => {
    expect(() => loadConfig(['--port', '9000', '--ops-port', '9000'], {})).toThrow('OPS_PORT must differ from PORT');
    expect(loadConfig(['--port', '0'], {}).opsPort).toBe(0);
  });

  it('refuses an unknown flag', () => {
    expect(() => loadConfig(['--tickrate', '30'], {})).toThrow(/Unknown option '--tickrate'/);
  });

  it('refuses a stray positional argument', () => {
    expect(() => loadConfig(['8080'], {})).toThrow(/Unexpected argument '8080'/);
  });

  it('refuses a flag with no value', () => {
    expect(() => loadConfig(['--port'], {})).toThrow(/argument missing/);
  });
});
