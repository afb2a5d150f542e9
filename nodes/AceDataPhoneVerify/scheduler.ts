/**
 * Runs many small async tasks against a rate-limited service: a fixed number of workers, attempt starts
 * paced to a rate, retries with back-off, and a whole-run slow-down when the service says "too many".
 * It knows nothing about HTTP: the caller's `adviseRetry` turns an error into advice.
 *
 * Two mechanisms, shared by all workers:
 * - pacing: `nextStart` is the earliest time the next attempt may start. A worker reserves it (moving it on by
 *   one gap) and sleeps until its slot; a worker that woke late pushes the next start back, so starts really are
 *   at least `1000 / rate` ms apart (a limiter at exactly the rate sees no bursts) and in order of asking.
 * - slow-down: a rate-limited failure lowers the rate; every `RATE_RECOVERY_MS` without one gives back a step
 *   towards the configured rate, so one stray 429 does not slow a long run to the end.
 * - pauses: a rate-limited failure sets `pausedUntil` and bumps `epoch`. Workers already sleeping towards a
 *   slot see the new epoch when they wake and queue again, so nobody starts before the pause is over.
 * With `failFast`, a task failing for good stops the run: no worker starts another attempt, and what is left
 * settles at once, without waiting for slots (a run that is going to fail should not pace through, or pay for,
 * its remaining items).
 *
 * Tasks may still be arriving while the first ones run (an async source): workers take them in order as they
 * come, so preparing the tasks and sending them overlap.
 */
import { sleep as n8nSleep } from 'n8n-workflow';

export interface RetryAdvice {
	retry: boolean;
	/** Minimum wait before the next attempt (e.g. from a Retry-After header). */
	retryAfterMs?: number;
	/** The service refused because of the request rate (HTTP 429): slow the whole run down. */
	rateLimited?: boolean;
}

export interface SchedulerOptions {
	/** Attempts in flight at once. */
	concurrency: number;
	/** Attempt starts per second, retries included; 0 = unlimited. */
	maxRequestsPerSecond: number;
	/** Extra attempts after the first. */
	maxRetries: number;
	/**
	 * Once a task has failed for good, start no new attempt (for callers that fail the whole run on the first
	 * error): tasks that have not settled yet settle at once with a `RunStoppedError`, without waiting for a slot.
	 */
	failFast?: boolean;
	adviseRetry: (error: unknown) => RetryAdvice;
	/** Called after each task settles; `total` is undefined while the source is still producing tasks. */
	onProgress?: (settled: number, total: number | undefined) => void;
	sleep?: (ms: number) => Promise<void>;
	now?: () => number;
	/** Source of jitter, in [0, 1). */
	random?: () => number;
}

/** The result of a task that never (or never again) started because the run stopped: see `failFast`. */
export class RunStoppedError extends Error {
	constructor() {
		super('Not sent: the run stopped at an earlier error');
		this.name = 'RunStoppedError';
	}
}

export type Settled<R> =
	| { ok: true; value: R; attempts: number }
	| { ok: false; error: unknown; attempts: number };

/** Back-off before retry n is drawn from [ceiling / 2, ceiling] ("equal jitter"), ceiling = base · 2^(n-1). */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;
/** Each fresh rate-limit answer multiplies the pace by this... */
export const RATE_LIMIT_SLOWDOWN = 0.75;
/** ...but never below this many starts per second (unless the caller asked for less). */
export const MIN_RATE_PER_SECOND = 1;
/** After this long without a rate-limit answer, the pace rises by one step... */
export const RATE_RECOVERY_MS = 5_000;
/** ...of this share of the configured rate, up to the configured rate. */
export const RATE_RECOVERY_STEP = 0.1;

/** Tasks in arrival order; `take` hands out the next one, waiting while the source may still produce more. */
class TaskFeed<T> {
	readonly tasks: T[] = [];
	private taken = 0;
	private ended = false;
	private readonly waiting: Array<() => void> = [];

	push(task: T) {
		this.tasks.push(task);
		this.waiting.shift()?.();
	}

	end() {
		this.ended = true;
		for (const wake of this.waiting.splice(0)) wake();
	}

	/** The number of tasks, once the source has ended. */
	get total(): number | undefined {
		return this.ended ? this.tasks.length : undefined;
	}

	/** The index of the next task, or undefined when there is none and there will be none. */
	async take(): Promise<number | undefined> {
		while (this.taken >= this.tasks.length) {
			if (this.ended) return undefined;
			await new Promise<void>((wake) => this.waiting.push(wake));
		}
		return this.taken++;
	}
}

/**
 * Runs `run` for every task and resolves with one `Settled` per task, `results[i]` belonging to the i-th task.
 * A task's failure is a result, never a rejection. Only an exception thrown by the source or by a callback
 * (`adviseRetry`, `onProgress`) rejects, after the attempts already in flight have finished and no new ones
 * were started; an async source is then closed (its `return` runs).
 */
export async function runScheduled<T, R>(
	source: Iterable<T> | AsyncIterable<T>,
	run: (task: T, index: number) => Promise<R>,
	options: SchedulerOptions,
): Promise<Array<Settled<R>>> {
	const sleep = options.sleep ?? n8nSleep;
	const now = options.now ?? Date.now;
	const random = options.random ?? Math.random;
	const concurrency = Math.max(1, Math.floor(options.concurrency) || 1);
	const maxRetries = Math.max(0, Math.floor(options.maxRetries) || 0);

	// Pacing
	let rate = 0;
	let gapMs = 0;
	const setRate = (perSecond: number) => {
		rate = perSecond;
		gapMs = perSecond > 0 ? Math.ceil(1000 / perSecond) : 0;
	};
	const configured = options.maxRequestsPerSecond;
	setRate(Number.isFinite(configured) && configured > 0 ? configured : 0);
	let nextStart = -Infinity;
	let lastSlowdownAt = -Infinity;

	/** Gives back a step of pace for each quiet recovery period since the last slow-down. */
	function recoverRate(t: number) {
		if (configured <= 0 || rate >= configured || t - lastSlowdownAt < RATE_RECOVERY_MS) return;
		setRate(Math.min(configured, rate + configured * RATE_RECOVERY_STEP));
		lastSlowdownAt = t;
	}

	// Pauses
	let pausedUntil = -Infinity;
	let epoch = 0;

	// What has been started so far (for the observed rate and for "one slow-down per burst")
	let startCount = 0;
	let firstStartAt = 0;
	let lastStartAt = -Infinity;
	let startCountAtSlowdown = 0;

	// Set when a task fails for good and `failFast` is on.
	let stopped = false;

	/**
	 * Waits for this worker's turn to start an attempt; returns the attempt's sequence number (1, 2, ...),
	 * or 0 when the run has stopped.
	 */
	async function startAttempt(): Promise<number> {
		for (;;) {
			if (stopped) return 0;
			const t = now();
			recoverRate(t);
			const slot = Math.max(t, nextStart, pausedUntil);
			nextStart = slot + gapMs;
			const reservedIn = epoch;
			if (slot > t) await sleep(slot - t);
			// A start before ours that woke late (a busy event loop) must not squeeze the gap after it.
			for (let early = lastStartAt + gapMs - now(); early > 0 && epoch === reservedIn; early = lastStartAt + gapMs - now()) {
				await sleep(early);
			}
			// A pause came while we slept: the slot is void, queue again.
			if (epoch !== reservedIn || stopped) continue;
			lastStartAt = now();
			nextStart = Math.max(nextStart, lastStartAt + gapMs);
			if (startCount === 0) firstStartAt = lastStartAt;
			return ++startCount;
		}
	}

	/** A rate-limited answer to attempt number `attempt`: stop every start for `waitMs`, and go slower. */
	function rateLimited(attempt: number, waitMs: number) {
		const t = now();
		// Answers to attempts started before the last slow-down were sent at the old pace: they are not news.
		if (attempt > startCountAtSlowdown) {
			startCountAtSlowdown = startCount;
			const current = rate > 0 ? rate : startCount / Math.max(1, (t - firstStartAt) / 1000);
			setRate(Math.max(Math.min(current, MIN_RATE_PER_SECOND), current * RATE_LIMIT_SLOWDOWN));
		}
		lastSlowdownAt = t;
		pausedUntil = Math.max(pausedUntil, t + waitMs);
		nextStart = Math.max(pausedUntil, lastStartAt + gapMs);
		epoch++;
	}

	async function settle(index: number): Promise<Settled<R>> {
		for (let attempts = 1; ; attempts++) {
			const attempt = await startAttempt();
			if (attempt === 0) return { ok: false, error: new RunStoppedError(), attempts: attempts - 1 };
			try {
				return { ok: true, value: await run(feed.tasks[index], index), attempts };
			} catch (error) {
				const advice = options.adviseRetry(error);
				const waitMs = Math.max(validMs(advice.retryAfterMs), backoffMs(attempts, random));
				if (advice.rateLimited) rateLimited(attempt, waitMs);
				if (!advice.retry || attempts > maxRetries) {
					if (options.failFast) stopped = true;
					return { ok: false, error, attempts };
				}
				await sleep(waitMs);
			}
		}
	}

	const feed = new TaskFeed<T>();
	const results: Array<Settled<R>> = [];
	let settled = 0;
	/** Not a task's failure: the source or a callback threw. */
	let broken: { error: unknown } | undefined;

	async function fill() {
		try {
			for await (const task of source) {
				feed.push(task);
				if (broken) break;
			}
		} catch (error) {
			broken ??= { error };
		} finally {
			feed.end();
		}
	}

	async function worker() {
		for (let index = await feed.take(); index !== undefined && !broken; index = await feed.take()) {
			try {
				results[index] = await settle(index);
				settled++;
				options.onProgress?.(settled, feed.total);
			} catch (error) {
				broken ??= { error };
			}
		}
	}

	await Promise.all([fill(), ...Array.from({ length: concurrency }, worker)]);
	if (broken) throw broken.error;
	return results;
}

function backoffMs(retry: number, random: () => number): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
	return ceiling / 2 + (random() * ceiling) / 2;
}

function validMs(ms: number | undefined): number {
	return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : 0;
}
