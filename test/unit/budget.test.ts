import { BilledCallBudget, Spending } from '../../nodes/AceDataPhoneVerify/budget';

const never = new AbortController().signal;
/** Whether a promise has settled once pending callbacks have run, and with what. */
async function state<T>(promise: Promise<T>): Promise<{ settled: boolean; value?: T }> {
	let result: { settled: boolean; value?: T } = { settled: false };
	promise.then((value) => (result = { settled: true, value }));
	await new Promise((resolve) => setImmediate(resolve));
	return result;
}

/** A node's spending in an execution, counted in its context (`billedCalls`, calls billed before this run). */
function execution(billedBefore = 0) {
	const context = { billedCalls: billedBefore };
	const spending = Spending.of(context);
	return {
		context,
		/** One run's budget, as each run of the node makes it. */
		run: (cap: number) => new BilledCallBudget(cap, spending),
		/** Request `index` of `budget` came back billed. */
		bill: (budget: BilledCallBudget, index: number) => budget.attemptEnded(index, true),
	};
}

describe('BilledCallBudget', () => {
	it('without a cap admits everything at once', async () => {
		const spent = execution();
		const budget = spent.run(0);
		for (let holder = 0; holder < 100; holder++) await expect(budget.reserve(holder, never)).resolves.toBe(true);
		spent.bill(budget, 0);
		expect(budget.billedCalls).toBe(1);
	});

	it('admits requests while billed calls plus places held stay under the cap; the next one waits', async () => {
		const budget = execution().run(2);
		await expect(budget.reserve(0, never)).resolves.toBe(true);
		await expect(budget.reserve(1, never)).resolves.toBe(true);
		expect(await state(budget.reserve(2, never))).toEqual({ settled: false });
	});

	it('a request keeps its place through its retries: its next attempt is admitted at once, even when full', async () => {
		const budget = execution().run(1);
		await budget.reserve(0, never);
		budget.attemptEnded(0, false);
		expect(await state(budget.reserve(0, never))).toEqual({ settled: true, value: true });
		expect(await state(budget.reserve(1, never))).toEqual({ settled: false });
	});

	it('a waiting request gets the place an unbilled request gives up', async () => {
		const budget = execution().run(1);
		await budget.reserve(0, never);
		const waiting = budget.reserve(1, never);
		budget.attemptEnded(0, false);
		expect(await state(waiting)).toEqual({ settled: false });
		budget.release(0);
		expect(await state(waiting)).toEqual({ settled: true, value: true });
		expect(budget.billedCalls).toBe(0);
	});

	it('once the billed calls alone reach the cap, the waiting request and every later one are refused', async () => {
		const spent = execution(1);
		const budget = spent.run(2);
		await budget.reserve(0, never);
		const waiting = budget.reserve(1, never);
		// Billed (or a lost reply, which may have been): the place is spent, not freed.
		spent.bill(budget, 0);
		expect(budget.billedCalls).toBe(2);
		expect(await state(waiting)).toEqual({ settled: true, value: false });
		await expect(budget.reserve(2, never)).resolves.toBe(false);
		// Releasing a spent place changes nothing.
		budget.release(0);
		await expect(budget.reserve(3, never)).resolves.toBe(false);
	});

	it('counts the calls billed before this run against the cap', async () => {
		const budget = execution(3).run(3);
		await expect(budget.reserve(0, never)).resolves.toBe(false);
	});

	it('is one cap for the node in the execution: a second run (a loop batch, an agent’s call) shares it and its places', async () => {
		const spent = execution();
		const first = spent.run(3);
		const second = spent.run(3);
		await first.reserve(0, never);
		await first.reserve(1, never);
		// The same index in another run is another request: it needs a place of its own.
		await expect(second.reserve(0, never)).resolves.toBe(true);
		expect(await state(second.reserve(1, never))).toEqual({ settled: false });
		spent.bill(first, 0);
		spent.bill(first, 1);
		spent.bill(second, 0);
		await expect(second.reserve(2, never)).resolves.toBe(false);
	});

	it('measures each run against its own cap: a run with a lower cap stops where the execution has spent it', async () => {
		const spent = execution();
		const generous = spent.run(10);
		for (let index = 0; index < 4; index++) {
			await generous.reserve(index, never);
			spent.bill(generous, index);
		}
		await expect(spent.run(4).reserve(0, never)).resolves.toBe(false);
		await expect(generous.reserve(4, never)).resolves.toBe(true);
	});

	it('counts in the node’s context, the same spending for every run that holds it', async () => {
		const spent = execution();
		spent.bill(spent.run(5), 0);
		spent.bill(spent.run(5), 0);
		expect(spent.context.billedCalls).toBe(2);
		expect(Spending.of(spent.context)).toBe(Spending.of(spent.context));
		expect(Spending.of({ billedCalls: 0 })).not.toBe(Spending.of(spent.context));
	});

	it('gives a freed place to the request that has waited longest, not to one that just asked', async () => {
		const budget = execution().run(1);
		await budget.reserve(0, never);
		const waiting = budget.reserve(1, never);
		budget.release(0);
		const late = budget.reserve(2, never);
		expect(await state(waiting)).toEqual({ settled: true, value: true });
		expect(await state(late)).toEqual({ settled: false });
	});

	it('a waiting request gives up when the run halts', async () => {
		const budget = execution().run(1);
		await budget.reserve(0, never);
		const halt = new AbortController();
		const waiting = budget.reserve(1, halt.signal);
		expect(await state(waiting)).toEqual({ settled: false });
		halt.abort();
		expect(await state(waiting)).toEqual({ settled: true, value: false });
	});
});
