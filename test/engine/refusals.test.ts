/**
 * What a green run did not do, said where people look: a refused credential stops the sending at its first
 * answer, and the notices above the output (n8n's execution hints) count the items not sent and say what to do.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { WorkflowRun } from '../support/engine';
import { runVerify } from '../support/engine';
import { FROM_ITEM, generateIdentities, resultByLastDigit } from '../support/identities';
import type { MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider } from '../support/mockProvider';

const USED_UP_TOKEN = 'tok-used-up-5e8f1a';
let provider: MockProvider;
/** The same provider, answering in 300 ms: the first refusal comes back after every request in flight has left. */
let slow: MockProvider;
beforeAll(async () => {
	const tokens = { [DEFAULT_TOKEN]: 'ok', [USED_UP_TOKEN]: 'used_up' } as const;
	provider = await startMockProvider({ tokens, resultFor: resultByLastDigit });
	slow = await startMockProvider({ tokens, resultFor: resultByLastDigit, latencyMs: 300 });
});
afterAll(async () => await Promise.all([provider.close(), slow.close()]));
beforeEach(() => {
	provider.reset();
	slow.reset();
});
/** Ten requests in flight at once, unpaced: nothing but the refusal stop keeps the other 190 from going out. */
const TEN_AT_ONCE = { concurrency: 10, maxRequestsPerSecond: 0 };

const people = generateIdentities(200, 21) as unknown as IDataObject[];
const hints = (run: WorkflowRun) => (run.task().hints ?? []).map((hint) => hint.message);

async function verify(items: IDataObject[], token: string, options: INodeParameters = {}, onError?: 'continueRegularOutput', at = provider) {
	return await runVerify({
		parameters: { ...FROM_ITEM, options },
		items,
		credentials: { apiToken: token, baseUrl: at.url },
		onError,
	});
}

describe.each([
	['a wrong token', 'tok-wrong-0b1c2d', 401, 'invalid_token', 'Copy the token again from the Ace Data Cloud platform'],
	['a used-up balance', USED_UP_TOKEN, 403, 'used_up', 'Buy more quota on the Ace Data Cloud platform'],
])('%s, 200 items, default options', (_case, token, httpCode, errorCode, advice) => {
	it('with Continue On Fail: sends nothing after the first refusal, and every item carries it', async () => {
		// Continue On Fail does not stop at a failed item: only the refusal stop keeps the rest from going out.
		const run = await verify(people, token, TEN_AT_ONCE, 'continueRegularOutput', slow);
		expect(slow.requests).toHaveLength(10);
		const items = run.json();
		expect(items).toHaveLength(200);
		for (const item of items) {
			expect(item).toMatchObject({ status: 'api_error', errorCode, httpCode, billable: false });
			expect(item.description).toContain(advice);
		}
		const unsent = items.filter((item) => item.attempts === 0);
		expect(unsent).toHaveLength(200 - slow.requests.length);
		expect(hints(run)).toEqual([expect.stringMatching(new RegExp(`^${unsent.length} items not sent: the .*\\(HTTP ${httpCode}, ${errorCode}\\)\\. ${advice}`))]);
	});

	it('in the default error mode: the run fails with the refusal, having sent only what was in flight', async () => {
		const run = await verify(people, token, TEN_AT_ONCE, undefined, slow);
		expect(slow.requests).toHaveLength(10);
		expect(run.error).toMatchObject({ httpCode: String(httpCode) });
		expect(String(run.error?.description)).toContain(advice);
	});
});

describe('notices for what a run did not send', () => {
	it('Max Billed Calls: counts the items left unsent, in words that agree with the numbers', async () => {
		const run = await verify(people.slice(0, 12).map((p) => ({ ...p, phone: `${String(p.phone).slice(0, 10)}0` })), DEFAULT_TOKEN, {
			maxBilledCalls: 1,
		});
		const items = run.json();
		expect(items.filter((item) => item.billable)).toHaveLength(1);
		expect(items.filter((item) => item.status === 'budget_reached')).toHaveLength(11);
		expect(items.find((item) => item.status === 'budget_reached')?.description).toBe(
			'Not sent: the cap of 1 billed call (Max Billed Calls) was reached, with 1 call billed in this execution',
		);
		expect(hints(run)).toEqual([
			'11 items not sent: the cap of 1 billed call (Max Billed Calls) was reached, with 1 call billed in this execution.',
		]);
	});

	it('Dry Run: says nothing was sent and how many requests a real run would make', async () => {
		const run = await verify([...people.slice(0, 3), people[0]], DEFAULT_TOKEN, { dryRun: true });
		expect(provider.requests).toHaveLength(0);
		expect(hints(run)).toEqual(['Dry run: nothing was sent. A real run would send 3 requests (each may be billed).']);
	});

	it('a run that sent everything it was given has no notice', async () => {
		expect(hints(await verify(people.slice(0, 3), DEFAULT_TOKEN))).toEqual([]);
	});
});
