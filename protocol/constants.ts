// Every number the game and its wire format depend on, in one place.
// Units are in the names: _HZ, _MS, _PX, _BYTES, _PER_S.

// ── Channels ─────────────────────────────────────────────────────────────────
/** The two channels: lossy datagrams (WebRTC) and the reliable stream (WebSocket). Metric labels use these names too. */
export type ChannelName = 'datagram' | 'stream';
export const CHANNEL_NAMES: readonly ChannelName[] = ['datagram', 'stream'];

// ── Simulation ───────────────────────────────────────────────────────────────
export const DEFAULT_TICK_RATE_HZ = 60;
export const DEFAULT_SNAPSHOT_RATE_HZ = 30;
export const DEFAULT_NPC_COUNT = 4;
/** Configuration limits (flags / environment). */
export const MAX_TICK_RATE_HZ = 240;
export const MAX_NPC_COUNT = 512;
/** HTTP, WebSocket and WebRTC signaling share one port unless --port / PORT picks another. */
export const DEFAULT_HTTP_PORT = 8080;
/** The game listens on loopback unless --host / HOST says otherwise (as Vite's dev server): `0.0.0.0` to play over a LAN. */
export const DEFAULT_HOST = '127.0.0.1';
/** The ops listener (/metrics, the detailed /healthz) stays on loopback unless --ops-host / OPS_HOST says otherwise. */
export const DEFAULT_OPS_HOST = '127.0.0.1';
/** …on this port: 0 lets the system pick a free one (printed at start as opsUrl), so servers on one machine never collide. */
export const DEFAULT_OPS_PORT = 0;
/** Ports below this need privileges on most systems; listening there fails with EACCES otherwise. */
export const FIRST_UNPRIVILEGED_PORT = 1024;
export const MAX_TCP_PORT = 65535;
/** Flushing time for the goodbye frames at shutdown, before sockets are cut. */
export const SHUTDOWN_FLUSH_MS = 200;
/** Most simulation steps the server runs to catch up after a stall, so a long GC pause cannot spiral. */
export const MAX_CATCH_UP_STEPS = 5;

// ── Rooms ────────────────────────────────────────────────────────────────────
/** Players per room unless --room-capacity / ROOM_CAPACITY says otherwise (at most MAX_PLAYERS). */
export const DEFAULT_ROOM_CAPACITY = 32;
/** Rooms one process hosts at once unless --max-rooms says otherwise: a loop of new names cannot grow memory. */
export const DEFAULT_MAX_ROOMS = 64;
/** An empty room waits this long for someone to come back before it is disposed (--room-idle-ms). */
export const DEFAULT_ROOM_IDLE_MS = 30_000;
/** How often the lobby looks for empty rooms to dispose. */
export const ROOM_SWEEP_INTERVAL_MS = 1_000;
/** Room names: letters, digits, '-' and '_', lower-cased; short enough for a HUD and a link. */
export const MAX_ROOM_NAME_CHARS = 24;
/** The JSON list of rooms the join screen shows. */
export const ROOMS_PATH = '/rooms';
/** On the game's port a bare liveness probe (`{"status":"ok"}`); on the ops listener the detailed health. */
export const HEALTH_PATH = '/healthz';
/** Prometheus text, on the ops listener only (404 on the game's port). */
export const METRICS_PATH = '/metrics';
/** With a Redis room directory (several processes): a process's entries expire this long after its last heartbeat. */
export const DIRECTORY_TTL_MS = 3_000;
export const DIRECTORY_HEARTBEAT_MS = 1_000;
/**
 * A seat held for a player sent to a room on another process: long enough to
 * close one socket and open another (well under a second on any network a
 * game is playable on), short enough that an abandoned redirect frees its
 * seat soon.
 */
export const SEAT_RESERVATION_MS = 5_000;
/** Every Redis command gets this long; past it the directory counts as failing for that call, and the join is decided without it. */
export const DIRECTORY_COMMAND_TIMEOUT_MS = 500;
/** A hello that asks the directory is answered within this, whatever Redis does (each command has its own deadline too). */
export const DIRECTORY_JOIN_DEADLINE_MS = 1_500;
/** /healthz says the directory is "connected" only if a Redis command succeeded this recently (two heartbeats and a deadline). */
export const DIRECTORY_HEALTHY_WITHIN_MS = 2_500;
/**
 * What one remote address may hold at once, in a process (or, with a room
 * directory, in the whole cluster): players in arenas, rooms it opened that
 * still exist, and seats reserved for it on the way to another process.
 * Rate limits bound how fast an address asks; these bound what it keeps.
 * A household or a LAN party behind one NAT address fits comfortably.
 */
export const DEFAULT_MAX_SEATS_PER_ADDRESS = 16;
export const DEFAULT_MAX_ROOMS_PER_ADDRESS = 4;
export const MAX_RESERVATIONS_PER_ADDRESS = 4;
export const MAX_RESERVATIONS_PER_ADDRESS_PER_ROOM = 2;

export const ARENA_WIDTH_PX = 1600;
export const ARENA_HEIGHT_PX = 900;
export const PLAYER_RADIUS_PX = 16;
export const PLAYER_SPEED_PX_PER_S = 240;
export const NPC_RADIUS_PX = 14;
export const NPC_SPEED_PX_PER_S = 120;
/** How often an NPC picks a new heading, on average. */
export const NPC_TURN_INTERVAL_MS = 1500;
export const COIN_RADIUS_PX = 10;
export const COIN_COUNT = 8;
export const COIN_RESPAWN_MS = 2000;
export const POINTS_PER_COIN = 1;

/** Input axes travel as signed bytes; ±127 is full stick. */
export const INPUT_AXIS_MAX = 127;
/**
 * Input budget: a player earns one input per tick and may bank up to this
 * many. Inputs that arrive in a clump after jitter or a client stall are then
 * applied at once instead of queueing for good (which would add lag forever),
 * yet no client moves faster than real time by more than this many ticks.
 */
export const MAX_INPUT_CREDITS = 8;
/** After a stall, the client sends at most this many overdue inputs at once and skips the rest. */
export const MAX_INPUT_CATCH_UP = MAX_INPUT_CREDITS;
/** Ids from here up are world objects (NPCs, coins); players get ids below. */
export const WORLD_ENTITY_ID_BASE = 0xf000;
/**
 * Inputs queued per player beyond what the server owes it, past which the
 * oldest are dropped: a flooding client can grow neither memory nor its own
 * lag. Half a second at the default tick rate.
 */
export const MAX_QUEUED_INPUTS = 32;
/**
 * Most steps a stall of the server itself makes room for in a player's input
 * queue: the steps it owes but has not run, and the ones it skipped. The
 * client kept sending through the stall, and those inputs are honest; 10 s at
 * the default tick rate. A longer stall drops the oldest (one correction).
 */
export const MAX_STALL_INPUTS = 600;
/**
 * How long the credits of a server stall's skipped steps last. The stall's
 * inputs can arrive a few steps after the loop has caught up (likely because
 * the load that stalled the JavaScript also slows the native threads that
 * receive datagrams). Until then the player's queue may stand empty, and that
 * must not end the credits (it did: three honest inputs dropped, a 12 px
 * correction). Past this, each stall's unused credits lapse, so none can be
 * banked for later. Within it, a player who sent nothing during the stall
 * may use them late: never more movement than real time, but a choice made
 * after seeing the stall's outcome, for at most this long.
 */
export const STALL_CREDITS_KEPT_MS = 1_000;

// ── Entities ─────────────────────────────────────────────────────────────────
export const ENTITY_KIND_PLAYER = 0;
export const ENTITY_KIND_NPC = 1;
export const ENTITY_KIND_COIN = 2;
export const MAX_ENTITY_KIND = ENTITY_KIND_COIN;
/** Entity ids are uint16 on the wire. */
export const MAX_ENTITY_ID = 0xffff;
/** Most players one room can hold (--room-capacity may set fewer). */
export const MAX_PLAYERS = 64;
export const MAX_ENTITIES_PER_SNAPSHOT = 1024;

// ── Datagram wire format (layouts in input.ts, snapshot.ts, delta-snapshot.ts, ping.ts; docs/wire-format.md) ──
export const DATAGRAM_TYPE_INPUT = 1;
export const DATAGRAM_TYPE_SNAPSHOT = 2;
export const DATAGRAM_TYPE_PING = 3;
export const DATAGRAM_TYPE_PONG = 4;
export const DATAGRAM_TYPE_SNAPSHOT_DELTA = 5;

/**
 * Positions are sent as uint16 fixed point in 1/8 px steps, so the error is at
 * most 1/16 px: far below what a screen shows, and coarse enough that a
 * moving entity's delta fits in few bits (see delta-snapshot.ts).
 */
export const POSITION_SCALE = 8;
/**
 * Ticks of input gathered into one input packet: the client samples its keys
 * every tick (60 a second) but sends a packet every second tick (30 a
 * second) with both new inputs. Each packet costs the server about 30 µs of
 * CPU in node-datachannel whatever it carries (docs/benchmarks.md, "The transport's
 * floor"), so this takes a third off the messages it handles per client (90
 * to 60 a second) for at most one tick (17 ms) more before an input reaches
 * it; prediction hides that from the player, as it hides the round trip.
 */
export const INPUT_TICKS_PER_PACKET = 2;
/**
 * Inputs repeated in every input packet, newest first: the INPUT_TICKS_PER_PACKET
 * new ones and those of the packets before, so two lost packets in a row
 * (67 ms at 60 Hz) cost no input.
 */
export const INPUT_REDUNDANCY = 3 * INPUT_TICKS_PER_PACKET;
export const INPUT_HEADER_BYTES = 10; // type u8, seq u32, ackTick u32, count u8
export const INPUT_BYTES = 2; // moveX i8, moveY i8
export const SNAPSHOT_HEADER_BYTES = 19; // type u8, seq u32, tick u32, serverTimeMs u32, ackInputSeq u32, count u16
export const SNAPSHOT_ENTITY_BYTES = 7; // id u16, kind u8, x u16, y u16
/** Delta snapshot field widths, in bits: entity kind, and a full coordinate of a new entity. */
export const DELTA_KIND_BITS = 2;
export const DELTA_COORDINATE_BITS = 16;
export const DELTA_HEADER_BYTES = 18; // type u8, seq u32, tick u32, baselineAge u8, serverTimeMs u32, ackInputSeq u32
/**
 * A delta may refer to a baseline at most this many *ticks* old (1 s at the
 * default 60 Hz; it travels as a u8). Older acknowledgements get a full
 * snapshot instead.
 */
export const MAX_BASELINE_AGE_TICKS = 60;
/** A delta's per-component width B travels as B - 1 in this many bits. */
export const DELTA_WIDTH_FIELD_BITS = 5;
/** Widest delta: a move across the whole u16 coordinate range (±65535 steps) in two's complement. */
export const DELTA_MAX_BITS = 17;
/**
 * Snapshot states each end keeps as possible baselines: a client about 2 s
 * of what it received at 30 Hz; the server, which sends some players a
 * snapshot on every tick, about 1 s at 60 Hz (past MAX_BASELINE_AGE_TICKS anyway).
 */
export const BASELINE_HISTORY = 64;
export const PING_BYTES = 9; // type u8, id u32, clientTimeMs u32
export const PONG_BYTES = 13; // … and serverTimeMs u32 // type u8, id u32, clientTimeMs u32
/** Largest datagram we accept from a client; anything bigger is dropped before decoding. */
export const MAX_CLIENT_DATAGRAM_BYTES = INPUT_HEADER_BYTES + INPUT_BYTES * INPUT_REDUNDANCY;
/**
 * Bytes a data channel may hold unsent before the server drops a snapshot for
 * it instead (a few snapshots' worth): a queued snapshot would only arrive
 * late, and the next one supersedes it. geckos' own default drops at > 0.
 */
export const MAX_DATAGRAM_BUFFERED_BYTES = 4096;
/** geckos' signaling bodies are small SDP JSON; its own reader has no cap, ours does. */
export const MAX_SIGNALING_BODY_BYTES = 16 * 1024;
/**
 * Signaling requests (under /.wrtc/v2) handled at once; each may hold a native
 * peer connection, so a flood is answered 503 instead of queued.
 */
export const MAX_SIGNALING_REQUESTS_IN_FLIGHT = 32;
/** Retry-After on that 503, in seconds (the header's unit). */
export const SIGNALING_RETRY_AFTER_S = 1;

// ── Signaling per address, and connection ids (item 7) ─────────────────────
// One address must not be able to hold the signaling slots everyone shares,
// and a geckos connection id must not be guessable or learnable.
/**
 * Signaling requests one remote address may have in flight at once; past
 * this the request is answered 429, so one address never holds more than a
 * quarter of MAX_SIGNALING_REQUESTS_IN_FLIGHT. A browser's handshake has at
 * most two (its offer or its answer, beside a candidate poll), but players
 * behind one address join in bursts: 40 bots from one address, paced to the
 * join limit, were refused 7 times at a cap of 4 and never at 8.
 */
export const MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS = 8;
/**
 * A signaling request's body must be complete this soon after its headers,
 * or it is answered 408 and its socket closed. Ours, per request: Node's
 * HTTP_REQUEST_TIMEOUT_MS (15 s) let 32 one-byte bodies hold every slot.
 */
export const SIGNALING_BODY_DEADLINE_MS = 2_000;
/** Random bytes (node:crypto) in the connection id a client sees: 32 base64url characters, in place of geckos' Math.random id. */
export const CONNECTION_ALIAS_BYTES = 24;
/** A signaling request refused because its address already had MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS in flight (429). */
export const DROP_SIGNALING_PER_ADDRESS = 'signaling-per-address';
/** A signaling body not complete within SIGNALING_BODY_DEADLINE_MS (408). */
export const DROP_SIGNALING_BODY_TIMEOUT = 'signaling-body-timeout';

// ── HTTP front (game-server/http/request-handler.ts) ──────────────────────────
// Node's defaults (60 s for headers, 300 s for a whole request, checked every
// 30 s) let a socket that sends nothing, half a header or half a body sit for
// minutes. Our requests are small: a GET, or a signaling POST of ≤ 16 KiB.
/** A client must finish sending its request headers this soon after connecting. */
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;
/** …and the whole request, body included (not the response, which may be a large file). */
export const HTTP_REQUEST_TIMEOUT_MS = 15_000;
/** An idle keep-alive socket is closed this long after its last response. */
export const HTTP_KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often Node looks for requests past the two timeouts above (its default is 30 s). */
export const HTTP_TIMEOUT_CHECK_INTERVAL_MS = 1_000;

// ── Stream (WebSocket) ───────────────────────────────────────────────────────
export const STREAM_PATH = '/ws';
/** ws maxPayload: our largest legal client message is a hello or a chat line, well under this. */
export const MAX_STREAM_MESSAGE_BYTES = 2048;
export const MAX_NAME_CHARS = 16;
export const MAX_CHAT_CHARS = 200;
export const CHAT_HISTORY_LINES = 20;
/** Chat token bucket: a burst of 5 lines, then one line per second. */
export const CHAT_BURST = 5;
export const CHAT_REFILL_PER_S = 1;
/**
 * Chat lines per second from one remote address, all its players together:
 * a loop of joins cannot multiply the per-player limit (bots from one
 * machine chatting now and then stay well under it).
 */
export const ADDRESS_CHAT_BURST = 20;
export const ADDRESS_CHAT_REFILL_PER_S = 5;
/** Joins (hellos, resumes included) per second from one remote address, after a burst. `npm run bots` paces its connects to this. */
export const JOIN_BURST = 20;
export const JOIN_REFILL_PER_S = 5;
/** Remote addresses whose limits are remembered; past this the longest-unseen is forgotten. */
export const MAX_TRACKED_ADDRESSES = 4096;
/** All stream messages from one client: a burst of 40, then 20/s (pings and chat fit easily). */
export const STREAM_MESSAGE_BURST = 40;
export const STREAM_MESSAGE_REFILL_PER_S = 20;
/**
 * Input packets may also travel as binary stream frames, when WebRTC cannot
 * connect (fallback). They have their own bucket: twice the tick rate, so
 * clumps after a stall pass, and a burst of half a second.
 */
export const STREAM_INPUT_BURST = 30;
export const STREAM_INPUT_REFILL_FACTOR = 2;
/** A client that keeps flooding after this many refused messages is disconnected. */
export const MAX_RATE_LIMIT_STRIKES = 50;
/** Reliable events kept for replay after a reconnect. */
export const EVENT_LOG_CAPACITY = 512;
/** Bytes the server lets queue on one socket before it stops sending snapshots to it (events still go). */
export const MAX_STREAM_BUFFERED_BYTES = 256 * 1024;
/** …and before it gives up on a client that does not read at all. */
export const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;

// ws close codes (4000–4999 are for applications, RFC 6455 §7.4.2).
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_HEARTBEAT_TIMEOUT = 4000;
/** Time given to a close frame to reach the kernel before a dead peer's socket is cut. */
export const CLOSE_FRAME_FLUSH_MS = 100;
export const CLOSE_SESSION_REPLACED = 4001;
export const CLOSE_RATE_LIMITED = 4002;
/** The room is full, the process hosts all the rooms it may, or (rarely) no player id is free. */
export const CLOSE_SERVER_FULL = 4003;
export const CLOSE_HELLO_TIMEOUT = 4004;
/** Used by a client that drops its own stream on purpose (tests, demos); it reconnects. */
export const CLOSE_SIMULATED_DROP = 4999;
export const CLOSE_TOO_SLOW = 4005;
/** The player's simulated network held more events than MAX_DELAYED_MESSAGES / _BYTES: reconnect and resume to catch up. */
export const CLOSE_BACKLOG_FULL = 4006;

// Error codes sent in stream `error` messages.
export const ERROR_BAD_JSON = 'bad-json';
export const ERROR_INVALID_MESSAGE = 'invalid-message';
export const ERROR_BINARY_NOT_ACCEPTED = 'binary-not-accepted';
export const ERROR_NOT_JOINED = 'not-joined';
export const ERROR_ALREADY_JOINED = 'already-joined';
export const ERROR_RATE_LIMITED = 'rate-limited';
export const ERROR_CHAT_RATE_LIMITED = 'chat-rate-limited';
export const ERROR_SERVER_FULL = 'server-full';
export const ERROR_JOIN_RATE_LIMITED = 'join-rate-limited';
export const ERROR_BACKLOG_FULL = 'backlog-full';
/** The named room has no free seat (the join screen offers another). */
export const ERROR_ROOM_FULL = 'room-full';
/** The room named is hosted nowhere any more (its server disposed or lost it a moment ago): ask again. */
export const ERROR_ROOM_GONE = 'room-gone';
/** The remote address already has DEFAULT_MAX_SEATS_PER_ADDRESS (or --max-seats-per-address) players in arenas. */
export const ERROR_ADDRESS_SEATS = 'address-seats-full';
/** The remote address opened as many rooms as it may (--max-rooms-per-address) and they still exist. */
export const ERROR_ADDRESS_ROOMS = 'address-rooms-full';
/** The remote address holds MAX_RESERVATIONS_PER_ADDRESS seats reserved on other processes (or its share of one room's). */
export const ERROR_ADDRESS_RESERVATIONS = 'address-reservations-full';
/** Redirects a client follows in a row without a welcome; past it, it stops (servers sending it round in a loop). */
export const MAX_REDIRECTS_WITHOUT_WELCOME = 3;
/** Said by the client to itself: a server sent it somewhere it will not go (not a bare http(s) origin, or https down to http). */
export const ERROR_BAD_REDIRECT = 'bad-redirect';
/** The room is on no process this one can find right now (the room directory is not answering): try quick play, or again shortly. */
export const ERROR_DIRECTORY_UNAVAILABLE = 'directory-unavailable';

// Reasons a datagram is dropped (metric labels, also in decoder errors).
export const DROP_TOO_SHORT = 'too-short';
export const DROP_TOO_LONG = 'too-long';
export const DROP_UNKNOWN_TYPE = 'unknown-type';
export const DROP_BAD_COUNT = 'bad-count';
export const DROP_BAD_VALUE = 'bad-value';
export const DROP_NOT_BINARY = 'not-binary';
export const DROP_UNBOUND = 'unbound-channel';
export const DROP_QUEUE_FULL = 'input-queue-full';
export const DROP_BUFFERING = 'send-buffer-full';
export const DROP_CHANNEL_CLOSED = 'channel-closed';
export const DROP_OVERSIZE = 'over-max-message-size';
export const DROP_SIGNALING_ERROR = 'signaling-error';
/** A data channel refused at signaling: no token, a token never issued (or already used), or one past its time. */
export const DROP_AUTH_MISSING = 'auth-missing';
export const DROP_AUTH_UNKNOWN = 'auth-unknown';
export const DROP_AUTH_EXPIRED = 'auth-expired';
/** A signaling request refused because MAX_SIGNALING_REQUESTS_IN_FLIGHT were already being handled. */
export const DROP_SIGNALING_BUSY = 'signaling-busy';
export const DROP_SLOW_CONSUMER = 'slow-consumer';
export const DROP_TOO_MANY_SOCKETS = 'too-many-sockets-without-hello';
/** A WebSocket upgrade from a page whose origin is not allowed (origin-policy.ts): 403 before the handshake. */
export const DROP_ORIGIN_NOT_ALLOWED = 'origin-not-allowed';
/** A WebRTC handshake started but never finished; its native connection is closed. */
export const DROP_ABANDONED_HANDSHAKE = 'abandoned-handshake';
/** A delta snapshot against a baseline the client no longer (or never) had. */
export const DROP_MISSING_BASELINE = 'missing-baseline';
/** Dropped on purpose by the player's simulated network (not a real loss). */
export const DROP_SIMULATED_LOSS = 'simulated-loss';
export const DROP_SIMULATED_BACKLOG = 'simulated-backlog';

// ── Sessions and liveness ────────────────────────────────────────────────────
export const SESSION_TOKEN_BYTES = 24;
export const DATAGRAM_TOKEN_BYTES = 24;
/** A datagram token must be used this soon after it was issued, and only once. */
export const DATAGRAM_TOKEN_TTL_MS = 15_000;
/** A session can be resumed (same player, same score) for this long after its stream closed. */
export const SESSION_RESUME_WINDOW_MS = 120_000;
/** A player whose stream closed stays in the arena this long, so a quick reconnect is seamless. */
export const LINKDEAD_GRACE_MS = 2_000;
/** Sessions kept at once (players in the arena plus recently gone, resumable ones). */
export const MAX_SESSIONS = 1024;
/** How often the server looks for players to remove and sessions to expire. */
export const SWEEP_INTERVAL_MS = 250;
export const HEARTBEAT_INTERVAL_MS = 1_000;
/** How often the server pings each stream at the WebSocket level and checks the answers. */
export const STREAM_LIVENESS_CHECK_MS = 500;
/**
 * A stream whose WebSocket has not answered a ping for this long is dead.
 * With the check interval, LINKDEAD_GRACE_MS and the sweep, a vanished client
 * is out of the arena within 2.5 + 0.5 + 2 + 0.25 ≈ 5.3 s, whatever preset
 * it chose (protocol pongs never pass through the simulated network).
 */
export const STREAM_PONG_TIMEOUT_MS = 2_500;
/** No message on a channel for this long means the peer is gone. */
export const HEARTBEAT_TIMEOUT_MS = 3_500;
/** A socket must say hello this soon after opening. */
export const HELLO_TIMEOUT_MS = 5_000;
/**
 * Open sockets from one address that have not said hello yet. Past this an
 * upgrade is refused with 429 before the WebSocket handshake: a loop of
 * connects that never say hello cannot hold the server's descriptors for
 * HELLO_TIMEOUT_MS each. A browser holds one; `npm run bots` paces its
 * connects to the join limit, well under this.
 */
export const MAX_SOCKETS_WITHOUT_HELLO_PER_ADDRESS = 32;
export const RECONNECT_MIN_DELAY_MS = 250;
export const RECONNECT_MAX_DELAY_MS = 4_000;
/** After WebRTC fails, the client retries with a fresh token, backing off to the max. */
export const DATAGRAM_RETRY_MIN_MS = 2_000;
export const DATAGRAM_RETRY_MAX_MS = 30_000;
/** A data channel that delivers nothing this long after signaling is given up (UDP blocked). */
export const DATAGRAM_OPEN_TIMEOUT_MS = 5_000;
/** How long the connection timeline watches one data channel's signaling requests (geckos polls for late candidates for about 10 s). */
export const SIGNALING_WATCH_MS = 15_000;

// ── Lag hiding (client) ──────────────────────────────────────────────────────
/** Default interpolation delay: three snapshot intervals at 30 Hz, so one or two lost snapshots never starve it. */
export const DEFAULT_INTERP_DELAY_MS = 100;
export const MAX_INTERP_DELAY_MS = 500;
/** Snapshots kept for interpolation: about two seconds at 30 Hz, far more than any sane delay needs. */
export const INTERPOLATION_BUFFER_SNAPSHOTS = 64;
/** Inputs kept for replay: five seconds at 60 Hz, enough for any sane round trip. */
export const MAX_PENDING_INPUTS = 300;
/** Corrections larger than this are applied at once: blending a teleport looks worse. */
export const SNAP_DISTANCE_PX = 80;
/** How fast a visual correction fades: the remaining error halves every this many ms. */
export const CORRECTION_HALF_LIFE_MS = 60;

// ── Measurement ──────────────────────────────────────────────────────────────
/** Packets remembered for loss / reorder accounting. */
export const STATS_SEQUENCE_WINDOW = 1024;
/**
 * Samples kept for age and RTT percentiles: 2 min 16 s of 30 Hz updates, so a
 * 2-minute measurement (bench:fidelity's long windows) keeps every one.
 */
export const STATS_SAMPLE_WINDOW = 4096;
/** Updates shown in the net graph's scrolling history (3 s at 30 Hz). */
export const NET_GRAPH_UPDATES = 90;
/** Round trips kept for clock sync; the fastest of them sets the offset. */
export const CLOCK_SYNC_SAMPLES = 16;
/** Quick pings right after welcome, so the clock estimate starts good. */
export const CLOCK_SYNC_WARMUP_PINGS = 5;
export const CLOCK_SYNC_WARMUP_INTERVAL_MS = 100;
/** Pings remembered while awaiting their pong (older ones are forgotten). */
export const MAX_PINGS_IN_FLIGHT = 16;
/**
 * The window of every figure the net graph shows (loss, out of order, late,
 * ages, RTT, kbit/s): the last 5 s, or less when the settings changed more
 * recently, so the numbers on screen describe the settings on screen.
 */
export const STATS_RECENT_WINDOW_MS = 5_000;
/** Rates over less than this (right after a reset) would swing wildly; they are spread over at least this long. */
export const STATS_MIN_RATE_SPAN_MS = 1_000;
/** Events the recent window keeps at most, whatever arrives (30 Hz snapshots fill ~150). */
export const STATS_RECENT_MAX_EVENTS = 2_048;
/** An update older than this when applied counts as "late" (two snapshot intervals at defaults). */
export const LATE_UPDATE_MS = 100;
/** Weight of each frame in the moving average of the scene's update cost (status().updateMs): about the last 20 frames. */
export const UPDATE_COST_SMOOTHING = 0.05;

// ── Simulated network (protocol/netsim/conditioner.ts) ──────────────────────────────
/** The largest settings a player may choose; anything beyond is clamped. */
export const CONDITION_LIMITS = { lossPct: 90, latencyMs: 1000, jitterMs: 500, duplicatePct: 50 } as const;
/** TCP's retransmission timeout floor (Linux's TCP_RTO_MIN). */
export const MIN_RTO_MS = 200;
/** A Linux receiver's delayed-ACK timer to begin with (TCP_ATO_MIN): the stream model's ACK delay (stream-model.ts, rule 6). */
export const DELAYED_ACK_MIN_MS = 40;
/** Added to the tail-loss probe's 2 × SRTT when several segments are in flight (Linux: TCP_TIMEOUT_MIN, 2 jiffies). */
export const MIN_TLP_PTO_MS = 2;
/** Weight of each new gap between stream writes in the stream model's running average (like TCP's 1/8 for SRTT). */
export const SEND_GAP_SMOOTHING = 1 / 8;
/** Lost SACKs the stream model lets postpone one fast repair (each costs a send interval); also the most lost repairs RACK may find in a row. */
export const MAX_RETRANSMISSIONS = 6;
/**
 * Doublings of the retransmission timeout the stream model allows per loss
 * (data and ACK losses together): four timeouts, 200 + 400 + 800 + 1600 ms.
 * Linux goes on doubling (15 times, tcp_retries2, each wait up to 120 s),
 * and captures of the game's own connection at 20 % show such chains (three
 * of five timeouts in 137 connection-seconds, `npm run bench:fidelity --
 * --save-capture`). But a real stall past HEARTBEAT_TIMEOUT_MS ends in the
 * page's reconnect, never in an older update, so the model stops at the last
 * doubling whose chain fits inside it (a unit test holds the two together).
 */
export const MAX_RTO_BACKOFFS = 3;
/**
 * A lost repair found again by RACK (RFC 8985 §6.2: a segment sent after the
 * retransmission is SACKed) instead of by a timeout. Measured on the game's
 * connection (page and observers, tcpdump, `read-capture.ts`): 196 of 912
 * lost fast repairs at 5, 10 and 20 % were resent again within a send
 * interval or two (61 of 231 in a first set of captures; 135 of 681 in a
 * second, with ten observers: 12 % at 5 and 10 %, 25 % at 20 %), the rest
 * after an RTO (new data is not always let out after a repair, so the SACK
 * that would find it is not always there).
 */
export const RACK_LOST_RETRANSMISSION_SHARE = 0.21;
/**
 * A lost ACK of a repair that costs a timeout. After a repair the sender
 * sends nothing new until the repair is acknowledged (captures: no new data
 * left between a repair and the timeout that followed it in 78 of 80 such
 * timeouts after a lost ACK and 163 of 170 after a lost repair), so one lost
 * ACK stalls everything written meanwhile for an RTO, unless a later ACK
 * (of the client's own messages) gets through first. Measured on the
 * game's connections (page and observers, `read-capture.ts`), as a share of
 * p × (1 − p) per fast repair: 80 such timeouts after 1,350 fast repairs at
 * 5, 10 and 20 % (0.43) in a first set of captures; 308 after 5,987 in a
 * second (0.49: 0.54, 0.53–0.59 and 0.39 at 5, 10 and 20 %); 0.48 pooled.
 * The ws-pair captures in docs/network-lab.md read 0.55–0.69. (After a
 * timeout's resend a lost ACK is not made up for this way: rule 4.)
 */
export const ACK_LOSS_STALL_SHARE = 0.48;
/** Messages one link may hold in simulated flight; beyond this they are dropped (a flood cannot grow memory). */
export const MAX_DELAYED_MESSAGES = 2048;
/** Bytes one link may hold in simulated flight (10 such players: a few MB at most). */
export const MAX_DELAYED_BYTES = 256 * 1024;
/** A duplicated datagram arrives at least this long after its twin. */
export const DUPLICATE_EXTRA_DELAY_MS = 1;
/**
 * Multiplied by these primes, the server's --seed seeds the simulated networks
 * of its datagram and stream gateways (each link adds its own count): for any
 * seed but 0 the two channels draw different random numbers, and the same
 * seed repeats a run.
 */
export const DATAGRAM_NETWORK_SEED_FACTOR = 7919;
export const STREAM_NETWORK_SEED_FACTOR = 104729;
/** One-click network presets for the panel: loss %, one-way latency and jitter in ms, duplicates %. */
export const NETWORK_PRESETS = {
  off: { lossPct: 0, latencyMs: 0, jitterMs: 0, duplicatePct: 0 },
  LAN: { lossPct: 0, latencyMs: 1, jitterMs: 0, duplicatePct: 0 },
  'Wi-Fi': { lossPct: 1, latencyMs: 10, jitterMs: 5, duplicatePct: 0 },
  '4G': { lossPct: 2, latencyMs: 40, jitterMs: 15, duplicatePct: 0 },
  'bad mobile': { lossPct: 10, latencyMs: 120, jitterMs: 50, duplicatePct: 1 },
} as const;
