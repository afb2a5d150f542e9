import {
	BACKOFF_BASE_MS,
	LOST_RACE_WINDOW_MS,
	NotAdmittedError,
	RATE_RECOVERY_MS,
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
 * A task body for the rate-limit tests: every task takes `latencyMs`, and task `refused` is refused as rate-limited
 * with `retryAfterMs` on its first `times` attempts (once by default), then succeeds.
 */
function refusedTask(
	clock: Clock,
	{ refused, latencyMs, retryAfterMs, times = 1 }: { refused: number; latencyMs: number; retryAfterMs: number; times?: number },
) {
	let refusals = 0;
	return async (i: number) => {
		await clock.sleep(latencyMs);
		if (i === refused && refusals < times) {
			refusals++;
			throw new Retryable({ rateLimited: true, retryAfterMs });
		}
		return i;
	};
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

	it('on a 429 pauses every worker until Retry-After has passed, then goes on at a lower pace', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const results = await clock.drive(
			runScheduled(
				range(40),
				rec.wrap(refusedTask(clock, { refused: 10, latencyMs: 30, retryAfterMs: 2_000 })),
				options(clock, { concurrency: 4, maxRequestsPerSecond: 20 }),
			),
		);
		expect(results.every((r) => r.ok)).toBe(true);
		expect(results[10].attempts).toBe(2);

		const [first429] = rec.attempts.filter((a) => a.index === 10);
		const refusedAt = first429.end!;
		const before = rec.starts().filter((s) => s <= refusedAt);
		const after = rec.starts().filter((s) => s > refusedAt);
		// Paced at 20/s before; nothing from any worker during the pause.
		expect(gapsOf(before)).toEqual(Array(10).fill(50));
		expect(after[0]).toBe(refusedAt + 2_000);
		// After it, for a recovery period: 10 of the last 11 answers were accepted, so 20 × 10/11 × 0.95 = 17.3/s,
		// one start every 58 ms. Then a step back up (+4/s) to 20/s.
		const slowed = after.filter((s) => s < refusedAt + 2_000 + RATE_RECOVERY_MS);
		expect(gapsOf(slowed)).toEqual(Array(17).fill(58));
		expect(after.slice(-3).map((s, i, last) => (i ? s - last[i - 1] : 50))).toEqual([50, 50, 50]);
		expect(rec.startsOf(10)[1]).toBeGreaterThanOrEqual(refusedAt + 2_000);
	});

	it('gives the pace back step by step once the 429s stop, up to the configured rate', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		await clock.drive(
			runScheduled(
				range(400),
				rec.wrap(refusedTask(clock, { refused: 5, latencyMs: 10, retryAfterMs: 1_000 })),
				options(clock, { concurrency: 4, maxRequestsPerSecond: 20 }),
			),
		);
		const gaps = rec.starts().slice(1).map((s, i) => s - rec.starts()[i]);
		const refusedAt = rec.attempts.find((a) => a.index === 5)!.end!;
		const gapsFrom = (t: number) => gaps.filter((_, i) => rec.starts()[i] >= t);
		// 5 of the last 6 answers accepted: 20 × 5/6 × 0.95 = 15.8/s right after the pause, then 19.8/s and 20/s,
		// a step of a fifth of the configured rate per RATE_RECOVERY_MS without a 429.
		expect(gapsFrom(refusedAt + 1_000).slice(0, 5)).toEqual([64, 64, 64, 64, 64]);
		expect(new Set(gapsFrom(refusedAt + 1_000))).toEqual(new Set([64, 51, 50]));
		expect(gaps.slice(-10)).toEqual(Array(10).fill(50));
		expect(busiestSecond(rec.starts())).toBeLessThanOrEqual(20);
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
		const clock = virtualClock();
		const rec = recorder(clock);
		const refused = new Set<number>();
		await clock.drive(
			runScheduled(
				range(30),
				rec.wrap(async (i: number) => {
					await clock.sleep(300);
					// The first 5 attempts (sent 50 ms apart, all in flight together) are all refused.
					if (i < 5 && !refused.has(i)) {
						refused.add(i);
						throw new Retryable({ rateLimited: true, retryAfterMs: 1_000 });
					}
				}),
				options(clock, { concurrency: 5, maxRequestsPerSecond: 20 }),
			),
		);
		// The last refusal (at 500) ends the pause at 1500. Nothing had been answered, so the pace halves, once:
		// 10/s, 100 ms apart, for a recovery period.
		const after = rec.starts().filter((s) => s >= 1_500 && s < 1_500 + RATE_RECOVERY_MS);
		expect(after[0]).toBe(1_500);
		expect(gapsOf(after)).toEqual(Array(9).fill(100));
	});

	it('keeps slowing down while 429s keep coming, but not below 1 per second', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		await clock.drive(
			runScheduled(
				range(20),
				rec.wrap(async () => {
					throw new Retryable({ rateLimited: true, retryAfterMs: 1 });
				}),
				options(clock, { concurrency: 1, maxRequestsPerSecond: 8, maxRetries: 0, random: () => 0 }),
			),
		);
		const starts = rec.starts();
		const gaps = starts.slice(1).map((s, i) => s - starts[i]);
		// Nothing is accepted, so each refusal halves the pace: 8/s → 4/s (250 ms) → 2/s (500 ms) → 1/s floor.
		expect(gaps).toEqual([250, 500, ...gaps.slice(2).map(() => 1_000)]);
		expect(gaps).toHaveLength(19);
	});

	it('pauses the run on a 429 even when that task will not be retried', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		const results = await clock.drive(
			runScheduled(
				range(6),
				rec.wrap(refusedTask(clock, { refused: 0, latencyMs: 10, retryAfterMs: 3_000 })),
				options(clock, { concurrency: 2, maxRetries: 0 }),
			),
		);
		expect(results[0]).toMatchObject({ ok: false, attempts: 1 });
		// Task 1 started with task 0; everything after the refusal at t=10 waits for t=3010, then goes on at half
		// the rate seen so far (2 starts within the first second; nothing accepted yet): 1/s. A quiet second after
		// the pause (t=4010) gives back a step of a fifth of that rate seen (0.4/s): one start every 715 ms.
		expect(rec.starts()).toEqual([0, 0, 3_010, 4_010, 4_725, 5_440]);
	});

	it('with no rate limit, a 429 introduces a pace below the rate observed so far, which climbs back to unpaced', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		await clock.drive(
			runScheduled(
				range(800),
				// 4 in flight, 100 ms each: 40 starts per second until task 200 is refused at t = 5100.
				rec.wrap(refusedTask(clock, { refused: 200, latencyMs: 100, retryAfterMs: 1_000 })),
				options(clock, { concurrency: 4 }),
			),
		);
		const starts = rec.starts();
		const after = starts.filter((s) => s > 5_100);
		// Tasks 197-199 were answered while task 200 was in flight: its refusal was a lost race, so nobody pauses.
		// Observed: 204 starts in 5.1 s = 40/s; 80 of the last 81 answers accepted, so the pace falls by the least
		// step, × 0.9: 36/s, 28 ms apart, for a whole recovery period.
		expect(after[0]).toBe(5_128);
		const slowed = after.filter((s) => s < 5_100 + RATE_RECOVERY_MS);
		// Three workers go on (the fourth waits out task 200's Retry-After), 100 ms a task: at most 3 starts per
		// 100 ms, so every third gap waits for a worker to come back.
		expect(gapsOf(slowed)).toEqual(Array(28).fill(0).map((_, i) => (i % 3 === 1 ? 44 : 28)));
		// Then a fifth of the observed 40/s comes back every second without a 429, until the run is unpaced again:
		// in its last second, 4 in flight at 100 ms make 40 starts again.
		const end = starts[starts.length - 1];
		expect(starts.filter((s) => s > end - 1_000)).toHaveLength(40);
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
		const clock = virtualClock();
		const rec = recorder(clock);
		// Task 0 is answered at once; task 1 is refused every time (Retry-After 1 s), as a run slowed to a trickle
		// by others on the same limit can be for seconds.
		const results = await clock.drive(
			runScheduled(
				range(2),
				rec.wrap(refusedTask(clock, { refused: 1, latencyMs: 10, retryAfterMs: 1_000, times: Infinity })),
				options(clock, { concurrency: 2, maxRetries: 1 }),
			),
		);
		const answeredAt = rec.attempts.find((a) => a.index === 0)!.end!;
		const refusals = rec.attempts.filter((a) => a.index === 1).map((a) => a.end!);
		// Refusals within LOST_RACE_WINDOW_MS of the last answer are free; then maxRetries (1) more, and it gives up.
		const free = refusals.filter((t) => t - answeredAt <= LOST_RACE_WINDOW_MS).length;
		expect(refusals).toEqual([10, 1_020, 2_030, 3_040, 4_050, 5_060, 6_070]);
		expect(free).toBe(5);
		expect(results[1]).toMatchObject({ ok: false, attempts: free + 2 });
	});

	it('books no start ahead at a slow pace: once the pace recovers, every waiting start goes at the new pace', async () => {
		const clock = virtualClock();
		const rec = recorder(clock);
		// Every task waits for its turn at once (concurrency 100). Task 0 is refused before anything was answered:
		// a pause of 1 s, and half the pace (10/s), given back a step (+4/s) per quiet second.
		await clock.drive(
			runScheduled(
				range(100),
				rec.wrap(refusedTask(clock, { refused: 0, latencyMs: 10, retryAfterMs: 1_000 })),
				options(clock, { concurrency: 100, maxRequestsPerSecond: 20 }),
			),
		);
		const starts = rec.starts();
		const gapsFrom = (t: number) => starts.slice(1).map((s, i) => s - starts[i]).filter((_, i) => starts[i] >= t);
		expect(gapsFrom(1_010).slice(0, 3)).toEqual([100, 100, 100]);
		// From the fourth quiet second on, the queue moves at the configured pace, booked at 10/s or not.
		expect(new Set(gapsFrom(4_010 + 100))).toEqual(new Set([50]));
		expect(starts.at(-1)!).toBeLessThan(7_000);
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
