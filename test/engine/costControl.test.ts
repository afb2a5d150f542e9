/**
 * Cost control inside n8n's engine, against the mock provider (which counts what it bills): Max Billed Calls is a
 * hard cap whatever the concurrency, faults and rate limits, and a dry run sends nothing yet says what a real run
 * would send.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { NO_ANSWER_FIELDS } from '../support/contract';
import { runVerify, VERIFY_NODE } from '../support/engine';
import type { GeneratedIdentity } from '../support/identities';
import { expectedResult, FROM_ITEM, generateIdentities, mockProvidersPerTest } from '../support/identities';
import type { MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN } from '../support/mockProvider';

const mockProvider = mockProvidersPerTest();

const sum = (items: IDataObject[], field: string) => items.reduce((total, item) => total + Number(item[field] ?? 0), 0);

async function verify(
	provider: MockProvider,
	items: IDataObject[],
	options: INodeParameters,
	{ onError, token = DEFAULT_TOKEN }: { onError?: 'continueRegularOutput'; token?: string } = {},
) {
	return await runVerify({
		parameters: { ...FROM_ITEM, options },
		items,
		credentials: { apiToken: token, baseUrl: provider.url },
		onError,
	});
}

/** Identities every one of which the mock bills (a match or a mismatch). */
function billedIdentities(count: number, seed: number): GeneratedIdentity[] {
	return generateIdentities(count * 3, seed)
		.filter((identity) => ['0', '1'].includes(expectedResult(identity)))
		.slice(0, count);
}

describe('Max Billed Calls', () => {
	afterEach(() => jest.restoreAllMocks());

	it.each([1, 2, 3])(
		'300 items, 30%% faults and a rate limit, concurrency 20, cap 50: the cap is spent exactly, never exceeded (seed %i)',
		async (seed) => {
			const provider = await mockProvider({
				faultRate: 0.3,
				faultKinds: [500, 503, 'reset', 'lost'],
				rateLimit: { perSecond: 100, burst: 20 },
				latencyMs: 10,
				seed,
			});
			const identities = billedIdentities(300, seed);
			const run = await verify(provider, identities.map((identity) => ({ ...identity })), {
				maxBilledCalls: 50,
				concurrency: 20,
				maxRequestsPerSecond: 0,
				maxRetries: 5,
			}, { onError: 'continueRegularOutput' });

			expect(run.error).toBeUndefined();
			const items = run.json();
			expect(items).toHaveLength(300);
			// What the items say adds up to what the provider saw and billed.
			expect(sum(items, 'attempts')).toBe(provider.requests.length);
			// The node counts every reply it did not get (dropped after billing, or reset before) as billed: with
			// plenty of items it spends the cap exactly, and the provider bills the cap less the resets.
			const lost = provider.requests.filter((request) => request.status === 'lost').length;
			const resets = provider.requests.filter((request) => request.status === 'reset').length;
			expect(provider.billedCalls + resets).toBe(50);
			expect(sum(items, 'billable') + lost).toBe(provider.billedCalls);
			const capped = items.filter((item) => item.status === 'budget_reached');
			expect(capped.length).toBeGreaterThan(200);
			for (const item of capped) {
				expect(item).toMatchObject({ result: null, matched: false, billable: false, errorCode: null });
				expect(item).not.toHaveProperty('error');
				expect(item.description).toMatch(/Max Billed Calls/);
			}
		},
		30_000,
	);

	it('bills exactly the cap when every request is answered, and says so on each item left unsent', async () => {
		const provider = await mockProvider({ latencyMs: 20 });
		const identities = billedIdentities(40, 7);
		const run = await verify(provider, identities.map((identity) => ({ ...identity })), { maxBilledCalls: 10 });

		expect(run.error).toBeUndefined();
		expect(provider.billedCalls).toBe(10);
		expect(provider.requests).toHaveLength(10);
		const items = run.json();
		expect(items.filter((item) => item.billable)).toHaveLength(10);
		expect(items.slice(10).map((item) => item.status)).toEqual(Array(30).fill('budget_reached'));
		expect(items[10]).toEqual({
			result: null,
			status: 'budget_reached',
			matched: false,
			billable: false,
			description: 'Not sent: the cap of 10 billed calls (Max Billed Calls) was reached, with 10 calls billed in this execution',
			...NO_ANSWER_FIELDS,
			traceId: null,
			cached: false,
			attempts: 0,
			input: expect.objectContaining({ idCard: expect.stringMatching(/^\d{6}\*{10}[\dX]{2}$/) }),
			errorCode: null,
			httpCode: null,
		});
	});

	it('lets answers that are not billed through, and answers duplicates without counting them', async () => {
		const provider = await mockProvider();
		const people = generateIdentities(60, 8);
		const billed = people.filter((identity) => ['0', '1'].includes(expectedResult(identity))).slice(0, 3);
		const unbilled = people.filter((identity) => ['-1', '-2', '-6'].includes(expectedResult(identity))).slice(0, 4);
		const items = [billed[0], billed[0], ...unbilled, billed[1], billed[0], billed[2]].map((identity) => ({ ...identity }));
		const run = await verify(provider, items, { maxBilledCalls: 2, concurrency: 1 });

		expect(run.json().map((item) => [item.status === 'budget_reached' ? 'capped' : item.result, item.billable, item.cached])).toEqual([
			[expectedResult(billed[0]), true, false],
			[expectedResult(billed[0]), false, true],
			...unbilled.map((identity) => [expectedResult(identity), false, false]),
			[expectedResult(billed[1]), true, false],
			[expectedResult(billed[0]), false, true],
			['capped', false, false],
		]);
		expect(provider.billedCalls).toBe(2);
	});

	it('keeps a request’s place through its retries: a retry after a 500 is never refused by the cap', async () => {
		// The back-off's jitter fixed at its shortest (250 ms), so the retry comes while the others are in flight.
		jest.spyOn(Math, 'random').mockReturnValue(0);
		const provider = await mockProvider({ latencyMs: 150 });
		const [first, ...others] = billedIdentities(4, 15);
		// This mobile number always gets HTTP 500 from the mock: sent twice, then an error, never "not sent".
		const failing = { ...billedIdentities(1, 16)[0], phone: '17000005000' };
		const items = [first, failing, ...others].map((identity) => ({ ...identity }));
		const run = await verify(provider, items, { maxBilledCalls: 3, concurrency: 2, maxRetries: 1 }, {
			onError: 'continueRegularOutput',
		});

		const output = run.json();
		expect(output[1]).toMatchObject({ status: 'api_error', httpCode: 500, attempts: 2 });
		expect(output.map((item) => item.status === 'budget_reached')).toEqual([false, false, false, false, true]);
		expect(provider.billedCalls).toBe(3);
		for (const item of output.filter((item) => item.status === 'budget_reached')) expect(item.attempts).toBe(0);
	});

	it('routes items left unsent to Not Verified', async () => {
		const provider = await mockProvider();
		const identities = billedIdentities(5, 9);
		const run = await runVerify({
			parameters: { ...FROM_ITEM, routeByResult: true, options: { maxBilledCalls: 2, concurrency: 1 } },
			items: identities.map((identity) => ({ ...identity })),
			credentials: { apiToken: DEFAULT_TOKEN, baseUrl: provider.url },
		});
		const [match, mismatch, notVerified] = run.outputs();
		expect(match.length + mismatch.length).toBe(2);
		expect(notVerified.map((item) => [item.pairedItem, item.json.status])).toEqual(
			[2, 3, 4].map((item) => [{ item }, 'budget_reached']),
		);
	});

	it('counts the earlier runs of the node in the same execution: a loop of batches stops at the cap', async () => {
		const provider = await mockProvider();
		const batches = [billedIdentities(4, 10), billedIdentities(4, 11)];
		/** Feeds the Verify node the next batch until there is none, like n8n's Loop Over Items. */
		const loop: INodeType = {
			description: {
				displayName: 'Loop',
				name: 'loop',
				description: 'Feeds the next batch back',
				group: ['transform'],
				version: 1,
				defaults: {},
				inputs: [NodeConnectionTypes.Main],
				outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
				properties: [],
			},
			async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
				const state = this.getContext('node');
				const next = Number(state.next ?? 1);
				state.next = next + 1;
				const batch = batches[next];
				return batch ? [batch.map((identity) => ({ json: { ...identity } })), []] : [[], this.getInputData()];
			},
		};
		const run = await runVerify({
			parameters: { ...FROM_ITEM, options: { maxBilledCalls: 6, concurrency: 1 } },
			items: batches[0].map((identity) => ({ ...identity })),
			credentials: { apiToken: DEFAULT_TOKEN, baseUrl: provider.url },
			downstream: {
				types: { loop },
				nodes: [{ id: 'loop', name: 'Loop', type: 'loop', typeVersion: 1, position: [200, 0], parameters: {} }],
				connections: {
					[VERIFY_NODE]: { main: [[{ node: 'Loop', type: 'main', index: 0 }]] },
					Loop: { main: [[{ node: VERIFY_NODE, type: 'main', index: 0 }], []] },
				},
			},
		});

		const runs = run.run.data.resultData.runData[VERIFY_NODE];
		expect(runs).toHaveLength(2);
		const statuses = runs.map((task) => (task.data?.main[0] ?? []).map((item) => item.json.status === 'budget_reached'));
		expect(statuses).toEqual([
			[false, false, false, false],
			[false, false, true, true],
		]);
		expect(provider.billedCalls).toBe(6);
	});
});

describe('Dry Run', () => {
	it('reads, checks and de-duplicates every item as a real run would, and sends nothing', async () => {
		const provider = await mockProvider();
		const [a, b] = generateIdentities(2, 12);
		const items = [a, { ...a, phone: `+86 ${a.phone}` }, b, { ...b, idCard: `${b.idCard.slice(0, 17)}0` }, a];
		const run = await verify(provider, items.map((identity) => ({ ...identity })), { dryRun: true }, {
			onError: 'continueRegularOutput',
		});

		expect(run.error).toBeUndefined();
		expect(provider.requests).toHaveLength(0);
		const output = run.json();
		expect(output.map((item) => [item.status, item.wouldSend, item.cached])).toEqual([
			['dry_run', true, false],
			['dry_run', false, true],
			['dry_run', true, false],
			['invalid_input', false, false],
			['dry_run', false, true],
		]);
		expect(output[1].description).toBe("Dry run: the same identity as item 1, which would be sent; not sent again");
		expect(output.filter((item) => item.wouldSend)).toHaveLength(2);
		for (const item of output) expect(item).toMatchObject({ result: null, billable: false, attempts: 0 });
		// One shape, but for the error item's `error`.
		expect(Object.keys(output[3]).filter((key) => key !== 'error')).toEqual(Object.keys(output[0]));
	});

	it('without Continue On Fail an invalid item fails the dry run, as it would fail the real one', async () => {
		const provider = await mockProvider();
		const [a] = generateIdentities(1, 13);
		const run = await verify(provider, [{ ...a }, { ...a, phone: '123' }], { dryRun: true });
		expect(run.error?.message).toMatch(/Invalid Mobile Number/);
		expect(provider.requests).toHaveLength(0);
	});

	it('needs no working token: nothing reaches the provider', async () => {
		const provider = await mockProvider();
		const run = await verify(provider, generateIdentities(3, 14).map((identity) => ({ ...identity })), { dryRun: true }, {
			token: 'tok-unknown-00aa11',
		});
		expect(run.error).toBeUndefined();
		expect(run.json().map((item) => item.wouldSend)).toEqual([true, true, true]);
		expect(provider.requests).toHaveLength(0);
	});
});
