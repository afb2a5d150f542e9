/**
 * Many items inside n8n's engine against the provider mock: injected faults, a provider rate limit,
 * the concurrency cap, duplicates and Retry-After. Whatever happens on the wire, every input item gets
 * exactly one output item, in order, paired with it, and no triple is answered (billed) twice.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { BACKOFF_BASE_MS } from '../../nodes/AceDataPhoneVerify/scheduler';
import { busiestSecond } from '../support/busiestSecond';
import { runVerify } from '../support/engine';
import type { GeneratedIdentity } from '../support/identities';
import { expectedResult, FROM_ITEM, generateIdentities, mockProvidersPerTest } from '../support/identities';
import type { MockOptions, MockProvider, RecordedRequest } from '../support/mockProvider';
import { DEFAULT_TOKEN, plannedFaults, tripleKey } from '../support/mockProvider';
import { schedulerOnVirtualClock } from '../support/schedulerClock';

/** Unlimited pace: these tests are about what the mock does, not about the default pacing. */
const FAST = { concurrency: 20, maxRequestsPerSecond: 0 };

const mockProvider = mockProvidersPerTest();

async function verify(
	provider: MockProvider,
	identities: GeneratedIdentity[],
	options: INodeParameters = {},
	{ onError, token = DEFAULT_TOKEN }: { onError?: 'continueRegularOutput'; token?: string } = {},
) {
	const started = Date.now();
	const run = await runVerify({
		parameters: { ...FROM_ITEM, options },
		items: identities.map((identity) => ({ ...identity })),
		credentials: { apiToken: token, baseUrl: provider.url },
		onError,
	});
	return { run, items: run.outputs()[0] ?? [], wallMs: Date.now() - started };
}

/** The time between each start and the next. */
const gapsOf = (starts: number[]) => starts.slice(1).map((start, i) => start - starts[i]);

const asFields = (identity: GeneratedIdentity) => ({ name: identity.name, phone: identity.phone, id_card: identity.idCard });
const key = (identity: GeneratedIdentity) => tripleKey(asFields(identity));

/** One output item per input item, in input order, paired with it, echoing its own values. */
function expectOneToOne(items: INodeExecutionData[], identities: GeneratedIdentity[]) {
	expect(items).toHaveLength(identities.length);
	items.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		expect((item.json.input as IDataObject).phone).toBe(identities[index].phone);
		expect((item.json.input as IDataObject).idCard).toBe(identities[index].idCard);
	});
}

function requestsByKey(provider: MockProvider): Map<string, RecordedRequest[]> {
	const byKey = new Map<string, RecordedRequest[]>();
	for (const request of provider.requests) byKey.set(request.key!, [...(byKey.get(request.key!) ?? []), request]);
	return byKey;
}

/** Each triple was answered with a 200 exactly once, and nothing was sent for it after that 200. */
function expectOneOkAnswerEach(provider: MockProvider, identities: GeneratedIdentity[]) {
	const distinct = new Set(identities.map(key));
	expect(provider.okAnswers.size).toBe(distinct.size);
	for (const triple of distinct) expect(provider.okAnswers.get(triple)).toBe(1);
	for (const count of provider.billedAnswers.values()) expect(count).toBe(1);
	expect(provider.requests.filter((request) => request.status === 200)).toHaveLength(distinct.size);
	for (const requests of requestsByKey(provider).values()) {
		expect(requests.findIndex((request) => request.status === 200)).toBe(requests.length - 1);
	}
}

describe('faults', () => {
	it('320 items, 30% transient faults, 5 retries: every item verified once, in order, nobody billed twice', async () => {
		const faults: MockOptions = { faultRate: 0.3, faultKinds: [500, 502, 503, 504, 'reset'], seed: 4 };
		const identities = generateIdentities(320, 1);
		// Faults are drawn per triple: with this seed each triple meets 0 to 4 faults before its real answer
		// (30% of all requests), so 5 retries get every item through, and the test is the same on every run.
		const planned = identities.map((identity) => plannedFaults(asFields(identity), faults));
		expect(Math.max(...planned.map((list) => list.length))).toBe(4);
		const provider = await mockProvider(faults);
		const { run, items } = await verify(provider, identities, { ...FAST, maxRetries: 5, maskInput: false });

		expect(run.error).toBeUndefined();
		expectOneToOne(items, identities);
		items.forEach((item, index) => {
			expect(item.json).toMatchObject({ result: expectedResult(identities[index]), cached: false });
		});
		expectOneOkAnswerEach(provider, identities);
		// Each triple was sent until its first real answer, then never again.
		const byKey = requestsByKey(provider);
		identities.forEach((identity, index) => {
			expect(byKey.get(key(identity))!.map((request) => request.fault ?? request.status)).toEqual([...planned[index], 200]);
		});
		const injected = provider.requests.filter((request) => request.fault !== undefined);
		expect(injected.length).toBeGreaterThan(0.25 * provider.requests.length);
		expect(new Set(injected.map((request) => request.fault))).toEqual(new Set([500, 502, 503, 504, 'reset']));
		// Retries count against the concurrency cap too.
		expect(provider.maxInFlight).toBeLessThanOrEqual(FAST.concurrency);
	}, 30_000);

	it('a 200 that is not JSON is never retried (it may be billed) and becomes an error item with Continue On Fail', async () => {
		const provider = await mockProvider({ faultRate: 0.3, faultKinds: ['not_json'], seed: 3 });
		const identities = generateIdentities(40, 2);
		const { run, items } = await verify(provider, identities, { ...FAST, maxRetries: 5, maskInput: false }, {
			onError: 'continueRegularOutput',
		});

		expect(run.error).toBeUndefined();
		expect(provider.requests).toHaveLength(identities.length);
		expectOneOkAnswerEach(provider, identities);
		const garbled = new Set(provider.requests.filter((request) => request.fault === 'not_json').map((r) => r.key));
		expect(garbled.size).toBeGreaterThan(3);
		expect(items).toHaveLength(identities.length);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			if (garbled.has(key(identities[index]))) {
				expect(item.json).toMatchObject({ status: 'api_error', errorCode: 'invalid_response', httpCode: 200, billable: false });
				expect(String(item.json.error)).toMatch(/not JSON/);
			} else {
				expect(item.json).toMatchObject({ result: expectedResult(identities[index]) });
			}
		});
	}, 20_000);

	it('a request hanging past the time-out is a lost reply: with retries of lost replies off, not sent again', async () => {
		const provider = await mockProvider({ faultRate: 0.3, faultKinds: ['hang'], seed: 5 });
		const identities = generateIdentities(20, 3);
		const { run, items } = await verify(
			provider,
			identities,
			{ ...FAST, maxRetries: 3, timeout: 1000, retryLostReplies: false, maskInput: false },
			{ onError: 'continueRegularOutput' },
		);

		expect(run.error).toBeUndefined();
		expect(provider.requests).toHaveLength(identities.length);
		const hung = new Set(provider.requests.filter((request) => request.fault === 'hang').map((r) => r.key));
		expect(hung.size).toBeGreaterThan(1);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			if (hung.has(key(identities[index]))) {
				expect(item.json).toMatchObject({ status: 'api_error', errorCode: 'reply_lost', httpCode: null, attempts: 1 });
				expect(String(item.json.error)).toMatch(/No answer from the provider within 1000 ms/);
			} else {
				expect(item.json).toMatchObject({ result: expectedResult(identities[index]), attempts: 1 });
			}
		});
	}, 20_000);

	describe('replies lost after the provider answered and billed (30% of requests)', () => {
		const LOST: MockOptions = { faultRate: 0.3, faultKinds: ['lost'], seed: 11 };
		const billed = (identity: GeneratedIdentity) => ['0', '1'].includes(expectedResult(identity));

		/** The sum of `attempts` is what the provider received, and each item's attempts are its triple's requests. */
		function expectAttemptsAddUp(provider: MockProvider, items: INodeExecutionData[], identities: GeneratedIdentity[]) {
			const byKey = requestsByKey(provider);
			expect(items.reduce((sum, item) => sum + Number(item.json.attempts), 0)).toBe(provider.requests.length);
			items.forEach((item, index) => expect(item.json.attempts).toBe(byKey.get(key(identities[index]))!.length));
		}

		it('by default sent again: every item answered, and the attempts reconcile with what was billed', async () => {
			const provider = await mockProvider(LOST);
			const identities = generateIdentities(100, 12);
			const { run, items } = await verify(provider, identities, { ...FAST, maxRetries: 5, maskInput: false });

			expect(run.error).toBeUndefined();
			items.forEach((item, index) => expect(item.json.result).toBe(expectedResult(identities[index])));
			expect(provider.requests.filter((request) => request.status === 'lost').length).toBeGreaterThan(15);
			expectAttemptsAddUp(provider, items, identities);
			// Every request of a billed identity was billed, lost or not: the attempts are the bill.
			const attemptsOfBilled = items.reduce((sum, item, index) => sum + (billed(identities[index]) ? Number(item.json.attempts) : 0), 0);
			const billedByProvider = provider.billedCalls;
			expect(billedByProvider).toBe(attemptsOfBilled);
			expect(billedByProvider).toBeGreaterThan(items.filter((item) => item.json.billable).length);
		}, 30_000);

		it('with retries of lost replies off, never sent twice: the item ends with reply_lost and says it may be billed', async () => {
			const provider = await mockProvider(LOST);
			const identities = generateIdentities(100, 12);
			const { run, items } = await verify(provider, identities, { ...FAST, maxRetries: 5, retryLostReplies: false, maskInput: false }, {
				onError: 'continueRegularOutput',
			});

			expect(run.error).toBeUndefined();
			expect(provider.requests).toHaveLength(identities.length);
			expectAttemptsAddUp(provider, items, identities);
			const lost = new Set(provider.requests.filter((request) => request.status === 'lost').map((request) => request.key));
			expect(lost.size).toBeGreaterThan(15);
			items.forEach((item, index) => {
				if (!lost.has(key(identities[index]))) return expect(item.json.result).toBe(expectedResult(identities[index]));
				expect(item.json).toMatchObject({ status: 'api_error', errorCode: 'reply_lost', attempts: 1, billable: false });
				expect(String(item.json.error)).toMatch(/connection broke before the provider answered/);
				expect(String(item.json.description)).toMatch(/connection broke/);
			});
			for (const count of provider.billedAnswers.values()) expect(count).toBe(1);
		}, 30_000);
	});

	it('without Continue On Fail a permanent error (401) stops the run early: most items are never sent', async () => {
		const provider = await mockProvider();
		const identities = generateIdentities(300, 4);
		const { run, wallMs } = await verify(provider, identities, {}, { token: 'tok-unknown-2b7e9c' });

		expect(run.error?.message).toMatch(/token is not valid/);
		expect(provider.requests.length).toBeGreaterThan(0);
		// The workers in flight when the 401 came back finish (n8n-core re-sends a 401 once); nothing new starts.
		expect(provider.requests.length).toBeLessThanOrEqual(20);
		expect(wallMs).toBeLessThan(3_000);
	}, 20_000);

	it('without Continue On Fail an item out of retries stops the run too: nothing more is sent, or billed', async () => {
		const provider = await mockProvider({ faultRate: 1, faultKinds: [503] });
		const identities = generateIdentities(300, 4);
		const { run, wallMs } = await verify(provider, identities, { maxRetries: 1 });

		expect(run.error?.message).toMatch(/HTTP 503/);
		expect(provider.requests.length).toBeLessThanOrEqual(40);
		expect(wallMs).toBeLessThan(3_000);
	}, 20_000);
});

describe('the provider rate limit (20 requests per second)', () => {
	const LIMIT = { perSecond: 20 };

	it('the default pace is the limit itself: 20 starts a second, none closer than 50 ms to the one before', async () => {
		// On a virtual clock (requests answer in no time, and time moves only when the node waits for its next turn):
		// what is measured is the node's own pace, exactly, however loaded the machine.
		const clock = schedulerOnVirtualClock();
		const provider = await mockProvider();
		const identities = generateIdentities(60, 16);
		const { run } = await verify(provider, identities, { maskInput: false }).finally(clock.restore);

		expect(run.error).toBeUndefined();
		const starts = clock.starts.map((start) => start.at);
		expect(starts).toHaveLength(identities.length);
		expect(Math.min(...gapsOf(starts))).toBeGreaterThanOrEqual(1000 / LIMIT.perSecond);
		// Not slower either: the whole limit is used.
		expect(busiestSecond(starts)).toBe(LIMIT.perSecond);
	});

	it("the node's default options against a strict limit (no burst: a few ms early is a 429): every item verified once", async () => {
		const provider = await mockProvider({ rateLimit: { ...LIMIT, burst: 1 }, latencyMs: 20 });
		const identities = generateIdentities(100, 5);
		const { run, items } = await verify(provider, identities, { maskInput: false }, { onError: 'continueRegularOutput' });

		expect(run.error).toBeUndefined();
		expectOneToOne(items, identities);
		expect(items.filter((item) => item.json.errorCode !== null)).toEqual([]);
		items.forEach((item, index) => expect(item.json.result).toBe(expectedResult(identities[index])));
		expectOneOkAnswerEach(provider, identities);
	}, 20_000);

	describe.each([
		['with Retry-After: 1', 1],
		['without Retry-After', null],
	])('a lone 429 among answered requests (%s)', (_, retryAfterSeconds) => {
		// Five requests of 100 are refused once each, the third among them (nothing much answered yet); the provider
		// answers every other request. Default options, on a virtual clock.
		const LONE_429S: MockOptions = { faultRate: 0.05, faultKinds: [429], seed: 4, retryAfterSeconds };
		const identities = generateIdentities(100, 17);

		it('stops nobody: the pace goes on, and the refused request is sent again after its back-off', async () => {
			const refusedItems = identities.flatMap((identity, index) => (plannedFaults(asFields(identity), LONE_429S).length ? [index] : []));
			expect(refusedItems).toEqual([2, 22, 26, 46, 72]);
			const clock = schedulerOnVirtualClock();
			const provider = await mockProvider(LONE_429S);
			const { run, items } = await verify(provider, identities, { maskInput: false }).finally(clock.restore);

			expect(run.error).toBeUndefined();
			items.forEach((item, index) => expect(item.json).toMatchObject({ result: expectedResult(identities[index]), attempts: refusedItems.includes(index) ? 2 : 1 }));
			// No pause while requests wait for their turn: a slow-down lowers the pace by half at most.
			const starts = clock.starts.map((start) => start.at);
			const lastFirstAttempt = Math.max(...identities.map((_, index) => clock.starts.find((start) => start.index === index)!.at));
			expect(Math.max(...gapsOf(starts.filter((at) => at <= lastFirstAttempt)))).toBeLessThanOrEqual(2 * (1000 / LIMIT.perSecond));
			// The refused request waits its back-off (between half and all of the first one's ceiling), not a Retry-After.
			for (const index of refusedItems) {
				const [refused, retry] = clock.starts.filter((start) => start.index === index);
				expect(retry.at - refused.at).toBeGreaterThanOrEqual(BACKOFF_BASE_MS / 2);
				expect(retry.at - refused.at).toBeLessThan(1_000);
			}
		});
	});

	it('against a provider that takes 1.5 s per answer, the defaults keep enough in flight to hold the pace', async () => {
		const provider = await mockProvider({ rateLimit: LIMIT, latencyMs: 1_500 });
		const identities = generateIdentities(60, 15);
		const { run, items } = await verify(provider, identities, { maskInput: false });

		expect(run.error).toBeUndefined();
		items.forEach((item, index) => expect(item.json.result).toBe(expectedResult(identities[index])));
		// 20 a second × 1.5 s: about 30 at once (the old default capped it at 5, or 3.3 requests a second).
		expect(provider.maxInFlight).toBeGreaterThanOrEqual(25);
		expect(provider.requests.filter((request) => request.status === 429)).toHaveLength(0);
	}, 20_000);

	it('unlimited pace at concurrency 20 converges through 429 handling: no failures, no request sent again at once', async () => {
		const provider = await mockProvider({ rateLimit: LIMIT, latencyMs: 20 });
		const identities = generateIdentities(100, 6);
		const { run, items } = await verify(provider, identities, { ...FAST, maskInput: false }, {
			onError: 'continueRegularOutput',
		});

		expect(run.error).toBeUndefined();
		expectOneToOne(items, identities);
		expect(items.filter((item) => item.json.error !== undefined)).toEqual([]);
		items.forEach((item, index) => expect(item.json.result).toBe(expectedResult(identities[index])));
		expectOneOkAnswerEach(provider, identities);
		expect(provider.requests.filter((request) => request.status === 429).length).toBeGreaterThan(0);
		// Every retry after a 429 waited for its back-off at least (the Retry-After, 1 s, when nothing got through).
		for (const requests of requestsByKey(provider).values()) {
			for (let i = 1; i < requests.length; i++) {
				if (requests[i - 1].status === 429) expect(requests[i].at - requests[i - 1].at).toBeGreaterThanOrEqual(BACKOFF_BASE_MS / 2);
			}
		}
	}, 30_000);
});

describe('concurrency', () => {
	it.each([1, 7, 20])('never more than %i requests in flight (50 ms latency)', async (concurrency) => {
		const provider = await mockProvider({ latencyMs: 50 });
		const identities = generateIdentities(concurrency === 1 ? 20 : 80, 7);
		const { run, items } = await verify(provider, identities, { concurrency, maxRequestsPerSecond: 0, maskInput: false });

		expect(run.error).toBeUndefined();
		expectOneToOne(items, identities);
		expect(provider.requests).toHaveLength(identities.length);
		expect(provider.maxInFlight).toBe(concurrency);
	}, 20_000);
});

describe('duplicates', () => {
	const five = generateIdentities(5, 9);
	/** 50 items: the five triples, ten times over, interleaved (0 1 2 3 4 0 1 2 …). */
	const fifty = Array.from({ length: 50 }, (_, index) => five[index % 5]);

	it('five distinct triples among 50 items cost five requests; the copies are marked cached', async () => {
		const provider = await mockProvider();
		const { run, items } = await verify(provider, fifty, { maskInput: false });

		expect(run.error).toBeUndefined();
		expectOneToOne(items, fifty);
		expect(provider.requests).toHaveLength(5);
		expectOneOkAnswerEach(provider, five);
		items.forEach((item, index) => {
			expect(item.json).toMatchObject({ result: expectedResult(fifty[index]), cached: index >= 5 });
		});
		// Only the item whose own request was billed says so: summing billable counts the bill.
		const billedByProvider = provider.billedCalls;
		expect(items.filter((item) => item.json.billable)).toHaveLength(billedByProvider);
		expect(items.slice(5).filter((item) => item.json.billable)).toEqual([]);
		expect(items.slice(5).map((item) => item.json.attempts)).toEqual(Array(45).fill(0));
	});

	it('with Skip Duplicates off every item is sent', async () => {
		const provider = await mockProvider();
		const { items } = await verify(provider, fifty, { ...FAST, skipDuplicates: false, maskInput: false });

		expectOneToOne(items, fifty);
		expect(provider.requests).toHaveLength(50);
		for (const identity of five) expect(provider.okAnswers.get(key(identity))).toBe(10);
		items.forEach((item, index) => {
			expect(item.json).toMatchObject({ result: expectedResult(fifty[index]), cached: false });
		});
	});
});

describe('Retry-After', () => {
	it('a 429 before anything was accepted stops the run: nothing is sent until its Retry-After (1 s) has passed', async () => {
		// The first request is refused before the provider has accepted any: it refuses the run, not a pace.
		const provider = await mockProvider({ faultRate: 0.5, faultKinds: [429], seed: 11, retryAfterSeconds: 1 });
		const identities = generateIdentities(3, 10);
		expect(identities.map((identity) => plannedFaults(asFields(identity), provider.options))).toEqual([[429], [], []]);
		const { run, items } = await verify(provider, identities, { concurrency: 2, maxRequestsPerSecond: 2, maskInput: false });

		expect(run.error).toBeUndefined();
		expect(items.map((item) => item.json.result)).toEqual(identities.map(expectedResult));
		const [limited, ...after] = provider.requests;
		expect([limited, ...after].map((request) => request.status)).toEqual([429, 200, 200, 200]);
		for (const request of after) expect(request.at - limited.at).toBeGreaterThanOrEqual(950);
	}, 10_000);
});

describe('a Retry-After beyond what the node waits out (a quota)', () => {
	const QUOTA = { rateLimit: { perSecond: 0.001, burst: 1 }, retryAfterSeconds: 86_400 };

	it('ends the item at once, saying how long the provider asked to wait; the others go on', async () => {
		const provider = await mockProvider(QUOTA);
		const identities = generateIdentities(3, 13);
		const started = Date.now();
		const { run, items } = await verify(provider, identities, { maskInput: false }, { onError: 'continueRegularOutput' });

		// Waiting out a day would park the run; a few seconds is the bound that proves it did not.
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(run.error).toBeUndefined();
		expect(items[0].json.result).toBe(expectedResult(identities[0]));
		for (const item of items.slice(1)) {
			expect(item.json).toMatchObject({ status: 'api_error', errorCode: 'too_many_requests', httpCode: 429, attempts: 1 });
			expect(String(item.json.description)).toMatch(/asks to wait 24 h/);
		}
		expect(provider.requests).toHaveLength(3);
	}, 20_000);

	it('without Continue On Fail fails the run at once with that message', async () => {
		const provider = await mockProvider(QUOTA);
		const started = Date.now();
		const { run } = await verify(provider, generateIdentities(30, 14), {});
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(run.error?.message).toMatch(/rate limit/);
		expect(run.error?.message).toMatch(/asks to wait 24 h/);
		expect(String((run.error as { description?: string }).description)).toMatch(/quota/);
	}, 20_000);
});

describe('checking items and sending requests', () => {
	it('reports progress every 250 requests, to the editor and to the log, and once at the end', async () => {
		const provider = await mockProvider();
		const { run } = await verify(provider, generateIdentities(600, 13), { ...FAST, skipDuplicates: false });

		expect(run.error).toBeUndefined();
		const expected = [250, 500, 600].map((done) => `Verify: ${done} of 600 verification requests done`);
		expect(run.uiMessages).toEqual(expected);
		expect((globalThis.n8nLogLines ?? []).filter((line) => line.includes('verification requests done'))).toEqual(
			expected.map((message) => `info: ${message}`),
		);
	}, 30_000);

	it('without Continue On Fail, an invalid last item of 300 fails the run before any request is sent', async () => {
		const provider = await mockProvider();
		const identities = generateIdentities(300, 11);
		const invalid = { ...identities[299], idCard: `${identities[299].idCard.slice(0, 17)}${identities[299].idCard.endsWith('0') ? '1' : '0'}` };
		const { run } = await verify(provider, [...identities.slice(0, 299), invalid], FAST);

		expect(run.error?.message).toMatch(/ID Card Number/);
		expect(provider.requests).toHaveLength(0);
	});

	it('with Continue On Fail, requests go out while later items are still being read; the output is unchanged', async () => {
		const provider = await mockProvider();
		const identities = generateIdentities(1000, 12);
		// How many requests the provider had received when n8n first read each item's name.
		const receivedWhenRead: number[] = [];
		const items = identities.map((identity, index) => {
			const json: IDataObject = { ...identity };
			Object.defineProperty(json, 'name', {
				enumerable: true,
				get: () => {
					receivedWhenRead[index] ??= provider.requests.length;
					return identity.name;
				},
			});
			return json;
		});
		const run = await runVerify({
			parameters: { ...FROM_ITEM, options: { ...FAST, maskInput: false } },
			items,
			credentials: { apiToken: DEFAULT_TOKEN, baseUrl: provider.url },
			onError: 'continueRegularOutput',
		});

		expect(run.error).toBeUndefined();
		expect(receivedWhenRead[0]).toBe(0);
		expect(receivedWhenRead[999]).toBeGreaterThan(0);
		expectOneToOne(run.outputs()[0], identities);
		run.outputs()[0].forEach((item, index) => expect(item.json.result).toBe(expectedResult(identities[index])));
		expectOneOkAnswerEach(provider, identities);
	}, 30_000);
});
