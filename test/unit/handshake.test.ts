import { expect } from '@open-wc/testing';
import { AdmissionError, admitSlave, handshakeMac, joinMaster } from '../../gadgets/channel/handshake.js';
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
