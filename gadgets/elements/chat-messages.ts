/**
 * The data side of `<rtc-chat>` (README.md "Chat"), DOM-free: what a chat message document is,
 * the queries that read one channel, and the ordered list of messages a chat shows.
 */
import type { Doc } from '../api.js';
import type { QueryTree } from '../query.js';
import { formatDateTime, formatTime } from '../i18n/format.js';

/** A chat message as stored in the master's database: `at` is an ISO 8601 UTC time (`toISOString`). */
export interface ChatMessage {
  type: 'chat';
  channel: string;
  from: string;
  text: string;
  at: string;
}

/** A message with its document id, as shown. */
export interface ShownMessage extends ChatMessage {
  id: string;
}

/** Longest message text accepted by the input, characters. */
export const MAX_TEXT = 4000;

/** True when `doc` has the shape of a chat message (anything else in the database is ignored). */
export function isChatMessage(doc: Doc | undefined): doc is Doc & ChatMessage {
  return !!doc && doc.type === 'chat' && typeof doc.channel === 'string' && typeof doc.from === 'string' &&
    typeof doc.text === 'string' && typeof doc.at === 'string';
}

/**
 * The jIO query tree of channel `channel`'s messages, those at or before `atOrBefore` when given
 * (ISO strings of one format compare as times). A tree, not a string: a channel name may hold quotes.
 */
export function channelQuery(channel: string, atOrBefore?: string): QueryTree {
  const query_list: QueryTree[] = [
    { type: 'simple', key: 'type', value: 'chat', operator: '=' },
    { type: 'simple', key: 'channel', value: channel, operator: '=' },
  ];
  if (atOrBefore !== undefined) query_list.push({ type: 'simple', key: 'at', value: atOrBefore, operator: '<=' });
  return { type: 'complex', operator: 'AND', query_list };
}

/** Orders messages by time, then id (two messages in the same millisecond keep one order everywhere). */
export function compareMessages(a: ShownMessage, b: ShownMessage): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The messages of one channel by id, listed in order. */
export class MessageList {
  private readonly byId = new Map<string, ShownMessage>();
  private sorted: ShownMessage[] | null = [];

  /** Adds or replaces a message; @returns true when its id was new. */
  upsert(message: ShownMessage): boolean {
    const isNew = !this.byId.has(message.id);
    this.byId.set(message.id, message);
    this.sorted = null;
    return isNew;
  }

  /** Forgets message `id` (it was deleted). */
  delete(id: string): void {
    if (this.byId.delete(id)) this.sorted = null;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The messages, oldest first. */
  get list(): ShownMessage[] {
    this.sorted ??= [...this.byId.values()].sort(compareMessages);
    return this.sorted;
  }
}

/**
 * A readable colour for a sender's name: a hue from its characters, dark on a light theme and
 * light on a dark one (`light-dark()`, gadgets/styles/theme.styles.ts), as a CSS colour value.
 */
export function nameColor(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 360;
  return `light-dark(hsl(${h} 70% 25%), hsl(${h} 70% 75%))`;
}

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

/** `14:05` today, `3 Mar, 14:05` another day (the page's language, the viewer's time zone). */
export function shortTime(at: string, now = new Date()): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  const time: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
  return sameDay(date, now) ? formatTime(date, time) : formatDateTime(date, { day: 'numeric', month: 'short', ...time });
}
