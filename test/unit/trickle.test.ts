/**
 * Trickle ICE helpers (gadgets/channel/trickle.ts) on two real RTCPeerConnections in this page:
 * the descriptions leave before any candidate, candidates that arrive before the remote
 * description are held, and the data channel opens with only what was trickled.
 */
import { expect } from '@open-wc/testing';
import { CandidateInbox, CandidateOutbox, type CandidateJSON } from '../../gadgets/channel/trickle.js';
import { channelOpen, createPeerConnection, createProtocolChannel } from '../../gadgets/channel/peer-connection.js';

const candidateLines = (sdp: string): number => (sdp.match(/^a=candidate:/gm) ?? []).length;

describe('trickle ICE', () => {
  const pcs: RTCPeerConnection[] = [];
  afterEach(() => {
    for (const pc of pcs.splice(0)) pc.close();
  });

  it('opens the data channel from descriptions sent at once and candidates sent after them', async () => {
    const slave = createPeerConnection();
    const master = createPeerConnection();
    pcs.push(slave, master);
    const slaveChannel = createProtocolChannel(slave);
    const masterChannel = createProtocolChannel(master);
    const toMaster = new CandidateInbox(master);
    const toSlave = new CandidateInbox(slave);
    // What each side sends, in order, as a signaling transport would carry it.
    const wire: string[] = [];
    const slaveOut = new CandidateOutbox(slave, (c) => {
      wire.push('slave candidate');
      toMaster.add(c);
    });
    const masterOut = new CandidateOutbox(master, (c) => {
      wire.push('master candidate');
      toSlave.add(c);
    });

    await slave.setLocalDescription(await slave.createOffer());
    const offer = slave.localDescription!.sdp;
    expect(candidateLines(offer), 'the offer leaves before gathering').to.equal(0);
    wire.push('offer');
    slaveOut.open();
    // The master's side: candidates may come in before its remote description is set (held).
    await new Promise((r) => setTimeout(r, 50));
    await master.setRemoteDescription({ type: 'offer', sdp: offer });
    toMaster.ready();
    await master.setLocalDescription(await master.createAnswer());
    wire.push('answer');
    masterOut.open();
    await slave.setRemoteDescription({ type: 'answer', sdp: master.localDescription!.sdp });
    toSlave.ready();

    await Promise.all([channelOpen(slaveChannel, 10000), channelOpen(masterChannel, 10000)]);
    // The channel may open on the slave's candidates alone: wait for the master's to be out too.
    for (let i = 0; i < 100 && master.iceGatheringState !== 'complete'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(wire.indexOf('offer')).to.equal(0);
    expect(wire.indexOf('slave candidate'), 'slave candidates follow the offer').to.be.greaterThan(0);
    expect(wire.indexOf('master candidate'), 'master candidates follow the answer').to.be.greaterThan(wire.indexOf('answer'));

    const got = new Promise<string>((resolve) => masterChannel.addEventListener('message', (e) => resolve(String((e as MessageEvent).data)), { once: true }));
    slaveChannel.send('hello');
    expect(await got).to.equal('hello');
    slaveOut.stop();
    masterOut.stop();
  });

  it('ignores end-of-candidates marks, malformed candidates and a closed connection', async () => {
    const pc = createPeerConnection();
    pcs.push(pc);
    // What reaches the connection, and how each addIceCandidate ended.
    const added: (string | null | undefined)[] = [];
    const outcomes: Promise<string>[] = [];
    const addIceCandidate = pc.addIceCandidate.bind(pc);
    pc.addIceCandidate = ((candidate: RTCIceCandidateInit) => {
      added.push(candidate.candidate);
      const result = addIceCandidate(candidate);
      outcomes.push(result.then(() => 'added', () => 'rejected'));
      return result;
    }) as typeof pc.addIceCandidate;
    const unhandled: unknown[] = [];
    const onUnhandled = (e: PromiseRejectionEvent): void => {
      unhandled.push(e.reason);
    };
    window.addEventListener('unhandledrejection', onUnhandled);
    try {
      const inbox = new CandidateInbox(pc);
      inbox.add(null);
      inbox.add({ candidate: '' });
      inbox.add({ candidate: 'candidate:not a candidate', sdpMid: '0', sdpMLineIndex: 0 } as CandidateJSON);
      expect(added, 'held until ready()').to.deep.equal([]);
      inbox.ready(); // no remote description: addIceCandidate rejects, which must not surface
      expect(added, 'the end-of-candidates marks never reach the connection').to.deep.equal(['candidate:not a candidate']);
      expect(await Promise.all(outcomes), 'the connection refused it').to.deep.equal(['rejected']);
      pc.close();
      inbox.add({ candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 });
      expect(added.length, 'nothing is handed to a closed connection').to.equal(1);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled, 'no rejection surfaces').to.deep.equal([]);
    } finally {
      window.removeEventListener('unhandledrejection', onUnhandled);
    }
  });

  it('stops sending once stopped, and sends nothing before open()', async () => {
    const pc = createPeerConnection();
    pcs.push(pc);
    createProtocolChannel(pc);
    const sent: CandidateJSON[] = [];
    const out = new CandidateOutbox(pc, (c) => sent.push(c));
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    });
    expect(sent, 'held until open()').to.deep.equal([]);
    out.open();
    expect(sent.length, 'every host candidate, at open()').to.be.greaterThan(0);
    expect(sent.every((c) => typeof c.candidate === 'string' && c.candidate.startsWith('candidate:'))).to.equal(true);
    const count = sent.length;
    out.stop();
    pc.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate: new RTCIceCandidate({ candidate: sent[0]!.candidate!, sdpMid: '0', sdpMLineIndex: 0 }) }));
    expect(sent.length).to.equal(count);
  });
});
