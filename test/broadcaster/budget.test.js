// The abuse budgets of broadcaster/budget.ts with a fake clock: per-socket malformed and overflow
// budgets, and the per-address upgrade rate, socket cap, shared frame bucket, strikes and ban.
// Run after building: npx tsc -p broadcaster/tsconfig.json && node --test test/broadcaster/
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

const budget = await import(new URL('../../dist/broadcaster/budget.js', import.meta.url).href);
const { AddressBudgets, SocketBudget, normalizeAddress } = budget;

/** How many of `n` calls of `fn` return true. */
const passes = (n, fn) => Array.from({ length: n }, fn).filter(Boolean).length;

describe('SocketBudget', () => {
  test('malformed frames: a burst, then the refill rate; a limit of 0 disables it', () => {
    const socket = new SocketBudget(200, 0);
    assert.equal(passes(budget.MALFORMED_BURST + 5, () => socket.malformedFrame(0)), budget.MALFORMED_BURST);
    assert.equal(socket.malformedFrame(1000 / budget.MALFORMED_PER_SECOND), true, 'one back after 1/rate s');
    const off = new SocketBudget(0, 0);
    assert.equal(passes(10_000, () => off.malformedFrame(0)), 10_000);
    assert.equal(passes(10_000, () => off.droppedFrame(0)), 10_000);
  });

  test('frames dropped over the rate limit: OVERFLOW_BURST at once', () => {
    const socket = new SocketBudget(200, 0);
    assert.equal(passes(budget.OVERFLOW_BURST + 1, () => socket.droppedFrame(0)), budget.OVERFLOW_BURST);
  });
});

describe('AddressBudgets', () => {
  test('upgrades: a burst, then 429 with Retry-After until refilled', () => {
    const book = new AddressBudgets(200, 200);
    assert.equal(passes(budget.UPGRADE_BURST, () => book.admit('10.0.0.5', 0).ok), budget.UPGRADE_BURST);
    const refused = book.admit('10.0.0.5', 0);
    assert.deepEqual([refused.ok, refused.retryAfter], [false, 1]);
    assert.equal(book.admit('10.0.0.6', 0).ok, true, 'another address is not affected');
    assert.equal(book.admit('10.0.0.5', 1000 / budget.UPGRADES_PER_SECOND).ok, true);
  });

  test('sockets per address are capped and released; idle addresses are forgotten', () => {
    const book = new AddressBudgets(200, 200);
    assert.equal(passes(budget.MAX_SOCKETS_PER_ADDRESS + 3, () => book.attach('10.0.0.7', 0)), budget.MAX_SOCKETS_PER_ADDRESS);
    book.release('10.0.0.7', 0);
    assert.equal(book.attach('10.0.0.7', 0), true);
    for (let i = 0; i < budget.MAX_SOCKETS_PER_ADDRESS; i++) book.release('10.0.0.7', 60_000);
    assert.equal(book.size, 0);
  });

  test('the frame bucket is shared by the sockets of an address', () => {
    const book = new AddressBudgets(200, 200);
    const burst = 200 * budget.ADDRESS_RATE_FACTOR;
    assert.equal(passes(burst + 10, () => book.takeFrame('10.0.0.8', 0)), burst);
    assert.equal(book.takeFrame('10.0.0.9', 0), true);
  });

  test('strikes: the last one bans the address for BAN_MS, then it is admitted again; repeat bans double', () => {
    const book = new AddressBudgets(200, 200);
    const strikes = Array.from({ length: budget.STRIKE_BURST + 1 }, () => book.strike('10.0.0.10', 0));
    assert.deepEqual(strikes, [...Array(budget.STRIKE_BURST).fill(false), true]);
    assert.equal(book.banned('10.0.0.10', 1), true);
    const refused = book.admit('10.0.0.10', 1);
    assert.equal(refused.ok, false);
    assert.equal(refused.retryAfter, Math.ceil(budget.BAN_MS / 1000));
    assert.equal(book.banned('10.0.0.11', 1), false);
    assert.equal(book.banned('10.0.0.10', budget.BAN_MS + 1), false);
    assert.equal(book.admit('10.0.0.10', budget.BAN_MS + 1).ok, true);
    // A repeat offender: the next ban lasts twice as long, and bans stop doubling at MAX_BAN_MS.
    let now = budget.BAN_MS + 1;
    while (!book.strike('10.0.0.10', now));
    assert.equal(book.banned('10.0.0.10', now + 2 * budget.BAN_MS - 1), true);
    assert.equal(book.banned('10.0.0.10', now + 2 * budget.BAN_MS), false);
    for (let i = 0; i < 20; i++) {
      now += budget.MAX_BAN_MS;
      while (!book.strike('10.0.0.10', now));
    }
    assert.equal(book.banned('10.0.0.10', now + budget.MAX_BAN_MS - 1), true);
    assert.equal(book.banned('10.0.0.10', now + budget.MAX_BAN_MS), false);
  });

  test('a rate limit of 0 disables every per-address budget', () => {
    const book = new AddressBudgets(0, 200);
    assert.equal(passes(1000, () => book.admit('10.0.0.12', 0).ok), 1000);
    assert.equal(passes(1000, () => book.strike('10.0.0.12', 0)), 0);
    assert.equal(book.banned('10.0.0.12', 0), false);
  });

  test('IPv4-mapped IPv6 addresses count as their IPv4 address', () => {
    assert.equal(normalizeAddress('::ffff:192.168.1.20'), '192.168.1.20');
    assert.equal(normalizeAddress('fe80::1'), 'fe80::1');
    assert.equal(normalizeAddress(undefined), '');
  });
});
