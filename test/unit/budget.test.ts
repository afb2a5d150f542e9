import { BilledCallBudget } from '../../nodes/AceDataPhoneVerify/budget';

const never = new AbortController().signal;
/** Whether a promise has settled once pending callbacks have run, and with what. */
async function state<T>(promise: Promise<T>): Promise<{ settled: boolean; value?: T }> {
	let result: { settled: boolean; value?: T } = { settled: false };
	promise.then((value) => (result = { settled: true, value }));
	await new Promise((resolve) => setImmediate(resolve));
	return result;
}

describe('BilledCallBudget', () => {
	it('without a cap admits everything at once', async () => {
		const budget = new BilledCallBudget(0);
		for (let holder = 0; holder < 100; holder++) await expect(budget.reserve(holder, never)).resolves.toBe(true);
		budget.attemptEnded(0, true);
		expect(budget.billedCalls).toBe(1);
	});

	it('admits requests while billed calls plus places held stay under the cap; the next one waits', async () => {
		const budget = new BilledCallBudget(2);
		await expect(budget.reserve(0, never)).resolves.toBe(true);
		await expect(budget.reserve(1, never)).resolves.toBe(true);
		expect(await state(budget.reserve(2, never))).toEqual({ settled: false });
	});

	it('a request keeps its place through its retries: its next attempt is admitted at once, even when full', async () => {
		const budget = new BilledCallBudget(1);
		await budget.reserve(0, never);
		budget.attemptEnded(0, false);
		expect(await state(budget.reserve(0, never))).toEqual({ settled: true, value: true });
		expect(await state(budget.reserve(1, never))).toEqual({ settled: false });
	});

	it('a waiting request gets the place an unbilled request gives up', async () => {
		const budget = new BilledCallBudget(1);
		await budget.reserve(0, never);
		const waiting = budget.reserve(1, never);
		budget.attemptEnded(0, false);
		expect(await state(waiting)).toEqual({ settled: false });
		budget.release(0);
		expect(await state(waiting)).toEqual({ settled: true, value: true });
		expect(budget.billedCalls).toBe(0);
	});

	it('once the billed calls alone reach the cap, the waiting request and every later one are refused', async () => {
		const budget = new BilledCallBudget(2, 1);
		await budget.reserve(0, never);
		const waiting = budget.reserve(1, never);
		// Billed (or a lost reply, which may have been): the place is spent, not freed.
		budget.attemptEnded(0, true);
		expect(budget.billedCalls).toBe(2);
		expect(await state(waiting)).toEqual({ settled: true, value: false });
		await expect(budget.reserve(2, never)).resolves.toBe(false);
		// Releasing a spent place changes nothing.
		budget.release(0);
		await expect(budget.reserve(3, never)).resolves.toBe(false);
	});

	it('counts the calls billed before this run against the cap', async () => {
		const budget = new BilledCallBudget(3, 3);
		await expect(budget.reserve(0, never)).resolves.toBe(false);
	});

	it('a waiting request gives up when the run halts', async () => {
		const budget = new BilledCallBudget(1);
		await budget.reserve(0, never);
		const halt = new AbortController();
		const waiting = budget.reserve(1, halt.signal);
		expect(await state(waiting)).toEqual({ settled: false });
		halt.abort();
		expect(await state(waiting)).toEqual({ settled: true, value: false });
	});
});
