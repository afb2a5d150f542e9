/**
 * Runs many small async tasks against a rate-limited service: a fixed number of workers, attempt starts
 * paced to a rate, retries with back-off, and a whole-run slow-down when the service says "too many".
 * It knows nothing about HTTP: the caller's `adviseRetry` turns an error into advice.
 *
 * Shared by all workers:
 * - pacing (`Pacer`): workers queue for their turn to start, and turns go out in order, at least `1000 / rate` ms
 *   apart (a limiter at exactly the rate sees no bursts). Nothing is booked ahead, so a pace that rises is the
 *   pace of the whole queue at once. A retry queues before first attempts: it has waited already.
 * - slow-down: a rate-limited failure lowers the rate to about what the service accepted from this run lately,
 *   so runs that share one limit settle at their shares of it; every `RATE_RECOVERY_MS` without one gives back a
 *   step towards the configured rate (or, unpaced, lifts the pace again), so one stray 429 does not slow a long
 *   run to the end.
 * - pauses: a rate-limited failure while nothing else gets through pauses the turns until its Retry-After has
 *   passed, so nobody starts before then.
 * - admission: an optional `admit` gate before every attempt (a budget of billed calls, say); a task it refuses
 *   settles with `NotAdmittedError`.
 * - halting: with `failFast`, a task failing for good halts the run, and so does the caller's `signal`. Nothing
 *   new starts; workers asleep in a back-off, waiting for a turn or at the admission gate wake at once, and what
 *   is left settles with `RunStoppedError` (a run that is going to fail should not pace through, or pay for, the
 *   rest).
 *
 * A rate-limited failure while the service answers other tasks of the run is a lost race for a limit that is
 * shared (several executions, one token) or passing: it slows the pace but pauses nobody. While the service has
 * answered the run lately (`LOST_RACE_WINDOW_MS`), a rate limit costs the task no retry either, so runs sharing
 * one limit all get through, together at about the pace the limit allows, even one the others slowed to a trickle.
 *
 * Tasks may still be arriving while the first ones run (an async source): workers take them in order as they
 * come, so preparing the tasks and sending them overlap.
 */
import { sleep as n8nSleep } from 'n8n-workflow';

import { Pacer } from './pacer';

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
	/** Extra attempts after the first that a task may use up by failing (see the note on rate limits above). */
	maxRetries: number;
	/** Once a task has failed for good, halt the run (for callers that fail the whole run on the first error). */
	failFast?: boolean;
	/** Halts the run from outside (the execution was cancelled). */
	signal?: AbortSignal;
	adviseRetry: (error: unknown) => RetryAdvice;
	/**
	 * Asked before each attempt, before its pacing slot: resolve true to go ahead, false to settle the task with
	 * `NotAdmittedError`. `signal` fires when the run halts, so a gate that waits can give up.
	 */
	admit?: (signal: AbortSignal, index: number) => Promise<boolean>;
	/** Called once each task has settled, whatever its result (before `onProgress`). */
	onSettled?: (index: number) => void;
	/** Called after each task settles; `total` is undefined while the source is still producing tasks. */
	onProgress?: (settled: number, total: number | undefined) => void;
	/** Resolves after `ms`, or earlier when `signal` fires (it may then reject; that is ignored). */
	sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
	now?: () => number;
	/** Source of jitter, in [0, 1). */
	random?: () => number;
}

/** The result of a task that never (or never again) started because the run halted. */
export class RunStoppedError extends Error {
	constructor() {
		super('Not sent: the run stopped at an earlier error');
		this.name = 'RunStoppedError';
	}
}

/** The result of a task whose next attempt `admit` refused; `lastError` is what its previous attempt met. */
export class NotAdmittedError extends Error {
	constructor(readonly lastError: unknown) {
		super('Not sent: the run refused another attempt');
		this.name = 'NotAdmittedError';
	}
}

export type Settled<R> =
	| { ok: true; value: R; attempts: number }
	| { ok: false; error: unknown; attempts: number };

/** Back-off before retry n is drawn from [ceiling / 2, ceiling] ("equal jitter"), ceiling = base · 2^(n-1). */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;
/**
 * Each fresh rate-limit answer scales the pace by the share of this run's answers over the last
 * `ACCEPTED_WINDOW_MS` that were not rate limited (what the service accepts of it, when other runs use the same
 * limit), times a margin...
 */
export const ACCEPTED_WINDOW_MS = 2_000;
export const ACCEPTED_RATE_MARGIN = 0.95;
/** ...lowering it by at least this factor and at most by half... */
export const RATE_LIMIT_SLOWDOWN = 0.9;
export const MAX_RATE_LIMIT_SLOWDOWN = 0.5;
/** ...and never below this many starts per second (unless the caller asked for less). */
export const MIN_RATE_PER_SECOND = 1;
/** After this long without a rate-limit answer, the pace rises by one step... */
export const RATE_RECOVERY_MS = 1_000;
/** ...of this share of the configured rate (or, unpaced, of the rate it was slowed from), up to that rate. */
export const RATE_RECOVERY_STEP = 0.2;
/**
 * A rate-limited answer within this long of the run's last accepted answer is a lost race for a limit the service
 * is still granting (one shared with other runs, or a burst passing): it costs the task no retry. Long enough to
 * span a few retries' Retry-After, so a run slowed to a trickle by others on the same limit does not give up.
 */
export const LOST_RACE_WINDOW_MS = 5_000;

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
 * (`adviseRetry`, `admit`, `onSettled`, `onProgress`) rejects, after the attempts already in flight have finished
 * and no new ones were started; an async source is then closed (its `return` runs).
 */
export async function runScheduled<T, R>(
	source: Iterable<T> | AsyncIterable<T>,
	run: (task: T, index: number) => Promise<R>,
	options: SchedulerOptions,
): Promise<Array<Settled<R>>> {
	const sleep = options.sleep ?? defaultSleep;
	const now = options.now ?? Date.now;
	const random = options.random ?? Math.random;
	const concurrency = Math.max(1, Math.floor(options.concurrency) || 1);
	const maxRetries = Math.max(0, Math.floor(options.maxRetries) || 0);

	// Halting: every wait ends early once the run halts.
	const halt = new AbortController();
	const halted = new Promise<void>((resolve) => halt.signal.addEventListener('abort', () => resolve(), { once: true }));
	const stopRun = () => halt.abort();
	if (options.signal?.aborted) stopRun();
	options.signal?.addEventListener('abort', stopRun, { once: true });
	const wait = async (ms: number) => {
		if (ms > 0 && !halt.signal.aborted) await Promise.race([sleep(ms, halt.signal), halted]);
	};

	// Pacing
	let rate = 0;
	const pacer = new Pacer({ now, sleep }, halt.signal, recoverRate);
	const setRate = (perSecond: number) => {
		rate = perSecond;
		pacer.setRate(perSecond);
	};
	const configured = options.maxRequestsPerSecond;
	setRate(Number.isFinite(configured) && configured > 0 ? configured : 0);
	/** The rate recovery climbs back to: the configured one, or for an unpaced run the one it was slowed from. */
	let recoveryTarget = rate;
	let lastSlowdownAt = -Infinity;

	/** Gives back a step of pace for each quiet recovery period since the last slow-down. */
	function recoverRate(t: number) {
		if (rate === 0 || rate >= recoveryTarget || t - lastSlowdownAt < RATE_RECOVERY_MS) return;
		const step = recoveryTarget * RATE_RECOVERY_STEP;
		// An unpaced run that has climbed back to where it was slowed from is unpaced again.
		setRate(configured > 0 || rate + step < recoveryTarget ? Math.min(recoveryTarget, rate + step) : 0);
		lastSlowdownAt = t;
	}

	// What has been started so far (for the observed rate and for "one slow-down per burst")
	let startCount = 0;
	let firstStartAt = 0;
	let startCountAtSlowdown = 0;
	/** Attempts answered without error, and when the last one was: what decides what a rate limit costs. */
	let succeeded = 0;
	let lastSuccessAt = -Infinity;
	/** The answers of the last `ACCEPTED_WINDOW_MS`: when each came, and whether it was a rate limit. */
	const recentAnswers: Array<{ at: number; limited: boolean }> = [];

	function answered(limited: boolean) {
		const t = now();
		recentAnswers.push({ at: t, limited });
		while (recentAnswers[0].at <= t - ACCEPTED_WINDOW_MS) recentAnswers.shift();
	}

	/** The share of this run's recent answers that were not rate limited. */
	function acceptedShare(): number {
		return recentAnswers.filter((answer) => !answer.limited).length / Math.max(1, recentAnswers.length);
	}

	/**
	 * Waits for this worker's turn to start an attempt; returns the attempt's sequence number (1, 2, ...),
	 * or 0 when the run has halted.
	 */
	async function startAttempt(retry: boolean): Promise<number> {
		if (!(await pacer.turn(retry))) return 0;
		if (startCount === 0) firstStartAt = now();
		return ++startCount;
	}

	/**
	 * A rate-limited answer to attempt number `attempt`: go slower, and stop every start for `pauseMs` (0 while
	 * other tasks are being answered: the limit is shared or passing, and a slower pace is the answer to it).
	 */
	function rateLimited(attempt: number, pauseMs: number) {
		const t = now();
		// Answers to attempts started before the last slow-down were sent at the old pace: they are not news.
		if (attempt > startCountAtSlowdown) {
			startCountAtSlowdown = startCount;
			const observed = startCount / Math.max(1, (t - firstStartAt) / 1000);
			if (rate === 0) recoveryTarget = observed;
			const current = rate > 0 ? rate : observed;
			const factor = Math.min(RATE_LIMIT_SLOWDOWN, Math.max(MAX_RATE_LIMIT_SLOWDOWN, acceptedShare() * ACCEPTED_RATE_MARGIN));
			setRate(Math.max(Math.min(current, MIN_RATE_PER_SECOND), current * factor));
		}
		if (pauseMs > 0) pacer.pause(t + pauseMs);
		// Quiet time counts from when requests go again: a pause says nothing about the pace.
		lastSlowdownAt = Math.max(t, pacer.pausedUntil);
	}

	async function settle(index: number): Promise<Settled<R>> {
		let attempts = 0;
		let failures = 0;
		let lastError: unknown;
		/** The run's progress when this task's previous attempt started. */
		let progressAtPrevious: number | undefined;
		for (;;) {
			if (halt.signal.aborted) return { ok: false, error: new RunStoppedError(), attempts };
			if (options.admit && !(await options.admit(halt.signal, index))) {
				const error = halt.signal.aborted ? new RunStoppedError() : new NotAdmittedError(lastError);
				return { ok: false, error, attempts };
			}
			const attempt = await startAttempt(attempts > 0);
			if (attempt === 0) return { ok: false, error: new RunStoppedError(), attempts };
			attempts++;
			const progressAtStart = succeeded;
			try {
				const value = await run(feed.tasks[index], index);
				succeeded++;
				lastSuccessAt = now();
				answered(false);
				return { ok: true, value, attempts };
			} catch (error) {
				lastError = error;
				const advice = options.adviseRetry(error);
				if (advice.rateLimited) answered(true);
				// Rate limited while the service answered others of the run (since this task's previous attempt, or
				// during this one): the limit is shared or passing, and a slower pace, not a pause, is the answer.
				const othersAnswered = succeeded > (progressAtPrevious ?? progressAtStart);
				progressAtPrevious = progressAtStart;
				// Rate limited while the service has lately answered the run: a lost race for capacity, not a failure.
				const lostRace = advice.rateLimited === true && now() - lastSuccessAt <= LOST_RACE_WINDOW_MS;
				if (!lostRace) failures++;
				const waitMs = Math.max(validMs(advice.retryAfterMs), backoffMs(Math.max(1, failures), random));
				if (advice.rateLimited) rateLimited(attempt, othersAnswered ? 0 : waitMs);
				if (!advice.retry || failures > maxRetries) {
					if (options.failFast) stopRun();
					return { ok: false, error, attempts };
				}
				await wait(waitMs);
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
				options.onSettled?.(index);
				options.onProgress?.(settled, feed.total);
			} catch (error) {
				broken ??= { error };
				stopRun();
			}
		}
	}

	try {
		await Promise.all([fill(), ...Array.from({ length: concurrency }, worker)]);
	} finally {
		options.signal?.removeEventListener('abort', stopRun);
		stopRun();
	}
	if (broken) throw broken.error;
	return results;
}

/** n8n's sleep, ended early by the signal where the n8n in use supports that (the race above covers the rest). */
async function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
	await n8nSleep(ms, signal);
}

function backoffMs(retry: number, random: () => number): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
	return ceiling / 2 + (random() * ceiling) / 2;
}

function validMs(ms: number | undefined): number {
	return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : 0;
}
