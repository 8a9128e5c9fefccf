/**
 * Shared helpers for unit tests: in-page channel pairs and throwaway databases. Importing it
 * registers the folder's database sweep: a database a test created and left (it failed before
 * its `dropDatabase`) is deleted after it.
 */
import { PortEndpoint } from '../../gadgets/channel/endpoint.js';
import { FramedChannel, type FramedChannelOptions } from '../../gadgets/channel/framed-channel.js';
import { Database } from '../../gadgets/storage/database.js';
import { deleteDatabase, deleteNewDatabasesAfterEach, uniqueName } from '../shared/databases.js';

export { uniqueName };

deleteNewDatabasesAfterEach();

/**
 * A PortEndpoint that behaves like a data channel's send queue: each send adds to
 * `bufferedAmount`, which drains on the next task, firing `bufferedamountlow` when it falls to
 * the threshold.
 */
export class BufferedPortEndpoint extends PortEndpoint {
  private draining = false;
  override send(data: string | ArrayBuffer): void {
    super.send(data);
    this.bufferedAmount += typeof data === 'string' ? data.length : data.byteLength;
    if (!this.draining) {
      this.draining = true;
      setTimeout(() => {
        this.draining = false;
        this.bufferedAmount = 0;
        this.dispatchEvent(new Event('bufferedamountlow'));
      }, 0);
    }
  }
}

/** Two FramedChannels joined by a MessageChannel (the unit-test stand-in for a data channel). */
export function channelPair(options: FramedChannelOptions = {}, buffered = false) {
  const { port1, port2 } = new MessageChannel();
  const Endpoint = buffered ? BufferedPortEndpoint : PortEndpoint;
  const a = new Endpoint(port1);
  const b = new Endpoint(port2);
  return { a: new FramedChannel(a, options), b: new FramedChannel(b, options), endpointA: a, endpointB: b };
}

/** A fresh database with a unique name; delete it with `dropDatabase`. */
export async function freshDatabase(): Promise<Database> {
  return Database.open(uniqueName('test'));
}

/** Closes and deletes a test database. */
export async function dropDatabase(db: Database): Promise<void> {
  db.close();
  await deleteDatabase(db.name);
}

/** Resolves with the next message `channel` receives. */
export function nextMessage(channel: FramedChannel): Promise<unknown> {
  return new Promise((resolve) => {
    channel.onMessage = resolve;
  });
}

/** Rejection of `promise`, or a failure if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { status_code?: number }> {
  try {
    await promise;
  } catch (e) {
    return e as Error & { status_code?: number };
  }
  throw new Error('expected a rejection, got a value');
}
