import { getEventListeners } from 'node:events';

import { sleep as n8nSleep } from 'n8n-workflow';

import {
	ACCEPTED_WINDOW_MS,
	BACKOFF_BASE_MS,
	FULL_RECOVERY_MS,
	LOST_RACE_WINDOW_MS,
	NotAdmittedError,
	RunStoppedError,
	runScheduled,
	type RetryAdvice,
	type SchedulerOptions,
} from '../../nodes/AceDataPhoneVerify/scheduler';
import { busiestSecond } from '../support/busiestSecond';
import type { VirtualClock } from '../support/virtualClock';
import { virtualClock } from '../support/virtualClock';

type Clock = VirtualClock;

class Retryable extends Error {
	constructor(readonly advice: Omit<RetryAdvice, 'retry'> = {}) {
		super('retryable');
	}
}
class Fatal extends Error {}

const adviseRetry = (error: unknown): RetryAdvice =>
	error instanceof Retryable ? { retry: true, ...error.advice } : { retry: false };

/** Records every attempt (task index, start and end time) and how many were in flight at once. */
function recorder(clock: Clock) {
	const attempts: Array<{ index: number; start: number; end?: number }> = [];
	let inFlight = 0;
	let maxInFlight = 0;
	return {
		attempts,
		starts: () => attempts.map((a) => a.start),
		startsOf: (index: number) => attempts.filter((a) => a.index === index).map((a) => a.start),
		maxInFlight: () => maxInFlight,
		/** Wraps a task body: `body` may sleep on the clock to play latency. */
		wrap<T, R>(body: (task: T, index: number) => Promise<R>) {
			return async (task: T, index: number): Promise<R> => {
				const record: { index: number; start: number; end?: number } = { index, start: clock.now() };
				attempts.push(record);
				maxInFlight = Math.max(maxInFlight, ++inFlight);
				try {
					return await body(task, index);
				} finally {
					inFlight--;
					record.end = clock.now();
				}
			};
		},
	};
}

function options(clock: Clock, overrides: Partial<SchedulerOptions> = {}): SchedulerOptions {
	return {
		concurrency: 5,
		maxRequestsPerSecond: 0,
		maxRetries: 3,
		adviseRetry,
		sleep: clock.sleep,
		now: clock.now,
		random: () => 0.5,
		...overrides,
	};
}

/**
 * Runs `count` tasks on a fresh virtual clock, recording every attempt: each task takes `latencyMs`, and the tasks
 * in `refused` are refused as rate-limited (with `retryAfterMs`) on their first `times` attempts (once by default),
 * then succeed.
 */
async function runWithRefusals(
	count: number,
	{ refused, latencyMs, retryAfterMs, times = 1 }: { refused: number[]; latencyMs: number; retryAfterMs?: number; times?: number },
	overrides: Partial<SchedulerOptions>,
) {
	const clock = virtualClock();
	const rec = recorder(clock);
	const refusals = new Map<number, number>();
	const task = async (i: number) => {
		await clock.sleep(latencyMs);
		if (refused.includes(i) && (refusals.get(i) ?? 0) < times) {
			refusals.set(i, (refusals.get(i) ?? 0) + 1);
			throw new Retryable({ rateLimited: true, retryAfterMs });
		}
		return i;
	};
	const results = await clock.drive(runScheduled(range(count), rec.wrap(task), options(clock, overrides)));
	return { rec, results };
}

/** The time between each start and the next. */
const gapsOf = (starts: number[]) => starts.slice(1).map((s, i) => s - starts[i]);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('runScheduled', () => {
	it('returns one result per task, in task order, whatever order they finish in', async () => {
		const clock = virtualClock();
		const tasks = [50, 10, 40, 0, 30, 20, 5];
		const results = await clock.drive(
			runScheduled(
				tasks,
				async (latency, index) => {
					await clock.sleep(latency);
					return `${index}:${latency}`;
				},
				options(clock, { concurrency: 3 }),
			),
		);
		expect(results).toEqual(tasks.map((latency, i) => ({ ok: true, value: `${i}:${latency}`, attempts: 1 })));
	});

	it('resolves with an empty list for no tasks', async () => {
		const clock = virtualClock();
		await expect(runScheduled([], async () => 1, options(clock))).resolves.toEqual([]);
	});

	it('never has more than `concurrency` attempts in flight, and uses all of them', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const latencies = range(40).map((i) => (i * 37) % 90);
		await clock.drive(
			runScheduled(latencies, rec.wrap(async (ms: number) => clock.sleep(ms)), options(clock, { concurrency: 4 })),
		);
		expect(rec.attempts).toHaveLength(40);
		expect(rec.maxInFlight()).toBe(4);
	});

	it('counts retries waiting for their back-off as not in flight, yet keeps the cap', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const failures = new Map<number, number>();
		await clock.drive(
			runScheduled(
				range(20),
				rec.wrap(async (i: number) => {
					await clock.sleep(10);
					const failed = failures.get(i) ?? 0;
					if (i % 3 === 0 && failed < 2) {
						failures.set(i, failed + 1);
						throw new Retryable();
					}
				}),
				options(clock, { concurrency: 3 }),
			),
		);
		expect(rec.attempts).toHaveLength(20 + 2 * 7);
		expect(rec.maxInFlight()).toBeLessThanOrEqual(3);
	});

	it('paces starts evenly: the first at once, then one every 1000/rate ms, never more than `rate` in a second', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		await clock.drive(
			runScheduled(range(20), rec.wrap(async () => undefined), options(clock, { concurrency: 10, maxRequestsPerSecond: 4 })),
		);
		expect(rec.starts()).toEqual(range(20).map((i) => i * 250));
		expect(busiestSecond(rec.starts())).toBe(4);
	});

	it('keeps the rate cap with latency, several workers and retries counted as starts', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		let calls = 0;
		await clock.drive(
			runScheduled(
				range(60),
				rec.wrap(async (i: number) => {
					await clock.sleep((i * 53) % 170);
					if (++calls % 7 === 0) throw new Retryable();
				}),
				options(clock, { concurrency: 8, maxRequestsPerSecond: 20 }),
			),
		);
		const starts = rec.starts();
		expect(starts.length).toBeGreaterThan(60);
		expect(busiestSecond(starts)).toBeLessThanOrEqual(20);
		starts.slice(1).forEach((start, i) => expect(start - starts[i]).toBeGreaterThanOrEqual(50));
	});

	it('rounds a fractional gap up, so a rate that does not divide 1000 is still a cap', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		await clock.drive(
			runScheduled(range(12), rec.wrap(async () => undefined), options(clock, { concurrency: 3, maxRequestsPerSecond: 3 })),
		);
		expect(rec.starts()).toEqual(range(12).map((i) => i * 334));
		expect(busiestSecond(rec.starts())).toBe(3);
	});

	it('retries a retryable failure up to maxRetries times, then reports the last error and the attempt count', async () => {
		const clock = virtualClock();
		let calls = 0;
		const results = await clock.drive(
			runScheduled(
				['x'],
				async () => {
					calls++;
					throw new Retryable({ retryAfterMs: calls });
				},
				options(clock, { maxRetries: 3 }),
			),
		);
		expect(calls).toBe(4);
		expect(results).toHaveLength(1);
		expect(results[0]).toMatchObject({ ok: false, attempts: 4 });
		expect((results[0] as { error: Retryable }).error.advice.retryAfterMs).toBe(4);
	});

	it('succeeds after some retries and never runs a success again', async () => {
		const clock = virtualClock();
		const calls = new Map<number, number>();
		const results = await clock.drive(
			runScheduled(
				[0, 1, 2],
				async (i: number) => {
					const n = (calls.get(i) ?? 0) + 1;
					calls.set(i, n);
					if (n <= i) throw new Retryable();
					return `done ${i}`;
				},
				options(clock, { maxRetries: 5 }),
			),
		);
		expect(results).toEqual([
			{ ok: true, value: 'done 0', attempts: 1 },
			{ ok: true, value: 'done 1', attempts: 2 },
			{ ok: true, value: 'done 2', attempts: 3 },
		]);
		expect([...calls.values()]).toEqual([1, 2, 3]);
	});

	it('does not retry when the advice says no, nor when maxRetries is 0', async () => {
		const clock = virtualClock();
		let calls = 0;
		const fatal = new Fatal('bad input');
		const results = await clock.drive(
			runScheduled(
				['fatal', 'retryable'],
				async (kind) => {
					calls++;
					throw kind === 'fatal' ? fatal : new Retryable();
				},
				options(clock, { maxRetries: 0 }),
			),
		);
		expect(calls).toBe(2);
		expect(results[0]).toEqual({ ok: false, error: fatal, attempts: 1 });
		expect(results[1]).toMatchObject({ ok: false, attempts: 1 });

		calls = 0;
		const again = await clock.drive(
			runScheduled(['fatal'], async () => {
				calls++;
				throw fatal;
			}, options(clock, { maxRetries: 5 })),
		);
		expect(calls).toBe(1);
		expect(again[0]).toEqual({ ok: false, error: fatal, attempts: 1 });
		expect(clock.sleeps).toEqual([]);
	});

	it('turns a task that throws synchronously into a failed result', async () => {
		const clock = virtualClock();
		const results = await clock.drive(
			runScheduled(
				[1],
				(() => {
					throw new Fatal('sync');
				}) as () => Promise<never>,
				options(clock),
			),
		);
		expect(results[0]).toMatchObject({ ok: false, attempts: 1 });
	});

	it('backs off exponentially with jitter between half and all of base · 2^(n-1)', async () => {
		for (const [jitter, expected] of [
			[0, [250, 500, 1000, 2000]],
			[1, [500, 1000, 2000, 4000]],
		] as const) {
			const clock = virtualClock();
			const rec = recorder(clock);
			await clock.drive(
				runScheduled(
					['x'],
					rec.wrap(async () => {
						throw new Retryable();
					}),
					options(clock, { maxRetries: 4, random: () => jitter }),
				),
			);
			const starts = rec.starts();
			expect(starts.slice(1).map((s, i) => s - starts[i])).toEqual(expected);
			expect(expected[0]).toBe((BACKOFF_BASE_MS * (1 + jitter)) / 2);
		}
	});

	it('caps the back-off', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		await clock.drive(
			runScheduled(
				['x'],
				rec.wrap(async () => {
					throw new Retryable();
				}),
				options(clock, { maxRetries: 12, random: () => 1 }),
			),
		);
		const starts = rec.starts();
		const waits = starts.slice(1).map((s, i) => s - starts[i]);
		expect(Math.max(...waits)).toBe(30_000);
		expect(waits.slice(-3)).toEqual([30_000, 30_000, 30_000]);
	});

	it('honours retryAfterMs as the minimum wait, and ignores a nonsense one', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const afters = [5_000, 10, Number.NaN, -3];
		await clock.drive(
			runScheduled(
				['x'],
				rec.wrap(async () => {
					const retryAfterMs = afters.shift();
					if (retryAfterMs !== undefined) throw new Retryable({ retryAfterMs });
				}),
				options(clock, { maxRetries: 4, random: () => 0 }),
			),
		);
		const starts = rec.starts();
		// 5000 beats the back-off of 250; then the back-off (500, 1000, 2000) beats 10, NaN and -3.
		expect(starts.slice(1).map((s, i) => s - starts[i])).toEqual([5_000, 500, 1_000, 2_000]);
	});

	it.each([
		['with a Retry-After', 1_000],
		['without one', undefined],
	])('a lone 429 while the service accepts the others stops nobody (%s): its task goes again after its back-off', async (_, retryAfterMs) => {
		// Answers come in 20 ms, before the next start is due (50 ms): the refused request is the only one in flight.
		const { rec, results } = await runWithRefusals(
			40,
			{ refused: [10], latencyMs: 20, retryAfterMs },
			{ concurrency: 4, maxRequestsPerSecond: 20 },
		);
		expect(results.every((r) => r.ok)).toBe(true);
		// A slow-down lowers the pace by half at most: no two starts are further apart than two of its gaps.
		expect(Math.max(...gapsOf(rec.starts()))).toBeLessThanOrEqual(2 * 50);
		// The refused task waits its back-off (between half and all of the first one's ceiling), not a Retry-After.
		const [refused, retry] = rec.attempts.filter((a) => a.index === 10);
		expect(retry.start - refused.end!).toBeGreaterThanOrEqual(BACKOFF_BASE_MS / 2);
		expect(retry.start - refused.end!).toBeLessThan(BACKOFF_BASE_MS + 2 * 50);
	});

	it("pauses every worker until the Retry-After once the service has accepted none of the run's answers lately", async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		// The service answers for a second, refuses every request sent in the next three (Retry-After: 1.5 s), then
		// answers again.
		const outage = { from: 1_000, to: 4_000 };
		const results = await clock.drive(
			runScheduled(
				range(100),
				rec.wrap(async (i: number) => {
					const sentAt = clock.now();
					await clock.sleep(30);
					if (sentAt >= outage.from && sentAt < outage.to) throw new Retryable({ rateLimited: true, retryAfterMs: 1_500 });
					return i;
				}),
				options(clock, { concurrency: 20, maxRequestsPerSecond: 20 }),
			),
		);
		expect(results.every((r) => r.ok)).toBe(true);
		const lastAccepted = Math.max(...rec.attempts.filter((a) => a.start < outage.from).map((a) => a.end!));
		const refusals = rec.attempts.filter((a) => a.start >= outage.from && a.start < outage.to).map((a) => a.end!);
		// Refusals while the last accepted answer is within ACCEPTED_WINDOW_MS slow the run down; the first one after
		// that stops every start for its Retry-After.
		const nothingAccepted = refusals.find((t) => t - lastAccepted >= ACCEPTED_WINDOW_MS)!;
		expect(rec.starts().filter((s) => s > lastAccepted && s <= nothingAccepted).length).toBeGreaterThan(10);
		expect(rec.starts().filter((s) => s > nothingAccepted && s < nothingAccepted + 1_500)).toEqual([]);
	});

	it('counts a 429 among the first answers of a run as one refusal in the answers a window brings, not half of them', async () => {
		// Task 1 is refused: one of the run's first two answers.
		const { rec } = await runWithRefusals(
			60,
			{ refused: [1], latencyMs: 20, retryAfterMs: 1_000 },
			{ concurrency: 4, maxRequestsPerSecond: 20 },
		);
		// 20 starts a second bring 40 answers in ACCEPTED_WINDOW_MS: one refused costs a fortieth of the pace.
		const answersInWindow = (20 * ACCEPTED_WINDOW_MS) / 1000;
		const slowest = Math.ceil(1000 / (20 * (1 - 1 / answersInWindow)));
		const gaps = gapsOf(rec.starts());
		expect(Math.max(...gaps)).toBeGreaterThan(50);
		expect(Math.max(...gaps)).toBeLessThanOrEqual(slowest);
	});

	it('lowers the pace once for each refusal: two lone 429s a moment apart cost two refusals, not three', async () => {
		// Tasks 10 and 12 are refused, 100 ms apart. The first 429 is still among the recent answers when the second
		// comes, and must not count again.
		const { rec } = await runWithRefusals(
			60,
			{ refused: [10, 12], latencyMs: 20, retryAfterMs: 1_000 },
			{ concurrency: 4, maxRequestsPerSecond: 20 },
		);
		const answersInWindow = (20 * ACCEPTED_WINDOW_MS) / 1000;
		const slowest = Math.ceil(1000 / (20 * (1 - 1 / answersInWindow) ** 2));
		expect(Math.max(...gapsOf(rec.starts()))).toBeLessThanOrEqual(slowest);
	});

	it('keeps the pace below the one that met a 429 until FULL_RECOVERY_MS passes without another, climbing back all the while', async () => {
		const { rec } = await runWithRefusals(
			200,
			{ refused: [5], latencyMs: 10, retryAfterMs: 1_000 },
			{ concurrency: 4, maxRequestsPerSecond: 20 },
		);
		const starts = rec.starts();
		const refusedAt = rec.attempts.find((a) => a.index === 5)!.end!;
		/** The gaps between consecutive starts that both fall in [from, to). */
		const gapsWithin = (from: number, to: number) => gapsOf(starts.filter((s) => s >= from && s < to));
		const slowed = gapsWithin(refusedAt, refusedAt + FULL_RECOVERY_MS);
		// Below the 20/s that met the 429 (50 ms apart) while it is recent...
		expect(Math.min(...slowed)).toBeGreaterThan(50);
		// ...rising all the while: no gap longer than the one before it, and shorter ones by its end...
		slowed.slice(1).forEach((gap, i) => expect(gap).toBeLessThanOrEqual(slowed[i]));
		expect(slowed.at(-1)).toBeLessThan(slowed[0]);
		// ...and the configured pace again once FULL_RECOVERY_MS has passed without a 429.
		expect(new Set(gapsWithin(refusedAt + FULL_RECOVERY_MS, Infinity))).toEqual(new Set([50]));
		expect(busiestSecond(starts)).toBeLessThanOrEqual(20);
	});

	it('gives the next turn to a retry before a first attempt that queued earlier: the retry has waited already', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		let failedOnce = false;
		await clock.drive(
			runScheduled(
				range(2),
				rec.wrap(async (i: number) => {
					if (i === 0 && !failedOnce) {
						failedOnce = true;
						throw new Retryable();
					}
				}),
				options(clock, { concurrency: 2, maxRequestsPerSecond: 1, random: () => 0 }),
			),
		);
		// Task 1 queues for the turn at t=1000 from t=0; task 0 fails at once and queues its retry after a 250 ms
		// back-off, behind it, yet takes that turn.
		expect(rec.attempts.map(({ index, start }) => [index, start])).toEqual([
			[0, 0],
			[0, 1_000],
			[1, 2_000],
		]);
	});

	it('keeps a full gap after a start that woke late, so a limiter at exactly the rate sees no burst', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		// A busy event loop: every third sleep wakes 20 ms late.
		let calls = 0;
		const lateSleep = (ms: number) => clock.sleep(++calls % 3 === 0 ? ms + 20 : ms);
		await clock.drive(
			runScheduled(
				range(60),
				rec.wrap(async () => await clock.sleep(5)),
				options(clock, { concurrency: 5, maxRequestsPerSecond: 20, sleep: lateSleep }),
			),
		);
		const starts = rec.starts();
		const gaps = starts.slice(1).map((s, i) => s - starts[i]);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50);
		expect(gaps.some((g) => g > 50)).toBe(true);
	});

	it('lowers the pace once per burst of 429s, not once per refused request', async () => {
		// Five requests in flight together (300 ms each, started 50 ms apart), the first `refusedTasks` of them refused:
		// the gaps between the first ten starts after the burst.
		const gapsAfterBurst = async (refusedTasks: number) => {
			const clock = virtualClock();
			const rec = recorder(clock);
			const refused = new Set<number>();
			await clock.drive(
				runScheduled(
					range(30),
					rec.wrap(async (i: number) => {
						await clock.sleep(300);
						if (i < refusedTasks && !refused.has(i)) {
							refused.add(i);
							throw new Retryable({ rateLimited: true, retryAfterMs: 1_000 });
						}
					}),
					options(clock, { concurrency: 5, maxRequestsPerSecond: 20 }),
				),
			);
			return gapsOf(rec.starts().slice(5, 16));
		};
		const wholeBurst = await gapsAfterBurst(5);
		expect(Math.min(...wholeBurst)).toBeGreaterThan(50);
		// Five refusals of one burst cost what its first alone costs.
		expect(wholeBurst).toEqual(await gapsAfterBurst(1));
	});

	it('keeps slowing down while 429s keep coming, but not below 1 per second', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		await clock.drive(
			runScheduled(
				range(40),
				rec.wrap(async () => {
					throw new Retryable({ rateLimited: true, retryAfterMs: 1 });
				}),
				options(clock, { concurrency: 1, maxRequestsPerSecond: 8, maxRetries: 0, random: () => 0 }),
			),
		);
		// Nothing is ever accepted: each refusal lowers the pace (no gap shorter than the one before it), down to one
		// start a second, and no further.
		const gaps = gapsOf(rec.starts());
		gaps.slice(1).forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(gaps[i]));
		expect(gaps[0]).toBeLessThan(1_000);
		expect(gaps.slice(-5)).toEqual(Array(5).fill(1_000));
	});

	it('pauses the run on a 429 even when that task will not be retried', async () => {
		const { rec, results } = await runWithRefusals(
			6,
			{ refused: [0], latencyMs: 10, retryAfterMs: 3_000 },
			{ concurrency: 2, maxRetries: 0 },
		);
		expect(results[0]).toMatchObject({ ok: false, attempts: 1 });
		// Task 1 started with task 0. Task 0 was refused at t=10, before anything was accepted: no start after it
		// comes before its Retry-After has passed (t=3010), and every other task still runs.
		const starts = rec.starts();
		expect(starts.slice(0, 2)).toEqual([0, 0]);
		expect(Math.min(...starts.slice(2))).toBe(3_010);
		expect(results.slice(1).every((r) => r.ok)).toBe(true);
	});

	it('with no rate limit, a 429 introduces a pace below the rate observed so far, which climbs back to unpaced', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		let refusedOnce = false;
		const task = async (i: number) => {
			// 4 in flight, 50-149 ms each: about 40 starts a second, some close together, until task 200 is refused.
			await clock.sleep(50 + ((i * 37) % 100));
			if (i === 200 && !refusedOnce) {
				refusedOnce = true;
				throw new Retryable({ rateLimited: true, retryAfterMs: 1_000 });
			}
		};
		await clock.drive(runScheduled(range(800), rec.wrap(task), options(clock, { concurrency: 4 })));
		const starts = rec.starts();
		const refusedAt = rec.attempts.find((a) => a.index === 200)!.end!;
		const within = (from: number, to: number) => starts.filter((s) => s > from && s < to);
		/** The time between starts at the rate observed until the 429. */
		const observedGap = refusedAt / within(-1, refusedAt).length;
		// Unpaced until then: some starts closer together than that.
		expect(Math.min(...gapsOf(within(-1, refusedAt)))).toBeLessThan(observedGap);
		// Then a pace below the rate observed, without a pause (tasks 197-199 had just been accepted)...
		const slowed = within(refusedAt, refusedAt + FULL_RECOVERY_MS);
		expect(Math.min(...gapsOf(slowed))).toBeGreaterThanOrEqual(observedGap);
		expect(slowed[0] - refusedAt).toBeLessThanOrEqual(2 * observedGap);
		// ...and unpaced again once FULL_RECOVERY_MS has passed without a 429: starts close together once more.
		expect(Math.min(...gapsOf(within(refusedAt + FULL_RECOVERY_MS, Infinity)))).toBeLessThan(observedGap);
	});

	it('does not sleep at all when the rate is unlimited and nothing fails (10,000 tasks)', async () => {
		const sleep = jest.fn(async () => undefined);
		const results = await runScheduled(range(10_000), async (i) => i * 2, {
			concurrency: 50,
			maxRequestsPerSecond: 0,
			maxRetries: 3,
			adviseRetry,
			sleep,
		});
		expect(sleep).not.toHaveBeenCalled();
		expect(results).toHaveLength(10_000);
		expect(results[9_999]).toEqual({ ok: true, value: 19_998, attempts: 1 });
	});

	it("works with n8n-workflow's own sleep and the real clock", async () => {
		let calls = 0;
		const results = await runScheduled(
			range(5),
			async (i) => {
				if (i === 2 && calls++ === 0) throw new Retryable({ retryAfterMs: 1 });
				return i;
			},
			{ concurrency: 2, maxRequestsPerSecond: 1_000, maxRetries: 1, adviseRetry, random: () => 0 },
		);
		expect(results.map((r) => r.ok && r.value)).toEqual([0, 1, 2, 3, 4]);
	});

	it('hands each wait a signal of its own: twenty workers in a back-off leave a handful of listeners on any one', async () => {
		// Node warns of a leak in n8n's log past ten abort listeners on one signal.
		let most = 0;
		const sleep = async (ms: number, signal: AbortSignal) => {
			const asleep = n8nSleep(ms, signal);
			most = Math.max(most, getEventListeners(signal, 'abort').length);
			await asleep;
		};
		const failing = async () => {
			throw new Retryable();
		};
		const results = await runScheduled(range(20), failing, {
			concurrency: 20,
			maxRequestsPerSecond: 0,
			maxRetries: 1,
			adviseRetry,
			sleep,
			random: () => 0,
		});
		expect(results.map((r) => r.attempts)).toEqual(range(20).map(() => 2));
		expect(most).toBeLessThanOrEqual(3);
	});

	it('reports progress after each task settles, failures included', async () => {
		const clock = virtualClock();
		const progress: Array<[number, number | undefined]> = [];
		await clock.drive(
			runScheduled(
				range(5),
				async (i: number) => {
					await clock.sleep(10 * (5 - i));
					if (i === 3) throw new Fatal();
				},
				options(clock, { concurrency: 2, onProgress: (done, total) => progress.push([done, total]) }),
			),
		);
		expect(progress).toEqual(range(5).map((i) => [i + 1, 5]));
	});

	it('rejects when a callback throws, after starting nothing new', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const promise = runScheduled(
			range(10),
			rec.wrap(async () => clock.sleep(10)),
			options(clock, {
				concurrency: 2,
				onProgress: (done) => {
					if (done === 3) throw new Error('progress broke');
				},
			}),
		);
		await expect(clock.drive(promise)).rejects.toThrow('progress broke');
		expect(rec.attempts).toHaveLength(4);
	});

	it('with failFast, starts nothing after a task fails for good: the rest settle at once as stopped', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const body = (on: Clock) => async (i: number) => {
			await on.sleep(10);
			if (i === 0) throw new Retryable();
			if (i === 3) throw new Fatal('permanent');
			return i;
		};
		// Gap 100 ms: tasks 0, 1, 2 start at 0, 100, 200; task 0 fails and backs off (375 ms); task 3 starts at
		// 300 and fails for good at 310. Task 0's retry and task 4's slot (400) come after that: neither starts.
		const results = await clock.drive(
			runScheduled(range(20), rec.wrap(body(clock)), options(clock, { concurrency: 3, maxRequestsPerSecond: 10, failFast: true })),
		);
		expect(rec.starts()).toEqual([0, 100, 200, 300]);
		expect(results.slice(0, 4)).toEqual([
			{ ok: false, error: expect.any(RunStoppedError), attempts: 1 },
			{ ok: true, value: 1, attempts: 1 },
			{ ok: true, value: 2, attempts: 1 },
			{ ok: false, error: expect.any(Fatal), attempts: 1 },
		]);
		expect(results.slice(4)).toEqual(range(16).map(() => ({ ok: false, error: expect.any(RunStoppedError), attempts: 0 })));
		// Task 0 was asleep in its back-off until 385, task 4 in its pacing slot until 400: both woke at 310.
		expect(clock.now()).toBe(310);

		// Without it, every other task still runs.
		const other = virtualClock();
		const all = await other.drive(runScheduled(range(20), body(other), options(other, { concurrency: 3, maxRequestsPerSecond: 10 })));
		expect(all.map((result) => result.ok)).toEqual(range(20).map((i) => i !== 0 && i !== 3));
	});

	it('with failFast, a worker asleep in a long Retry-After wakes at once when another task fails for good', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const results = await clock.drive(
			runScheduled(
				range(2),
				rec.wrap(async (i: number) => {
					await clock.sleep(i === 0 ? 10 : 1_000);
					if (i === 0) throw new Retryable({ retryAfterMs: 60_000 });
					throw new Fatal('permanent');
				}),
				options(clock, { concurrency: 2, failFast: true }),
			),
		);
		expect(results.map((result) => !result.ok && result.error)).toEqual([expect.any(RunStoppedError), expect.any(Fatal)]);
		expect(clock.now()).toBe(1_000);
	});

	it("halts when the caller's signal fires: nothing new starts, sleepers wake, the rest settle as stopped", async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const cancel = new AbortController();
		const run = runScheduled(
			range(10),
			rec.wrap(async (i: number) => {
				await clock.sleep(50);
				if (i === 2) cancel.abort();
				return i;
			}),
			options(clock, { concurrency: 1, maxRequestsPerSecond: 5, signal: cancel.signal }),
		);
		const results = await clock.drive(run);
		// 200 ms apart: tasks 0, 1, 2 start at 0, 200, 400; task 2 cancels at 450, while task 3 waits for 600.
		expect(rec.starts()).toEqual([0, 200, 400]);
		expect(results.map((result) => result.ok)).toEqual([true, true, true, ...range(7).map(() => false)]);
		expect(results.slice(3).every((result) => !result.ok && result.error instanceof RunStoppedError)).toBe(true);
		expect(clock.now()).toBe(450);
	});

	it('asks `admit` before every attempt, retries included; a refusal settles the task as not admitted', async () => {
		const clock = virtualClock();
		let asked = 0;
		let failedOnce = false;
		const results = await clock.drive(
			runScheduled(
				range(3),
				async (i: number) => {
					await clock.sleep(10);
					if (i === 0 && !failedOnce) {
						failedOnce = true;
						throw new Retryable();
					}
					return i;
				},
				// Three attempts may go: task 0 twice (a retry), task 1 once; task 2 is refused.
				options(clock, { concurrency: 1, admit: async () => ++asked <= 3 }),
			),
		);
		expect(asked).toBe(4);
		expect(results[0]).toEqual({ ok: true, value: 0, attempts: 2 });
		expect(results[1]).toEqual({ ok: true, value: 1, attempts: 1 });
		expect(results[2]).toEqual({ ok: false, error: expect.any(NotAdmittedError), attempts: 0 });
	});

	it('gives a waiting `admit` the halt signal, so it can stop waiting', async () => {
		const clock = virtualClock();
		let admitted = 0;
		const results = await clock.drive(
			runScheduled(
				range(3),
				async (i: number) => {
					await clock.sleep(10);
					if (i === 0) throw new Fatal('permanent');
					return i;
				},
				options(clock, {
					concurrency: 2,
					failFast: true,
					// The first task gets in; the others wait for a place that only a halt ends.
					admit: async (signal) => {
						if (!admitted++) return true;
						await new Promise((resolve) => signal.addEventListener('abort', resolve));
						return false;
					},
				}),
			),
		);
		expect(results.map((result) => !result.ok && result.error)).toEqual([
			expect.any(Fatal),
			expect.any(RunStoppedError),
			expect.any(RunStoppedError),
		]);
		expect(clock.now()).toBe(10);
	});

	it('lets two runs that share one rate limit both get through: a 429 while others are answered costs no retry', async () => {
		const clock = virtualClock();
		// The service: 10 requests a second, no burst, 300 ms per answer, a 429 with Retry-After 1 s beyond that.
		const bucket = { tokens: 10, at: 0 };
		let refused = 0;
		const service = async (i: number) => {
			bucket.tokens = Math.min(10, bucket.tokens + ((clock.now() - bucket.at) / 1000) * 10);
			bucket.at = clock.now();
			await clock.sleep(300);
			if (bucket.tokens < 1) {
				refused++;
				throw new Retryable({ rateLimited: true, retryAfterMs: 1_000 });
			}
			bucket.tokens -= 1;
			return i;
		};
		// Each run paces itself at the service's full rate, so together they ask for twice what it allows.
		const run = () => runScheduled(range(50), service, options(clock, { concurrency: 5, maxRequestsPerSecond: 10, maxRetries: 1 }));
		const [first, second] = await clock.drive(Promise.all([run(), run()]));
		expect(refused).toBeGreaterThan(0);
		expect([...first, ...second].filter((result) => !result.ok)).toEqual([]);
		// 100 answers at 10 a second: 10 s at best.
		expect(clock.now()).toBeLessThan(1.5 * 10_000);
	});

	it('lets a task refused again and again get through while the run is being answered, and gives up once it is not', async () => {
		// Task 0 is answered at once; task 1 is refused every time (Retry-After 1 s), as a run slowed to a trickle
		// by others on the same limit can be for seconds.
		const { rec, results } = await runWithRefusals(
			2,
			{ refused: [1], latencyMs: 10, retryAfterMs: 1_000, times: Infinity },
			{ concurrency: 2, maxRetries: 1 },
		);
		const answeredAt = rec.attempts.find((a) => a.index === 0)!.end!;
		const refusals = rec.attempts.filter((a) => a.index === 1).map((a) => a.end!);
		// Refusals within LOST_RACE_WINDOW_MS of the last answer are free; then maxRetries (1) more, and it gives up.
		const free = refusals.filter((t) => t - answeredAt <= LOST_RACE_WINDOW_MS).length;
		expect(free).toBeGreaterThan(1 + 1);
		expect(results[1]).toMatchObject({ ok: false, attempts: free + 2 });
		expect(refusals.at(-1)! - answeredAt).toBeGreaterThan(LOST_RACE_WINDOW_MS);
	});

	it('books no start ahead at a slow pace: once the pace recovers, every waiting start goes at the new pace', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		// Every task waits for its turn at once (concurrency 100). For two seconds the service refuses every other
		// request, as a limit shared with another run would: the pace falls to about half.
		await clock.drive(
			runScheduled(
				range(150),
				rec.wrap(async (i: number) => {
					const sentAt = clock.now();
					await clock.sleep(10);
					if (sentAt < 2_000 && i % 2 === 1) throw new Retryable({ rateLimited: true, retryAfterMs: 1_000 });
					return i;
				}),
				options(clock, { concurrency: 100, maxRequestsPerSecond: 20 }),
			),
		);
		const starts = rec.starts();
		const lastRefusal = Math.max(...rec.attempts.filter((a) => a.start < 2_000 && a.index % 2 === 1).map((a) => a.end!));
		const gapsFrom = (t: number) => gapsOf(starts.filter((s) => s >= t));
		expect(Math.max(...gapsFrom(lastRefusal))).toBeGreaterThan(1.5 * 50);
		// Once recovered, the whole queue moves at the configured pace, whatever pace it waited at.
		expect(new Set(gapsFrom(lastRefusal + FULL_RECOVERY_MS))).toEqual(new Set([50]));
	});

	it('counts 429s against the retries once nothing gets through', async () => {
		const other = virtualClock();
		const refusing = await other.drive(
			runScheduled(
				range(3),
				async () => {
					await other.sleep(100);
					throw new Retryable({ rateLimited: true, retryAfterMs: 200 });
				},
				options(other, { concurrency: 3, maxRetries: 2 }),
			),
		);
		expect(refusing.map((result) => result.attempts)).toEqual([3, 3, 3]);
	});

	it('treats odd option values sensibly', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const results = await clock.drive(
			runScheduled(
				range(3),
				rec.wrap(async () => {
					throw new Retryable();
				}),
				options(clock, { concurrency: 0, maxRetries: -2, maxRequestsPerSecond: Number.NaN }),
			),
		);
		expect(results.map((r) => r.attempts)).toEqual([1, 1, 1]);
		expect(rec.maxInFlight()).toBe(1);
	});

	describe('with tasks still arriving (an async source)', () => {
		/** Produces `count` tasks, one every `everyMs`, recording whether it was closed early. */
		function slowSource(clock: Clock, count: number, everyMs: number) {
			const state = { produced: 0, closed: false };
			async function* tasks() {
				try {
					for (let i = 0; i < count; i++) {
						await clock.sleep(everyMs);
						state.produced++;
						yield i;
					}
				} finally {
					state.closed = true;
				}
			}
			return { state, tasks: tasks() };
		}

		it('starts each task as soon as it arrives, while later ones are still being produced', async () => {
			const clock = virtualClock();
			const rec = recorder(clock);
			const source = slowSource(clock, 6, 10);
			const progress: Array<[number, number | undefined]> = [];
			const results = await clock.drive(
				runScheduled(
					source.tasks,
					rec.wrap(async (i: number) => {
						await clock.sleep(25);
						return i * 2;
					}),
					options(clock, { concurrency: 3, onProgress: (done, total) => progress.push([done, total]) }),
				),
			);
			// Arrivals at 10, 20, …, 60; three in flight at most, each 25 ms long.
			expect(rec.starts()).toEqual([10, 20, 30, 40, 50, 60]);
			expect(rec.maxInFlight()).toBe(3);
			expect(results.map((r) => r.ok && r.value)).toEqual([0, 2, 4, 6, 8, 10]);
			// The total is known once the source has ended (at 60), not before.
			expect(progress).toEqual([
				[1, undefined],
				[2, undefined],
				[3, undefined],
				[4, 6],
				[5, 6],
				[6, 6],
			]);
		});

		it('makes a worker wait for the next task rather than finish, when the source is slower than the tasks', async () => {
			const clock = virtualClock();
			const rec = recorder(clock);
			const results = await clock.drive(
				runScheduled(slowSource(clock, 4, 100).tasks, rec.wrap(async (i: number) => i), options(clock, { concurrency: 1 })),
			);
			expect(rec.starts()).toEqual([100, 200, 300, 400]);
			expect(results).toHaveLength(4);
		});

		it('rejects with the error the source throws, after the attempts in flight have finished', async () => {
			const clock = virtualClock();
			const rec = recorder(clock);
			async function* failing() {
				yield 0;
				yield 1;
				await clock.sleep(5);
				throw new Error('planning broke');
			}
			const promise = runScheduled(failing(), rec.wrap(async () => clock.sleep(50)), options(clock, { concurrency: 3 }));
			await expect(clock.drive(promise)).rejects.toThrow('planning broke');
			expect(rec.attempts.map((a) => a.end)).toEqual([50, 50]);
		});

		it('when a callback throws, takes nothing more from the source and closes it', async () => {
			const clock = virtualClock();
			const rec = recorder(clock);
			const source = slowSource(clock, 100, 10);
			const promise = runScheduled(
				source.tasks,
				rec.wrap(async () => clock.sleep(5)),
				options(clock, {
					concurrency: 2,
					onProgress: (done) => {
						if (done === 3) throw new Error('progress broke');
					},
				}),
			);
			await expect(clock.drive(promise)).rejects.toThrow('progress broke');
			expect(rec.attempts).toHaveLength(3);
			expect(source.state.produced).toBeLessThanOrEqual(4);
			expect(source.state.closed).toBe(true);
		});
	});
});
