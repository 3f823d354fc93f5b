// geckos' client keeps fetching extra ICE candidates on a timer for about 10 s
// after connecting, and adds each one without awaiting the promise. Once the
// connection is closed, those calls reject ("destroyed peer connection",
// InvalidStateError) with nobody to catch it: an unhandled rejection, which
// ends a Node process and logs an error in a browser. A candidate for a closed
// connection is harmless, so this drops exactly those rejections.

const CONNECTION_GONE = new Set(['InvalidStateError', 'NotFoundError']);
let installed = false;

/** Patches RTCPeerConnection.addIceCandidate once, to ignore candidates that arrive after close. */
export function guardLateIceCandidates(): void {
  if (installed || typeof RTCPeerConnection === 'undefined') return;
  installed = true;
  type AddIceCandidate = (this: RTCPeerConnection, candidate?: RTCIceCandidateInit | null) => Promise<void>;
  const prototype = RTCPeerConnection.prototype as unknown as { addIceCandidate: AddIceCandidate };
  const addIceCandidate = prototype.addIceCandidate;
  prototype.addIceCandidate = function (candidate) {
    return addIceCandidate.call(this, candidate).catch((error: unknown) => {
      const gone = this.signalingState === 'closed' || this.connectionState === 'closed';
      if (gone || CONNECTION_GONE.has((error as Error | undefined)?.name ?? '')) return;
      throw error;
    });
  };
}
