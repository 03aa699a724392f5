// The region service's per-database back-off must leave no failed database without a wake-up, even
// when timers fire a little before the time they were set for (Node measures them from the event
// loop's cached clock). A round that finds nothing due re-arms from what still waits.
import { describe, expect, it } from 'vitest';
import { Backoff, type Clock } from '../../server/region/backoff.ts';

/** A hand-driven clock whose timers fire `early` ms before their time. */
function fakeClock(early: number) {
  let now = 1_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const clock: Clock = {
    now: () => now,
    // Never sooner than 1 ms after being set, as with Node (time moves on between firings).
    setTimeout: (fn, ms) => (timers.set(next, { at: now + Math.max(1, ms - early), fn }), next++),
    clearTimeout: (h) => void timers.delete(h as number),
  };
  /** Moves time on, firing due timers in order; returns how many fired. */
  const advance = (ms: number) => {
    const end = now + ms;
    let fired = 0;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].fn();
      fired++;
    }
    now = end;
    return fired;
  };
  return { clock, advance, pending: () => timers.size };
}

/** The service's loop in miniature: a round retries what is due, and re-arms from what still waits. */
function miniService(clock: Clock, failUntil: number) {
  const dirty = new Set<string>();
  const done: string[] = [];
  const backoff: Backoff = new Backoff(() => round(), 2000, 60_000, clock);
  const round = () => {
    const batch = backoff.due(dirty);
    for (const db of batch) {
      dirty.delete(db);
      if (clock.now() < failUntil) {
        backoff.failed(db);
        dirty.add(db);
      } else {
        backoff.succeeded(db);
        done.push(db);
      }
    }
    backoff.arm(dirty);
  };
  return { dirty, done, round, backoff };
}

describe('Backoff', () => {
  it('waits 2 s, 4 s, ... and no more than a minute', () => {
    const { clock } = fakeClock(0);
    const b = new Backoff(() => {}, 2000, 60_000, clock);
    expect(Array.from({ length: 8 }, () => b.failed('x'))).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(b.due(['x', 'y'])).toEqual(['y']);
    b.succeeded('x');
    expect(b.due(['x'])).toEqual(['x']);
  });

  it('retries every failed database once its failure is over, although every timer fires 5 ms early', () => {
    const { clock, advance } = fakeClock(5);
    const s = miniService(clock, clock.now() + 10_000);
    for (const db of ['a', 'b', 'c']) s.dirty.add(db);
    s.round(); // fails: all three wait 2 s
    expect(s.done).toEqual([]);
    advance(120_000);
    expect(s.done.sort()).toEqual(['a', 'b', 'c']);
    expect(s.dirty.size).toBe(0);
  });

  it('a round woken before anything is due arms the timer again (the stall this module exists for)', () => {
    const { clock, advance, pending } = fakeClock(5);
    const b = new Backoff(() => {}, 2000, 60_000, clock);
    b.failed('a');
    b.arm(['a']);
    expect(pending()).toBe(1);
    expect(advance(1996)).toBe(1); // fired 4 ms before 'a' is due ...
    expect(b.due(['a'])).toEqual([]); // ... so a round finds nothing to do
    expect(pending()).toBe(0);
    b.arm(['a']); // what the service does at the end of every round
    expect(pending()).toBe(1);
    advance(10);
    expect(b.due(['a'])).toEqual(['a']);
  });

  it('keeps one timer, for the earliest waiting database, and none once closed', () => {
    const { clock, pending } = fakeClock(0);
    const b = new Backoff(() => {}, 2000, 60_000, clock);
    b.failed('slow');
    b.failed('slow');
    b.arm(['slow']);
    b.failed('fast');
    b.arm(['slow', 'fast']);
    expect(pending()).toBe(1);
    b.close();
    expect(pending()).toBe(0);
    b.arm(['fast']);
    expect(pending()).toBe(0);
  });
});
