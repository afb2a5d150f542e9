/**
 * Runs many small async tasks against a rate-limited service: a fixed number of workers, attempt starts
 * paced to a rate, retries with back-off, and a whole-run slow-down when the service says "too many".
 * It knows nothing about HTTP: the caller's `adviseRetry` turns an error into advice.
 *
 * Shared by all workers:
 * - pacing (`Pacer`): workers queue for their turn to start, and turns go out in order, at least `1000 / rate` ms
 *   apart (a limiter at exactly the rate sees no bursts). Nothing is booked ahead, so a pace that rises is the
 *   pace of the whole queue at once. A retry queues before first attempts: it has waited already.
 * - rate limits: the pace follows what the service accepts of the run (below).
 * - admission: an optional `admit` gate before every attempt (a budget of billed calls, say); a task it refuses
 *   settles with `NotAdmittedError`.
 * - halting: with `failFast`, a task failing for good halts the run, and so does the caller's `signal`. Nothing
 *   new starts; workers asleep in a back-off, waiting for a turn or at the admission gate wake at once, and what
 *   is left settles with `RunStoppedError` (a run that is going to fail should not pace through, or pay for, the
 *   rest).
 *
 * Rate limits. A rate-limited answer (429) says the pace is too fast, and the share of the run's answers it refused
 * says by how much: everything the run does about 429s follows from its answers of the last `ACCEPTED_WINDOW_MS`.
 * - slower: a fresh 429 (to an attempt started since the last slow-down) multiplies the pace by the share of the
 *   answers since the last slow-down that were accepted (each refusal slows the run once), counted over at least
 *   the answers the pace brings in the window (one refusal among a run's first two answers is one in a window, not
 *   half of them), lowering it by half at most. Runs that share one limit settle at their shares of it; a pace a
 *   little too fast for a limit, or a few requests bunched up on the way, cost a little pace.
 * - faster again: every quiet `RATE_RECOVERY_MS` (no 429) gives back half of what the pace lacks, and
 *   `FULL_RECOVERY_MS` quiet gives back all of it (unpaced: no pace again). The pace creeps up to the one that met
 *   the last 429, and tries that one again only once the service has stayed quiet for a while.
 * - a pause only when nothing gets through: when the service has accepted none of the run's answers in the window,
 *   a 429 stops every start, its task's included, until its Retry-After (or the back-off) has passed. While it
 *   accepts some, a 429 costs the run pace, never time, whether other requests were in flight or not: a
 *   Retry-After, even the shortest there is, is no reason to stop a run that only needs to go a little slower, and
 *   the refused task goes again after its back-off, at the slower pace.
 * - retries: a 429 within `LOST_RACE_WINDOW_MS` of the run's last accepted answer is a lost race for a limit that is
 *   shared or passing, and costs the task no retry: runs sharing one limit all get through, together at about the
 *   pace the limit allows, even one the others slowed to a trickle.
 *
 * Tasks may still be arriving while the first ones run (an async source): workers take them in order as they
 * come, so preparing the tasks and sending them overlap.
 */
import { sleep as n8nSleep } from 'n8n-workflow';

import { Pacer } from './pacer';

export interface RetryAdvice {
	retry: boolean;
	/**
	 * Minimum wait before the next attempt (e.g. from a Retry-After header); for a rate limit, only while nothing of
	 * the run gets through (see "Rate limits" above).
	 */
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
/** The answers a 429 is weighed against: the run's answers of this long. */
export const ACCEPTED_WINDOW_MS = 2_000;
/** A fresh 429 lowers the pace by at most this factor... */
export const MAX_RATE_LIMIT_SLOWDOWN = 0.5;
/** ...and never below this many starts per second (unless the caller asked for less). */
export const MIN_RATE_PER_SECOND = 1;
/** Each period this long without a 429 gives back half of what the pace lacks... */
export const RATE_RECOVERY_MS = 1_000;
/** ...and this long without one, the rest: the configured rate (or, unpaced, no pace). */
export const FULL_RECOVERY_MS = 5_000;
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
	// Each wait gets a signal of its own, cut when the race is decided: `halt` keeps one listener however many
	// workers wait (with one each, Node would warn of a leak in n8n's log once ten are in a back-off).
	const wait = async (ms: number) => {
		if (ms <= 0 || halt.signal.aborted) return;
		const cut = new AbortController();
		try {
			await Promise.race([sleep(ms, cut.signal), halted]);
		} finally {
			cut.abort();
		}
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
	/** The last 429 (or, after a pause, when requests went again: a pause says nothing about the pace). */
	let lastLimitedAt = -Infinity;
	let lastRecoveryAt = -Infinity;

	/** Gives back half of what the pace lacks after each quiet recovery period, and all of it after a long quiet. */
	function recoverRate(t: number) {
		if (rate === 0 || rate >= recoveryTarget) return;
		// An unpaced run that has recovered is unpaced again.
		if (t - lastLimitedAt >= FULL_RECOVERY_MS) setRate(configured > 0 ? recoveryTarget : 0);
		else if (t - Math.max(lastLimitedAt, lastRecoveryAt) >= RATE_RECOVERY_MS) {
			setRate(rate + (recoveryTarget - rate) / 2);
			lastRecoveryAt = t;
		}
	}

	// What has been started so far (for the observed rate and for "one slow-down per burst")
	let startCount = 0;
	let firstStartAt = 0;
	let startCountAtSlowdown = 0;
	/** When the service last accepted an answer of the run: what decides what a rate limit costs. */
	let lastSuccessAt = -Infinity;
	/** The answers of the last `ACCEPTED_WINDOW_MS`: when each came, whether it was a rate limit, and its number. */
	const recentAnswers: Array<{ at: number; limited: boolean; number: number }> = [];
	let answerCount = 0;
	/** The number of the answer that last slowed the run down: the answers after it are the news. */
	let answersAtSlowdown = 0;

	function answered(limited: boolean) {
		const t = now();
		recentAnswers.push({ at: t, limited, number: ++answerCount });
		while (recentAnswers[0].at <= t - ACCEPTED_WINDOW_MS) recentAnswers.shift();
	}

	/**
	 * The share of the run's recent answers since the last slow-down that were not rate limited (each refusal slows
	 * the run once), counted over at least the answers the pace `perSecond` brings in `ACCEPTED_WINDOW_MS`: the ones
	 * not in yet count as accepted, so one refusal among a run's first answers is not half of them.
	 */
	function acceptedShare(perSecond: number): number {
		const news = recentAnswers.filter((answer) => answer.number > answersAtSlowdown);
		const refused = news.filter((answer) => answer.limited).length;
		return 1 - refused / Math.max(1, news.length, (perSecond * ACCEPTED_WINDOW_MS) / 1000);
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
	 * A rate-limited answer to attempt number `attempt`: go slower, by the share of the news refused; and when the
	 * service accepted none of the recent answers, stop every start for `pauseMs`. Returns whether it did.
	 */
	function rateLimited(attempt: number, pauseMs: number): boolean {
		const t = now();
		answered(true);
		// Answers to attempts started before the last slow-down were sent at the old pace: they are not news.
		if (attempt > startCountAtSlowdown) {
			startCountAtSlowdown = startCount;
			const observed = startCount / Math.max(1, (t - firstStartAt) / 1000);
			if (rate === 0) recoveryTarget = observed;
			const current = rate > 0 ? rate : observed;
			const factor = Math.max(MAX_RATE_LIMIT_SLOWDOWN, acceptedShare(rate));
			setRate(Math.max(Math.min(current, MIN_RATE_PER_SECOND), current * factor));
			answersAtSlowdown = answerCount;
		}
		// Nothing accepted lately: the service refuses the run, not its pace.
		const refusesRun = recentAnswers.every((answer) => answer.limited);
		if (refusesRun) pacer.pause(t + pauseMs);
		lastLimitedAt = Math.max(t, pacer.pausedUntil);
		return refusesRun;
	}

	async function settle(index: number): Promise<Settled<R>> {
		let attempts = 0;
		let failures = 0;
		let lastError: unknown;
		for (;;) {
			if (halt.signal.aborted) return { ok: false, error: new RunStoppedError(), attempts };
			if (options.admit && !(await options.admit(halt.signal, index))) {
				const error = halt.signal.aborted ? new RunStoppedError() : new NotAdmittedError(lastError);
				return { ok: false, error, attempts };
			}
			const attempt = await startAttempt(attempts > 0);
			if (attempt === 0) return { ok: false, error: new RunStoppedError(), attempts };
			attempts++;
			try {
				const value = await run(feed.tasks[index], index);
				lastSuccessAt = now();
				answered(false);
				return { ok: true, value, attempts };
			} catch (error) {
				lastError = error;
				const advice = options.adviseRetry(error);
				// Rate limited while the service has lately answered the run: a lost race for capacity, not a failure.
				const lostRace = advice.rateLimited === true && now() - lastSuccessAt <= LOST_RACE_WINDOW_MS;
				if (!lostRace) failures++;
				const backoff = backoffMs(Math.max(1, failures), random);
				const waitMs = Math.max(validMs(advice.retryAfterMs), backoff);
				// A 429 while the service accepts others is answered by the pace, not by its Retry-After: the task goes
				// again after its back-off, at the slower pace.
				const paced = advice.rateLimited === true && !rateLimited(attempt, waitMs);
				if (!advice.retry || failures > maxRetries) {
					if (options.failFast) stopRun();
					return { ok: false, error, attempts };
				}
				await wait(paced ? backoff : waitMs);
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
