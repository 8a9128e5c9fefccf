import { expect, waitUntil } from '@open-wc/testing';
import { AdmissionError, admitSlave, cleanName, handshakeMac, joinMaster, MAX_NAME_LENGTH } from '../../gadgets/channel/handshake.js';
import type { FramedChannel } from '../../gadgets/channel/framed-channel.js';
import { channelPair, rejectionOf } from './helpers.js';

const MASTER_FP = 'sha-256 01:79:4C:9F:9B:40:E7:F5:2B:A1:86:C5:9C:4E:F9:D7:95:3A:81:F8:12:19:F7:F4:9D:3D:08:BD:A6:0C:F7:36';
const SLAVE_FP = 'sha-256 7A:83:0C:18:99:63:E4:73:3E:F2:D1:E6:CF:85:7A:12:F3:BA:CE:BB:C1:B1:62:9A:08:5C:D2:09:09:6B:47:A9';

/** Runs both sides; `slave` reads what the master sent it through `spy` as well. */
function run(masterSecret: string, slaveSecret: string, fingerprints?: { slaveSeesMaster?: string; masterSeesSlave?: string }) {
  const { a, b } = channelPair();
  const master = admitSlave(a, { secret: masterSecret, masterFingerprint: MASTER_FP, slaveFingerprint: fingerprints?.masterSeesSlave ?? SLAVE_FP });
  const slave = joinMaster(b, { secret: slaveSecret, masterFingerprint: fingerprints?.slaveSeesMaster ?? MASTER_FP, slaveFingerprint: SLAVE_FP });
  master.catch(() => {});
  slave.catch(() => {});
  return { master, slave, masterChannel: a, slaveChannel: b };
}

/** Collects what `channel` receives from now on. */
function record(channel: FramedChannel): unknown[] {
  const got: unknown[] = [];
  channel.onMessage = (m) => got.push(m);
  return got;
}

describe('admission handshake (channel/handshake.ts)', () => {
  it('without a secret the master welcomes at once', async () => {
    const { master, slave } = run('', '');
    await master;
    expect(await slave, 'the master says it reads bundled messages').to.deep.equal({ bundles: true });
  });

  it('with the same secret both sides prove it and are admitted', async () => {
    const { master, slave } = run('correct horse battery staple', 'correct horse battery staple');
    await master;
    expect(await slave).to.deep.equal({ bundles: true });
  });

  it('a wrong secret: the master refuses with 403, the slave gets the 403 error envelope and nothing else', async () => {
    const { master, slave, slaveChannel } = run('right', 'wrong');
    const refused = await rejectionOf(master);
    expect(refused).to.be.instanceOf(AdmissionError);
    expect(refused.status_code).to.equal(403);
    const error = await rejectionOf(slave);
    expect(error).to.be.instanceOf(AdmissionError);
    expect(error.status_code).to.equal(403);
    expect(error.message).to.match(/wrong or missing room secret/);
    const after = record(slaveChannel);
    await new Promise((r) => setTimeout(r, 50));
    expect(after).to.deep.equal([]);
  });

  it('a slave without a secret is refused by a master that has one', async () => {
    const { master, slave } = run('s3cret', '');
    expect((await rejectionOf(master)).status_code).to.equal(403);
    expect((await rejectionOf(slave)).status_code).to.equal(403);
  });

  it('a slave with a secret refuses a master that cannot prove it', async () => {
    const { master, slave } = run('', 's3cret');
    await master; // that master welcomed it
    const error = await rejectionOf(slave);
    expect(error.status_code).to.equal(403);
    expect(error.message).to.match(/master does not know the room secret/);
  });

  it('a proof is bound to both DTLS fingerprints: relayed through a man in the middle, it fails', async () => {
    const other = 'sha-256 ' + Array.from({ length: 32 }, () => 'EE').join(':');
    const toMaster = run('shared', 'shared', { masterSeesSlave: other });
    expect((await rejectionOf(toMaster.master)).status_code).to.equal(403);
    expect((await rejectionOf(toMaster.slave)).status_code).to.equal(403);
    const toSlave = run('shared', 'shared', { slaveSeesMaster: other });
    expect((await rejectionOf(toSlave.master)).status_code).to.equal(403);
    expect((await rejectionOf(toSlave.slave)).status_code).to.equal(403);
  });

  it('a slave that never answers the challenge is refused after the timeout', async () => {
    const { a, b } = channelPair();
    const got = record(b);
    const master = admitSlave(a, { secret: 'x', masterFingerprint: MASTER_FP, slaveFingerprint: SLAVE_FP, timeoutMs: 100 });
    const error = await rejectionOf(master);
    expect(error.status_code).to.equal(403);
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map((m) => (m as { type: string }).type)).to.deep.equal(['hello', 'error']);
    expect((got[1] as { id: unknown; error: { status_code: number } }).error.status_code).to.equal(403);
    expect((got[1] as { id: unknown }).id).to.equal(null);
  });

  it('a closed channel during the handshake is not a refusal', async () => {
    const { a, b, endpointB } = channelPair();
    const slave = joinMaster(b, { secret: '', masterFingerprint: MASTER_FP, slaveFingerprint: SLAVE_FP });
    endpointB.close();
    const error = await rejectionOf(slave);
    expect(error).not.to.be.instanceOf(AdmissionError);
    expect(error.status_code).to.equal(500);
    a.dispose();
  });

  it('the MAC is HMAC-SHA256 as WebCrypto computes it', async () => {
    const mac = handshakeMac('k€y', 'slave', 'ab'.repeat(32), MASTER_FP, SLAVE_FP);
    const enc = new TextEncoder();
    const key = await crypto.subtle.importKey('raw', enc.encode('k€y'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key,
      enc.encode(`rtc-gadgets/1 slave\n${'ab'.repeat(32)}\n${MASTER_FP}\n${SLAVE_FP}`)));
    expect(mac).to.equal(Array.from(expected, (x) => x.toString(16).padStart(2, '0')).join(''));
    expect(handshakeMac('k€y', 'master', 'ab'.repeat(32), MASTER_FP, SLAVE_FP)).not.to.equal(mac);
  });
});

describe('device names in the handshake (channel/handshake.ts)', () => {
  const fingerprints = { masterFingerprint: MASTER_FP, slaveFingerprint: SLAVE_FP };
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  for (const secret of ['', 'shh']) {
    it(`a slave that sends no name (older than names) is admitted${secret ? ' with a secret' : ''}; the master learns none`, async () => {
      const { a, b } = channelPair();
      const master = admitSlave(a, { secret, ...fingerprints });
      const joined = await joinMaster(b, { secret, ...fingerprints });
      expect(joined, 'nothing said about names when it gave none').to.deep.equal({ bundles: true });
      expect(await master).to.deep.equal({ name: null });
      const after = record(a);
      await wait(30);
      expect(after, 'no name message either').to.deep.equal([]);
    });
  }

  it('with a secret the name travels in the proof, cleaned by the master', async () => {
    const { a, b } = channelPair();
    const master = admitSlave(a, { secret: 'shh', ...fingerprints });
    const joined = await joinMaster(b, { secret: 'shh', ...fingerprints, name: '  Till\u0000 1\n\u202E ' });
    expect(joined).to.deep.equal({ bundles: true, names: true });
    expect(await master).to.deep.equal({ name: 'Till 1' });
  });

  it('without a secret the name message follows the welcome, before anything else the slave sends', async () => {
    const { a, b } = channelPair();
    const got = record(a); // a master without a secret does not read during admission
    expect(await admitSlave(a, { secret: '', ...fingerprints })).to.deep.equal({ name: null });
    const joined = await joinMaster(b, { secret: '', ...fingerprints, name: 'Kitchen tablet' });
    expect(joined).to.deep.equal({ bundles: true, names: true });
    await b.send({ v: 1, type: 'request', id: 1, method: 'get', args: ['x'] });
    await waitUntil(() => got.length === 2, 'name and request arrive');
    expect(got).to.deep.equal([{ v: 1, type: 'name', name: 'Kitchen tablet' }, { v: 1, type: 'request', id: 1, method: 'get', args: ['x'] }]);
  });

  it('a master older than names (a welcome without names) is sent no name message', async () => {
    const { a, b } = channelPair();
    const got = record(a);
    const joined = joinMaster(b, { secret: '', ...fingerprints, name: 'Phone' });
    await a.send({ v: 1, type: 'welcome', bundles: true });
    expect(await joined).to.deep.equal({ bundles: true, names: false });
    await wait(30);
    expect(got).to.deep.equal([]);
  });

  it('cleanName: strings only, control and bidi characters out, white space folded, 1 to 64 code points', () => {
    expect(cleanName('Android · 4F2A')).to.equal('Android · 4F2A');
    expect(cleanName(42)).to.equal(null);
    expect(cleanName(null)).to.equal(null);
    expect(cleanName({ toString: () => 'x' })).to.equal(null);
    expect(cleanName('')).to.equal(null);
    expect(cleanName(' \t\n\u0000\u007F\u009B\u200B ')).to.equal(null);
    expect(cleanName('a\r\nb\tc')).to.equal('a b c');
    expect(cleanName('bell\u0007\u001B[31m')).to.equal('bell[31m');
    expect(cleanName('\u202Egnp.exe\u202C')).to.equal('gnp.exe');
    expect(cleanName('<img src=x onerror=alert(1)>')).to.equal('<img src=x onerror=alert(1)>'); // text: shown, never parsed
    expect(cleanName('x'.repeat(4000))).to.equal('x'.repeat(MAX_NAME_LENGTH));
    const emoji = '\u{1F468}\u200D\u{1F4BB}'; // man technologist: the joiner stays
    expect(cleanName(emoji)).to.equal(emoji);
    const cut = cleanName('\u{1F600}'.repeat(100))!;
    expect([...cut].length).to.equal(MAX_NAME_LENGTH);
    expect(cut).to.equal('\u{1F600}'.repeat(MAX_NAME_LENGTH)); // never half a surrogate pair
    expect(cleanName('a\uD800b')).to.equal('ab'); // a lone surrogate is dropped
  });
});

