/**
 * The custom events of rtc-gadgets (README.md "Elements"). All are `rtc-`-prefixed, bubble and
 * are composed: pages and `<rtc-status>` listen above the element, across shadow roots, which
 * is the point of a declarative suite (open-wc warns against `composed` for private events;
 * these are public).
 *
 * custom-elements-manifest.config.mjs names each event after the string its constructor passes
 * to `super`: keep it a literal.
 */
import type { ChangesResult } from '../api.js';
import type { ConnectionState, PeerInfo } from '../session/types.js';

const init = { bubbles: true, composed: true } as const;

/** `rtc-state-change` `{ state, previous }`: fired on every real transition, never as an echo. */
export class RtcStateChangeEvent extends CustomEvent<{ state: ConnectionState; previous: ConnectionState }> {
  constructor(state: ConnectionState, previous: ConnectionState) {
    super('rtc-state-change', { ...init, detail: { state, previous } });
  }
}

/** `rtc-peers-change` `{ peers }` on a master when a slave connects, finishes connecting, leaves or changes its name. */
export class RtcPeersChangeEvent extends CustomEvent<{ peers: PeerInfo[] }> {
  constructor(peers: PeerInfo[]) {
    super('rtc-peers-change', { ...init, detail: { peers } });
  }
}

/** `rtc-name-change` `{ name }`: the element's own `name` changed (a rename, or the attribute). */
export class RtcNameChangeEvent extends CustomEvent<{ name: string }> {
  constructor(name: string) {
    super('rtc-name-change', { ...init, detail: { name } });
  }
}

/** `rtc-error` `{ error }`: something failed (the element keeps working or retrying). */
export class RtcErrorEvent extends CustomEvent<{ error: Error }> {
  constructor(error: Error) {
    super('rtc-error', { ...init, detail: { error } });
  }
}

/** `rtc-record-create` `{ id }`: a `<rtc-query-form>` created a record. */
export class RtcRecordCreateEvent extends CustomEvent<{ id: string }> {
  constructor(id: string) {
    super('rtc-record-create', { ...init, detail: { id } });
  }
}

/** `rtc-bulk-progress` `{ loaded, total }`: documents of a `bulkPut` stored by the master so far. */
export class RtcBulkProgressEvent extends CustomEvent<{ loaded: number; total: number }> {
  constructor(loaded: number, total: number) {
    super('rtc-bulk-progress', { ...init, detail: { loaded, total } });
  }
}

/** `rtc-progress` `{ id, name, loaded, total, peer? }`: bytes of an attachment stored by the receiver so far (monotonic, ends at total). A slave fires it for its uploads and downloads; a master for its own and, with `peer`, for each upload a slave sends it. */
export class RtcProgressEvent extends CustomEvent<{ id: string; name: string; loaded: number; total: number; peer?: string }> {
  /** `peer`: on a master, the id of the slave whose upload this is (absent for its own transfers). */
  constructor(id: string, name: string, loaded: number, total: number, peer?: string) {
    super('rtc-progress', { ...init, detail: peer === undefined ? { id, name, loaded, total } : { id, name, loaded, total, peer } });
  }
}

/** `rtc-queue-change` `{ pending }`: the number of writes in a `<rtc-slave queue>`'s outbox changed (session/outbox.ts). */
export class RtcQueueChangeEvent extends CustomEvent<{ pending: number }> {
  constructor(pending: number) {
    super('rtc-queue-change', { ...init, detail: { pending } });
  }
}

/** `rtc-change` `{ results, last_seq }`: one batch of the changes feed delivered to a `watch` made through the element. */
export class RtcChangeEvent extends CustomEvent<ChangesResult> {
  constructor(batch: ChangesResult) {
    super('rtc-change', { ...init, detail: { results: batch.results, last_seq: batch.last_seq } });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-state-change': RtcStateChangeEvent;
    'rtc-peers-change': RtcPeersChangeEvent;
    'rtc-name-change': RtcNameChangeEvent;
    'rtc-error': RtcErrorEvent;
    'rtc-record-create': RtcRecordCreateEvent;
    'rtc-bulk-progress': RtcBulkProgressEvent;
    'rtc-progress': RtcProgressEvent;
    'rtc-queue-change': RtcQueueChangeEvent;
    'rtc-change': RtcChangeEvent;
  }
}
