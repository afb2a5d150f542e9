/**
 * A virtual clock for the scheduler: `sleep` registers a timer, and `drive` fires the timers one at a time (the
 * earliest first) whenever nothing else is left to run: every promise callback has run, and `busy()` says nothing
 * outside (a request on the wire) is still awaited. Time only moves when someone sleeps, so the times it measures
 * are exact, however loaded the machine.
 */
/** How long real work may go on with nobody asleep and nothing on the wire before a driven promise counts as stuck. */
const STUCK_AFTER_MS = 2_000;

export function virtualClock() {
	let time = 0;
	let order = 0;
	const timers: Array<{ at: number; order: number; wake: () => void }> = [];
	const sleeps: number[] = [];
	const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

	return {
		now: () => time,
		/** Every wait asked for, in order. */
		sleeps,
		/** Resolves once the clock reaches now + `ms`, or at once when `signal` fires. */
		sleep(ms: number, signal?: AbortSignal): Promise<void> {
			sleeps.push(ms);
			return new Promise<void>((resolve) => {
				const cancel = () => {
					timers.splice(timers.indexOf(timer), 1);
					resolve();
				};
				const wake = () => {
					signal?.removeEventListener('abort', cancel);
					resolve();
				};
				const timer = { at: time + Math.max(0, ms), order: order++, wake };
				timers.push(timer);
				signal?.addEventListener('abort', cancel, { once: true });
			});
		},
		/**
		 * Settles with `promise`, moving the clock on whenever all else waits for it. Without `busy`, a promise that
		 * waits for something else than the clock is stuck; with it, real work (I/O) may still be under way.
		 */
		async drive<T>(promise: Promise<T>, busy?: () => boolean): Promise<T> {
			let done = false;
			promise.then(
				() => (done = true),
				() => (done = true),
			);
			// Rounds in a row with nothing on the wire: a request's answer may take a few to reach the scheduler.
			let idle = 0;
			let lastMoveAt = Date.now();
			for (;;) {
				await flush();
				if (done) return await promise;
				if (busy?.()) {
					idle = 0;
					lastMoveAt = Date.now();
					continue;
				}
				if (busy && ++idle < 3) continue;
				if (timers.length === 0) {
					// Other real work may still be under way, for a while.
					if (busy && Date.now() - lastMoveAt < STUCK_AFTER_MS) continue;
					throw new Error('stuck: nothing is running and nobody sleeps');
				}
				idle = 0;
				lastMoveAt = Date.now();
				timers.sort((a, b) => a.at - b.at || a.order - b.order);
				const next = timers.shift()!;
				time = next.at;
				next.wake();
			}
		},
	};
}

export type VirtualClock = ReturnType<typeof virtualClock>;
