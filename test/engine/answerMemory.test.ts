/**
 * An answer is bought once per execution, whatever n8n does around the node: Retry On Fail re-running it in every
 * error mode, another Verify node in the same execution. What the provider billed is counted at the provider.
 * What the execution keeps holds no identity; its totals and the editor's notices say what the run did.
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { MEMORY_KEY } from '../../nodes/AceDataPhoneVerify/answerMemory';
import type { VerifyRunOptions, WorkflowRun } from '../support/engine';
import { DEFAULT_VERSION, runVerify, VERIFY_NODE, VERIFY_TYPE } from '../support/engine';
import { expectedResult, FROM_ITEM, generateIdentities, resultByLastDigit } from '../support/identities';
import type { MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider } from '../support/mockProvider';
import { SANDBOX_IDENTITIES } from '../support/sandboxIdentities';

let provider: MockProvider;
beforeAll(async () => (provider = await startMockProvider()));
afterAll(async () => await provider.close());
beforeEach(() => provider.reset());

const person = (name: string) => {
	const { result: _result, isp: _isp, ...fields } = SANDBOX_IDENTITIES.find((p) => p.name === name)!;
	return fields;
};
/** Four distinct identities the provider bills (three matches, a mismatch). */
const BILLED = ['张三', '欧阳娜娜', 'John Smith', '李四'].map(person);
const INVALID = { ...person('张三'), idCard: '110105194912310021' };
const RETRY_ON_FAIL = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 } as const;

const requestsFor = (phone: string) => provider.requests.filter((request) => request.body?.phone === phone).length;

async function verify(items: IDataObject[], options: Partial<VerifyRunOptions> = {}): Promise<WorkflowRun> {
	return await runVerify({
		parameters: { ...FROM_ITEM, options: {} },
		items,
		credentials: { apiToken: DEFAULT_TOKEN, baseUrl: provider.url },
		...options,
	});
}

describe('Retry On Fail (3 tries, no wait): each distinct identity is billed once', () => {
	const modes = [
		['the default error mode', undefined],
		['Continue (regular output)', 'continueRegularOutput'],
		['Continue (using error output)', 'continueErrorOutput'],
	] as const;
	const cases = modes.flatMap(([label, onError]) =>
		[false, true].flatMap((routeByResult) =>
			[false, true].map((invalidFirst) => ({ label, onError, routeByResult, invalidFirst })),
		),
	);
	/** Gets HTTP 500 on every try: its failure makes n8n run the node again (Continue: as the first item). */
	const SERVER_ERROR = { ...person('王五'), phone: '17000005000' };

	it.each(cases)('$label, Route by Result $routeByResult, first item invalid: $invalidFirst', async (c) => {
		// Every case makes n8n try again: a failure fails the run (default) or is the first item (Continue). Duplicates
		// too: the copies never cost anything either.
		const failing = c.invalidFirst ? INVALID : SERVER_ERROR;
		const items = c.onError ? [failing, ...BILLED, BILLED[0], BILLED[3]] : [...BILLED, BILLED[0], BILLED[3], failing];
		const run = await verify(items, {
			parameters: { ...FROM_ITEM, routeByResult: c.routeByResult, options: { maxRetries: 0 } },
			onError: c.onError,
			settings: RETRY_ON_FAIL,
		});
		// n8n tried three times, the failing request going out on each try; except when routing puts the error item on
		// Not Verified: n8n looks at the first output's first item only, finds an answer there, and runs once.
		if (!c.invalidFirst) expect(requestsFor(SERVER_ERROR.phone)).toBe(c.onError && c.routeByResult ? 1 : 3);
		if (c.invalidFirst && !c.onError) {
			// Every item is checked before any is sent: the invalid one fails each try before anything is billed.
			expect(run.error?.message).toMatch(/ID Card Number/);
			expect(provider.requests).toHaveLength(0);
			return;
		}
		expect(provider.billedCalls).toBe(BILLED.length);
		expect(provider.requests.filter((request) => request.body?.phone !== SERVER_ERROR.phone)).toHaveLength(BILLED.length);
		expect(run.run.data.resultData.metadata?.billedCalls).toBe(String(BILLED.length));
		if (!c.onError) return expect(run.error?.message).toMatch(/failed while answering/);
		// The output n8n keeps is the last try's: it says what the run bought, the earlier tries' purchases included.
		const answered = run.json().filter((item) => item.result != null);
		expect(answered).toHaveLength(BILLED.length + 2);
		expect(answered.filter((item) => item.billable)).toHaveLength(BILLED.length);
		expect(answered.filter((item) => item.cached)).toHaveLength(2);
		expect(answered.filter((item) => item.billable).every((item) => item.attempts === 1)).toBe(true);
	});

	it.each([
		['first', [INVALID, BILLED[0], BILLED[3]]],
		['in the middle', [BILLED[0], INVALID, BILLED[3]]],
	])('with the invalid item %s, the sum of billable over the last try is what the run bought', async (_where, items) => {
		const run = await verify(items, { onError: 'continueRegularOutput', settings: RETRY_ON_FAIL });
		expect(provider.billedCalls).toBe(2);
		expect(run.json().filter((item) => item.billable)).toHaveLength(2);
		expect(run.run.data.resultData.metadata).toEqual({ billedCalls: '2', reusedAnswers: '0' });
	});

	it('on a re-run, reuses what was answered and sends again only what failed', async () => {
		// 张三 is answered; 赵六 gets the engine error -2 and the 500 fails: both may pass on another try.
		const engineError = person('赵六');
		const serverError = { ...person('王五'), phone: '17000005000' };
		const run = await verify([BILLED[0], engineError, serverError], {
			parameters: { ...FROM_ITEM, options: { maxRetries: 0 } },
			settings: RETRY_ON_FAIL,
		});
		expect(run.error?.message).toMatch(/failed while answering/);
		expect(requestsFor(BILLED[0].phone)).toBe(1);
		expect(requestsFor(engineError.phone)).toBe(3);
		expect(requestsFor(serverError.phone)).toBe(3);
		expect(provider.billedCalls).toBe(1);
	});

	it('says in a notice above the output that answered items are not sent again', async () => {
		const run = await verify(BILLED, { settings: RETRY_ON_FAIL });
		expect(run.task().hints?.map((hint) => hint.message)).toContain(
			'Retry On Fail is on: items answered earlier in this execution are not sent again (nor billed); a retry sends only the items that failed.',
		);
		expect((await verify(BILLED)).task().hints ?? []).toEqual([]);
	});
});

describe('another run of the node in the same execution', () => {
	/** A second Verify node fed with the first one's output, which keeps the input fields. */
	const again = (parameters: INodeParameters = { ...FROM_ITEM, options: {} }): VerifyRunOptions['downstream'] => {
		const node: INode = {
			id: 'verify-again',
			name: 'Verify again',
			type: VERIFY_TYPE,
			typeVersion: DEFAULT_VERSION,
			position: [200, 0],
			parameters,
			credentials: { aceDataCloudApi: { id: 'cred-1', name: 'Ace Data Cloud account' } },
		};
		return { types: {}, nodes: [node], connections: { [VERIFY_NODE]: { main: [[{ node: node.name, type: 'main', index: 0 }]] } } };
	};
	const keepingFields = { ...FROM_ITEM, options: { keepInputFields: true } };

	it('sends nothing for what the execution already bought: answers reused, not billed, 0 attempts', async () => {
		const run = await verify(BILLED, { parameters: keepingFields, downstream: again() });
		expect(provider.billedCalls).toBe(BILLED.length);
		expect(provider.requests).toHaveLength(BILLED.length);
		const first = run.json();
		const second = run.json('Verify again');
		expect(second).toHaveLength(BILLED.length);
		second.forEach((item, index) => {
			expect(item).toMatchObject({ result: first[index].result, status: first[index].status, cached: true, billable: false, attempts: 0 });
			expect(item).not.toHaveProperty('error');
		});
	});

	it('publishes the execution totals as custom data: billed calls and reused answers', async () => {
		const run = await verify([...BILLED, BILLED[1]], { parameters: keepingFields, downstream: again() });
		// The first run reuses one answer (the duplicate); the second reuses all five.
		expect(run.run.data.resultData.metadata).toEqual({ billedCalls: '4', reusedAnswers: '6' });
	});

	it('keeps answers that a second try would not change, and asks again for those it might', async () => {
		const kept = ['王五', '周八', '吴九', '郑十'].map(person); // -1, -4, -5, -6: final, not billed
		const askedAgain = ['赵六', '孙七', '钱十一'].map(person); // -2, -3 and an unknown code
		await verify([...kept, ...askedAgain], { parameters: keepingFields, downstream: again() });
		for (const p of kept) expect(requestsFor(p.phone)).toBe(1);
		for (const p of askedAgain) expect(requestsFor(p.phone)).toBe(2);
	});

	it('sends every item again when Skip Duplicates is off', async () => {
		const sendAll = { ...FROM_ITEM, options: { skipDuplicates: false } };
		await verify(BILLED, { parameters: { ...sendAll, options: { skipDuplicates: false, keepInputFields: true } }, downstream: again(sendAll) });
		expect(provider.requests).toHaveLength(2 * BILLED.length);
	});

	it('does not reuse an answer bought with another token', async () => {
		const other = 'another-token-7d1e0b';
		const twoTokens = await startMockProvider({ tokens: { [DEFAULT_TOKEN]: 'ok', [other]: 'ok' } });
		try {
			const downstream = again(keepingFields)!;
			downstream.nodes[0].credentials = { aceDataCloudApi: { id: 'cred-2', name: 'Another account' } };
			await runVerify({
				parameters: keepingFields,
				items: BILLED,
				credentials: { apiToken: DEFAULT_TOKEN, baseUrl: twoTokens.url },
				otherCredentials: { 'cred-2': { apiToken: other, baseUrl: twoTokens.url } },
				downstream,
			});
			const billedTo = (token: string) => twoTokens.requests.filter((r) => r.authorization === `Bearer ${token}` && r.billed).length;
			expect([billedTo(DEFAULT_TOKEN), billedTo(other)]).toEqual([BILLED.length, BILLED.length]);
		} finally {
			await twoTokens.close();
		}
	});

	it('does not reuse an answer for another Verification Mode', async () => {
		const long = { ...FROM_ITEM, verifyMode: 'long', options: {} };
		await verify(BILLED, { parameters: keepingFields, downstream: again(long) });
		expect(provider.requests).toHaveLength(2 * BILLED.length);
	});

	it('counts as billed calls only what the provider billed', async () => {
		const unbilled = ['王五', '赵六', '郑十', '钱十一'].map(person); // -1, -2, -6 and an unknown code
		const run = await verify([...BILLED, ...unbilled]);
		expect(provider.billedCalls).toBe(BILLED.length);
		expect(run.run.data.resultData.metadata?.billedCalls).toBe(String(provider.billedCalls));
	});

	it('gives each Verify node its own Max Billed Calls: an earlier node’s spending leaves a later node’s cap whole', async () => {
		const people = generateIdentities(80, 23).filter((identity) => ['0', '1'].includes(expectedResult(identity)));
		// Each item carries two people: the first node verifies one, the second node the other.
		const items = [0, 1, 2, 3].map((i) => ({ ...people[i], other: people[i + 4] }));
		const billing = await startMockProvider({ resultFor: resultByLastDigit });
		try {
			const capped = { options: { maxBilledCalls: 3, keepInputFields: true } };
			const otherPerson = { name: '={{ $json.other.name }}', phone: '={{ $json.other.phone }}', idCard: '={{ $json.other.idCard }}' };
			const run = await runVerify({
				parameters: { ...FROM_ITEM, ...capped },
				items,
				credentials: { apiToken: DEFAULT_TOKEN, baseUrl: billing.url },
				downstream: again({ ...otherPerson, ...capped }),
			});
			const capReached = (node: string) => run.json(node).map((item) => item.status === 'budget_reached');
			expect(capReached(VERIFY_NODE)).toEqual([false, false, false, true]);
			expect(capReached('Verify again')).toEqual([false, false, false, true]);
			expect(billing.billedCalls).toBe(6);
			// The execution's total counts both.
			expect(run.run.data.resultData.metadata?.billedCalls).toBe('6');
		} finally {
			await billing.close();
		}
	});
});

describe('what the execution keeps', () => {
	it('holds no name, mobile or ID number: HMAC keys and the answer fields only', async () => {
		const run = await verify(BILLED);
		const flow = run.run.data.executionData?.contextData.flow as IDataObject;
		const memory = flow[MEMORY_KEY] as { answers: Record<string, IDataObject> };
		const keys = Object.keys(memory.answers);
		expect(keys).toHaveLength(BILLED.length);
		for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
		for (const answer of Object.values(memory.answers)) {
			expect(Object.keys(answer).sort()).toEqual(['description', 'isp', 'result', 'resultDetail', 'traceId']);
		}
		const saved = JSON.stringify(run.run.data.executionData?.contextData);
		for (const p of BILLED) {
			for (const value of [p.name, p.phone, p.idCard, p.idCard.slice(0, 17)]) expect(saved).not.toContain(value);
		}
	});

	it('keys nobody can work out from the token and the request: the same request gets another key in each execution', async () => {
		// A proxy's placeholder token: as guessable as it gets.
		const placeholder = await startMockProvider({ tokens: { x: 'ok' } });
		try {
			const keysOf = async () => {
				const run = await runVerify({ parameters: { ...FROM_ITEM, options: {} }, items: BILLED, credentials: { apiToken: 'x', baseUrl: placeholder.url } });
				const flow = run.run.data.executionData?.contextData.flow as IDataObject;
				return Object.keys((flow[MEMORY_KEY] as { answers: IDataObject }).answers);
			};
			const [first, second] = [await keysOf(), await keysOf()];
			expect(first).toHaveLength(BILLED.length);
			expect(second.filter((key) => first.includes(key))).toEqual([]);
		} finally {
			await placeholder.close();
		}
	});
});
