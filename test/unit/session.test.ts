/**
 * The base every session derives from (gadgets/session/session.ts): the retry loop with backoff,
 * refusal and stop, driven by a session whose attempts follow a script.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { Session, type AttemptEnd } from '../../gadgets/session/session.js';
import { AdmissionError } from '../../gadgets/channel/handshake.js';
import type { ConnectionState } from '../../gadgets/session/types.js';

type Step = (session: Scripted) => Promise<AttemptEnd>;

/** Runs `steps` as its attempts, one each; past the last, an attempt lasts until `stop()`. */
class Scripted extends Session {
  readonly states: ConnectionState[] = [];
  readonly errors: Error[] = [];
  readonly rejected: Error[] = [];
  attempts = 0;
  released = 0;
  private wake: (() => void) | null = null;

  constructor(private readonly steps: Step[]) {
    super({ stateChanged: (state) => this.states.push(state), error: (e) => this.errors.push(e) });
  }

  connected(): void {
    this.setState('connected');
  }

  protected begin(): void {
    this.retry(() => {
      const step = this.steps[this.attempts++];
      if (step) return step(this);
      return new Promise((resolve) => {
        this.wake = () => resolve({ connected: false, lost: new Error('stopped: not to be reported') });
      });
    });
  }

  protected override interrupt(): void {
    this.wake?.();
  }

  protected override rejectPending(error: Error): void {
    this.rejected.push(error);
  }

  protected override async release(): Promise<void> {
    this.released++;
  }
}

const fail = (message: string): Step => () => Promise.reject(new Error(message));
const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('session base (session/session.ts)', () => {
  it('reports each failed attempt and tries again after a growing backoff, until stop()', async () => {
    const session = new Scripted([fail('first'), fail('second')]);
    const started = performance.now();
    session.start();
    session.start(); // already running: nothing more
    await waitUntil(() => session.attempts === 3, 'a third attempt', { timeout: 5000 });
    expect(performance.now() - started, 'waited 250 ms, then 500 ms').to.be.greaterThan(700);
    expect(session.errors.map((e) => e.message)).to.deep.equal(['first', 'second']);
    expect(session.states).to.deep.equal(['connecting']);
    await session.stop();
    expect(session.states).to.deep.equal(['connecting', 'disconnected']);
    expect(session.errors, 'an attempt ended by stop() is not reported').to.have.length(2);
    expect(session.released).to.equal(1);
    await idle(400);
    expect(session.attempts, 'no attempt after stop()').to.equal(3);
  });

  it('reports a lost connection and connects again', async () => {
    const session = new Scripted([async (s) => {
      s.connected();
      return { connected: true, lost: new Error('lost it') };
    }]);
    session.start();
    await waitUntil(() => session.attempts === 2, 'a second attempt', { timeout: 5000 });
    expect(session.states).to.deep.equal(['connecting', 'connected', 'connecting']);
    expect(session.errors.map((e) => e.message)).to.deep.equal(['lost it']);
    await session.stop();
  });

  it('stops trying when refused: what waits rejects with the refusal, state error, reported once; start() tries again', async () => {
    const refusal = new AdmissionError('Refused: wrong room secret');
    const session = new Scripted([() => Promise.reject(refusal)]);
    session.start();
    await waitUntil(() => session.state === 'error', 'the error state', { timeout: 5000 });
    expect(session.refused).to.equal(refusal);
    expect(session.rejected).to.deep.equal([refusal]);
    expect(session.errors).to.deep.equal([refusal]);
    await idle(400);
    expect(session.attempts, 'no retry after a refusal').to.equal(1);
    session.start();
    expect(session.refused, 'a new start forgets the refusal').to.equal(null);
    await waitUntil(() => session.attempts === 2, 'tries again', { timeout: 5000 });
    expect(session.state).to.equal('connecting');
    await session.stop();
    expect(session.state).to.equal('disconnected');
  });
});
