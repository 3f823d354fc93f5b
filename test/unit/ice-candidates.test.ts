// PUBLIC_IP rewriting: host candidates advertise the public address, every
// other candidate type is left as the ICE agent wrote it.
import { describe, expect, it } from 'vitest';
import { rewriteHostCandidates } from '../../game-server/transport/ice-candidates.ts';

const PUBLIC_IP = '198.51.100.7';

const HOST = 'candidate:1 1 UDP 2122317823 10.0.0.5 50000 typ host';
const HOST_TCP = 'candidate:3 1 TCP 2105458943 10.0.0.5 9 typ host tcptype active';
const HOST_V6 = 'candidate:4 1 udp 2122252543 fd00::5 50002 typ host';
const SRFLX = 'candidate:2 1 UDP 1686052607 203.0.113.9 50001 typ srflx raddr 10.0.0.5 rport 50001';
const RELAY = 'candidate:5 1 UDP 41885439 192.0.2.1 3478 typ relay raddr 203.0.113.9 rport 50001';

const sdp = [
  'v=0',
  'o=- 0 0 IN IP4 127.0.0.1',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  `a=${HOST}`,
  `a=${SRFLX}`,
  `a=${HOST_TCP}`,
  `a=${RELAY}`,
  `a=${HOST_V6}`,
  '',
].join('\r\n');

describe('rewriteHostCandidates', () => {
  it('replaces the address of a host candidate, keeping its port', () => {
    expect(rewriteHostCandidates(HOST, PUBLIC_IP)).toBe(`candidate:1 1 UDP 2122317823 ${PUBLIC_IP} 50000 typ host`);
  });

  it('leaves server-reflexive and relay candidates alone, including their raddr', () => {
    expect(rewriteHostCandidates(SRFLX, PUBLIC_IP)).toBe(SRFLX);
    expect(rewriteHostCandidates(RELAY, PUBLIC_IP)).toBe(RELAY);
  });

  it('rewrites every host candidate in SDP text, and nothing else', () => {
    const rewritten = rewriteHostCandidates(sdp, PUBLIC_IP);
    expect(rewritten.split('\r\n')).toEqual([
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      `a=candidate:1 1 UDP 2122317823 ${PUBLIC_IP} 50000 typ host`,
      `a=${SRFLX}`,
      `a=candidate:3 1 TCP 2105458943 ${PUBLIC_IP} 9 typ host tcptype active`,
      `a=${RELAY}`,
      `a=candidate:4 1 udp 2122252543 ${PUBLIC_IP} 50002 typ host`,
      '',
    ]);
  });

  it('rewrites host candidates inside JSON-escaped SDP (a signaling answer body)', () => {
    const body = JSON.stringify({ type: 'answer', sdp });
    const rewritten = rewriteHostCandidates(body, PUBLIC_IP);
    expect(JSON.parse(rewritten)).toEqual({ type: 'answer', sdp: rewriteHostCandidates(sdp, PUBLIC_IP) });
    expect(rewritten).not.toContain('10.0.0.5 50000');
    expect(rewritten).toContain('raddr 10.0.0.5 rport 50001');
  });

  it('rewrites a trickled candidate string in JSON', () => {
    const body = JSON.stringify([
      { candidate: `a=${HOST}`, mid: '0' },
      { candidate: `a=${SRFLX}`, mid: '0' },
    ]);
    expect(JSON.parse(rewriteHostCandidates(body, PUBLIC_IP))).toEqual([
      { candidate: `a=candidate:1 1 UDP 2122317823 ${PUBLIC_IP} 50000 typ host`, mid: '0' },
      { candidate: `a=${SRFLX}`, mid: '0' },
    ]);
  });

  it('leaves text with no candidates unchanged', () => {
    const text = '{"type":"answer","sdp":"v=0\\r\\n"} typ host 10.0.0.5';
    expect(rewriteHostCandidates(text, PUBLIC_IP)).toBe(text);
  });

  it('gives the same answer when called twice (the pattern keeps no state between calls)', () => {
    expect(rewriteHostCandidates(sdp, PUBLIC_IP)).toBe(rewriteHostCandidates(sdp, PUBLIC_IP));
    expect(rewriteHostCandidates(HOST, PUBLIC_IP)).toContain(PUBLIC_IP);
  });
});
