// Browsers and Node cap timers at 2^31 - 1 ms (about 24.8 days); a longer
// delay overflows and fires at once. Clamping it would fire early, so a
// longer delay runs in steps of at most this long.
const MAX_TIMER_DELAY = 2_147_483_647;

/** A timer slot and what to do when the time runs out. */
export interface Timed {
  timer: ReturnType<typeof setTimeout> | undefined;
  expire(): void;
}

/**
 * Calls `target.expire()` after `ms` milliseconds (any finite number >= 0),
 * keeping the current timer in `target.timer` so that one `clearTimeout`
 * cancels it at any step. Allocates no closure.
 */
export function arm(target: Timed, ms: number): void {
  target.timer = setTimeout(step, Math.min(ms, MAX_TIMER_DELAY), target, ms - MAX_TIMER_DELAY);
}

function step(target: Timed, rest: number): void {
  if (rest > 0) arm(target, rest);
  else target.expire();
}
