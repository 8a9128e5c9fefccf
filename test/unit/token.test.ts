import { expect } from '@open-wc/testing';
import { MAX_TOKEN_CANDIDATES, decodeToken, encodeToken, groupToken } from '../../gadgets/signaling/token.js';
import { certificateFingerprint, sdpFingerprint } from '../../gadgets/signaling/sdp.js';
import { createPeerConnection, createProtocolChannel, gatheringDone, channelOpen } from '../../gadgets/channel/peer-connection.js';
import { qrPath } from '../../gadgets/elements/qr-code.js';
import * as pkg from '../../gadgets/index.js';

/** A real offer, as the elements make it: no ICE servers, pre-negotiated channel, gathering done. */
async function realOffer() {
  const pc = createPeerConnection();
  const channel = createProtocolChannel(pc);
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringDone(pc);
  return { pc, channel, sdp: pc.localDescription!.sdp };
}

/** An offer/answer pair carried by tokens only; resolves with both sides' channels. */
async function pairThroughTokens() {
  const a = await realOffer();
  const offerToken = encodeToken('offer', a.sdp);
  const b = createPeerConnection();
  const bChannel = createProtocolChannel(b);
  await b.setRemoteDescription({ type: 'offer', sdp: decodeToken(offerToken, 'offer').sdp });
  await b.setLocalDescription(await b.createAnswer());
  await gatheringDone(b);
  const answerToken = encodeToken('answer', b.localDescription!.sdp);
  await a.pc.setRemoteDescription({ type: 'answer', sdp: decodeToken(answerToken, 'answer').sdp });
  await Promise.all([channelOpen(a.channel, 10000), channelOpen(bChannel, 10000)]);
  return { a: a.pc, b, aChannel: a.channel, bChannel, offerToken, answerToken, offerSdp: a.sdp, answerSdp: b.localDescription!.sdp };
}

const lines = (sdp: string, prefix: string) => sdp.split('\r\n').filter((l) => l.startsWith(prefix));
const candidateAddresses = (sdp: string) =>
  lines(sdp, 'a=candidate:').filter((l) => / udp /i.test(l)).map((l) => l.split(' ').slice(4, 6).join(' '));

/** A Chromium-like offer with the given candidate lines. */
function syntheticOffer(candidates: string[], extra: string[] = []): string {
  return [
    'v=0', 'o=- 412808559789200964 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0', 'a=extmap-allow-mixed',
    'a=msid-semantic: WMS', 'm=application 58394 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 192.0.2.2',
    ...candidates,
    'a=ice-ufrag:qX6a', 'a=ice-pwd:l+Ww/1E6EeRPOgoFnl8DJBQq', 'a=ice-options:trickle',
    'a=fingerprint:sha-256 01:79:4C:9F:9B:40:E7:F5:2B:A1:86:C5:9C:4E:F9:D7:95:3A:81:F8:12:19:F7:F4:9D:3D:08:BD:A6:0C:F7:36',
    'a=setup:actpass', 'a=mid:0', 'a=sctp-port:5000', 'a=max-message-size:262144', ...extra, '',
  ].join('\r\n');
}

describe('pairing tokens (signaling/token.ts)', () => {
  it('is part of the package entry point', () => {
    expect(pkg.encodeToken).to.equal(encodeToken);
    expect(pkg.decodeToken).to.equal(decodeToken);
    expect(pkg.groupToken).to.equal(groupToken);
  });

  it('reduces a real offer to a short upper-case token and rebuilds an SDP with the same essentials', async () => {
    const { pc, sdp } = await realOffer();
    const token = encodeToken('offer', sdp);
    expect(token).to.match(/^[0-9A-Z]+$/);
    // One host candidate per interface: well under one line of a QR code of version 10.
    const udp = candidateAddresses(sdp).length;
    expect(token.length).to.be.at.most(80 + 32 * Math.max(1, udp));
    expect(token.length).to.be.below(sdp.length / 4);
    const info = decodeToken(token, 'offer');
    expect(info.kind).to.equal('offer');
    expect(info.full).to.equal(false);
    expect(info.fingerprint).to.equal(sdpFingerprint(sdp));
    for (const name of ['ice-ufrag', 'ice-pwd', 'setup', 'mid', 'sctp-port', 'max-message-size']) {
      expect(lines(info.sdp, `a=${name}:`), name).to.deep.equal(lines(sdp, `a=${name}:`));
    }
    expect(lines(info.sdp, 'm=')).to.deep.equal(['m=application 9 UDP/DTLS/SCTP webrtc-datachannel']);
    expect(candidateAddresses(info.sdp).sort()).to.deep.equal(candidateAddresses(sdp).sort());
    pc.close();
  });

  it('connects two real RTCPeerConnections with rebuilt SDPs only, and the channel carries data both ways', async () => {
    const { a, b, aChannel, bChannel, offerToken, answerToken, answerSdp } = await pairThroughTokens();
    expect(decodeToken(answerToken).kind).to.equal('answer');
    expect(lines(decodeToken(answerToken).sdp, 'a=setup:')).to.deep.equal(lines(answerSdp, 'a=setup:'));
    console.log(`offer token ${offerToken.length} characters, answer token ${answerToken.length}`);
    const got = new Promise<string>((resolve) => (bChannel.onmessage = (e) => resolve(e.data as string)));
    aChannel.send('hello over a token-made connection');
    expect(await got).to.equal('hello over a token-made connection');
    const back = new Promise<string>((resolve) => (aChannel.onmessage = (e) => resolve(e.data as string)));
    bChannel.send('and back');
    expect(await back).to.equal('and back');
    // The SCTP limits survive the trip (the framed channel sizes its frames from them).
    expect(a.sctp?.maxMessageSize).to.equal(262144);
    expect(b.sctp?.maxMessageSize).to.equal(262144);
    a.close();
    b.close();
  });

  it('the peer\'s certificate is the one whose fingerprint the token carried', async () => {
    const { a, b, answerToken, offerToken } = await pairThroughTokens();
    const fromA = (a.sctp!.transport as RTCDtlsTransport & { getRemoteCertificates(): ArrayBuffer[] }).getRemoteCertificates();
    const fromB = (b.sctp!.transport as RTCDtlsTransport & { getRemoteCertificates(): ArrayBuffer[] }).getRemoteCertificates();
    expect(certificateFingerprint(fromA[0]!)).to.equal(decodeToken(answerToken).fingerprint);
    expect(certificateFingerprint(fromB[0]!)).to.equal(decodeToken(offerToken).fingerprint);
    a.close();
    b.close();
  });

  it('keeps .local (mDNS) names, IPv6 and IPv4 host candidates, best first; drops TCP and non-host ones', () => {
    const sdp = syntheticOffer([
      'a=candidate:1 1 udp 2113937151 192.0.2.2 58394 typ host generation 0 network-cost 999',
      'a=candidate:2 1 udp 2113942271 fd00::2 44710 typ host generation 0 network-cost 999',
      'a=candidate:3 1 udp 2113939711 d8fa9830-811e-44c0-8a8f-19d43eead9a1.local 57076 typ host generation 0',
      'a=candidate:4 1 udp 2113937000 2001:db8:85a3::8a2e:370:7334 40000 typ host generation 0',
      'a=candidate:5 1 udp 2113936000 ::ffff:10.1.2.3 40001 typ host',
      'a=candidate:6 1 udp 2113935000 my-laptop.lan 40002 typ host',
      'a=candidate:7 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active generation 0',
      'a=candidate:8 1 udp 1686052607 203.0.113.9 61000 typ srflx raddr 192.0.2.2 rport 58394',
      'a=candidate:9 2 udp 2113937150 192.0.2.2 58395 typ host',
    ]);
    const info = decodeToken(encodeToken('offer', sdp), 'offer');
    expect(info.candidates).to.deep.equal([
      { address: 'fd00::2', port: 44710 },
      { address: 'd8fa9830-811e-44c0-8a8f-19d43eead9a1.local', port: 57076 },
      { address: '192.0.2.2', port: 58394 },
      { address: '2001:db8:85a3::8a2e:370:7334', port: 40000 },
      { address: '::ffff:a01:203', port: 40001 },
      { address: 'my-laptop.lan', port: 40002 },
    ]);
    // Priorities keep that order in the rebuilt SDP.
    const priorities = lines(info.sdp, 'a=candidate:').map((l) => Number(l.split(' ')[3]));
    expect([...priorities].sort((x, y) => y - x)).to.deep.equal(priorities);
    expect(lines(info.sdp, 'a=candidate:')[1]).to.contain('d8fa9830-811e-44c0-8a8f-19d43eead9a1.local 57076 typ host');
  });

  it('an mDNS-only Chromium offer (the LAN default) stays small', () => {
    const sdp = syntheticOffer([
      'a=candidate:1 1 udp 2113937151 d8fa9830-811e-44c0-8a8f-19d43eead9a1.local 57076 typ host generation 0',
    ]);
    const token = encodeToken('offer', sdp);
    expect(token.length).to.equal(127);
    expect(decodeToken(token).candidates).to.deep.equal([{ address: 'd8fa9830-811e-44c0-8a8f-19d43eead9a1.local', port: 57076 }]);
  });

  it('carries Firefox-style credentials, a session-level fingerprint, another mid and message size', () => {
    const sdp = [
      'v=0', 'o=mozilla...THIS_IS_SDPARTA-99.0 6114713470185291049 0 IN IP4 0.0.0.0', 's=-', 't=0 0',
      'a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99',
      'a=group:BUNDLE dc', 'a=ice-options:trickle', 'a=msid-semantic:WMS *',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0',
      'a=candidate:0 1 UDP 2122252543 10.0.0.5 51234 typ host',
      'a=sendrecv', 'a=end-of-candidates', 'a=ice-pwd:0123456789abcdef0123456789abcdef', 'a=ice-ufrag:89abcdef',
      'a=mid:dc', 'a=setup:active', 'a=sctp-port:5001', 'a=max-message-size:1073741823', '',
    ].join('\r\n');
    const token = encodeToken('answer', sdp);
    expect(token).to.match(/^[0-9A-Z]+$/);
    const rebuilt = decodeToken(token, 'answer').sdp;
    expect(lines(rebuilt, 'a=ice-ufrag:')).to.deep.equal(['a=ice-ufrag:89abcdef']);
    expect(lines(rebuilt, 'a=ice-pwd:')).to.deep.equal(['a=ice-pwd:0123456789abcdef0123456789abcdef']);
    expect(lines(rebuilt, 'a=mid:')).to.deep.equal(['a=mid:dc']);
    expect(lines(rebuilt, 'a=group:')).to.deep.equal(['a=group:BUNDLE dc']);
    expect(lines(rebuilt, 'a=setup:')).to.deep.equal(['a=setup:active']);
    expect(lines(rebuilt, 'a=sctp-port:')).to.deep.equal(['a=sctp-port:5001']);
    expect(lines(rebuilt, 'a=max-message-size:')).to.deep.equal(['a=max-message-size:1073741823']);
    expect(sdpFingerprint(rebuilt)).to.equal(sdpFingerprint(sdp));
  });

  it('is read whatever the case, grouping, dashes and O/0 I/L/1 confusions of a person typing it', async () => {
    const { pc, sdp } = await realOffer();
    const token = encodeToken('offer', sdp);
    const grouped = groupToken(token);
    expect(grouped.replace(/ /g, '')).to.equal(token);
    expect(grouped.split(' ').every((g) => g.length <= 4)).to.equal(true);
    const typed = grouped.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l').replace(/ /g, ' - ');
    expect(decodeToken(`\n  ${typed}\n`).sdp).to.equal(decodeToken(token).sdp);
    pc.close();
  });

  it('refuses mistyped, cut and wrong-kind tokens with a 400 that says what to do', async () => {
    const { pc, sdp } = await realOffer();
    const token = encodeToken('offer', sdp);
    const failure = (text: string, expected?: 'offer' | 'answer') => {
      try {
        decodeToken(text, expected);
      } catch (e) {
        return e as Error & { status_code: number };
      }
      throw new Error(`accepted: ${text}`);
    };
    const swapped = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    expect(failure(swapped).status_code).to.equal(400);
    expect(failure(swapped).message).to.match(/mistyped or incomplete/);
    expect(failure(token.slice(0, -6)).message).to.match(/mistyped|too short/);
    expect(failure(token, 'answer').message).to.match(/offer token, not an answer/);
    expect(failure('').message).to.match(/empty/);
    expect(failure('HELLO WORLD!').message).to.match(/cannot be in a token: "!"/);
    expect(failure('U').status_code).to.equal(400);
    expect(failure('{"type":"offer"}').message).to.match(/needs "type"/);
    expect(failure('x'.repeat(40000)).message).to.match(/too long/);
    pc.close();
  });

  it('accepts a full SDP (text or { type, sdp } JSON) wherever a token goes', async () => {
    const { pc, sdp } = await realOffer();
    const asText = decodeToken(sdp.replace(/\r\n/g, '\n'), 'offer');
    expect(asText.full).to.equal(true);
    expect(asText.kind).to.equal('offer');
    expect(asText.sdp).to.equal(sdp);
    const asJson = decodeToken(JSON.stringify({ type: 'offer', sdp }), 'offer');
    expect(asJson.sdp).to.equal(sdp);
    expect(asJson.fingerprint).to.equal(sdpFingerprint(sdp));
    // A peer connection takes the full SDP as it is.
    const b = createPeerConnection();
    createProtocolChannel(b);
    await b.setRemoteDescription({ type: 'offer', sdp: asJson.sdp });
    b.close();
    pc.close();
  });

  it('falls back to the full SDP for what it cannot reduce', () => {
    const sha1 = syntheticOffer([]).replace(/a=fingerprint:sha-256 [^\r]+/, 'a=fingerprint:sha-1 01:79:4C:9F:9B:40:E7:F5:2B:A1:86:C5:9C:4E:F9:D7:95:3A:81:F8');
    expect(encodeToken('offer', sha1)).to.equal(sha1);
    const notActpass = syntheticOffer([]).replace('a=setup:actpass', 'a=setup:active');
    expect(encodeToken('offer', notActpass)).to.equal(notActpass);
    expect(decodeToken(encodeToken('offer', sha1)).full).to.equal(true);
  });

  it(`carries at most ${MAX_TOKEN_CANDIDATES} candidates (the best ones)`, () => {
    const many = Array.from({ length: 20 }, (_, i) => `a=candidate:${i} 1 udp ${2113937151 - i} 10.0.0.${i + 1} ${40000 + i} typ host`);
    const info = decodeToken(encodeToken('offer', syntheticOffer(many)));
    expect(info.candidates.length).to.equal(MAX_TOKEN_CANDIDATES);
    expect(info.candidates[0]).to.deep.equal({ address: '10.0.0.1', port: 40000 });
  });

  it('fits one small QR code (version 8 at most, 49 modules) for one or two addresses', async () => {
    const { pc, sdp } = await realOffer();
    const path = qrPath(encodeToken('offer', sdp))!;
    expect(path.size - 8).to.be.within(21, 49);
    const mdns = qrPath(encodeToken('offer', syntheticOffer(['a=candidate:1 1 udp 2113937151 d8fa9830-811e-44c0-8a8f-19d43eead9a1.local 57076 typ host'])))!;
    expect(mdns.size - 8).to.equal(41);
    pc.close();
  });
});
