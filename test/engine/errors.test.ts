/**
 * Provider errors and connection failures inside n8n's engine: each becomes a NodeApiError that says
 * what happened and what to do, or an error item with Continue On Fail; the token never shows.
 */
import type { IDataObject } from 'n8n-workflow';

import { runVerify } from '../support/engine';
import { FROM_ITEM } from '../support/identities';
import type { MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider } from '../support/mockProvider';
import { SANDBOX_ERROR_PHONES } from '../support/sandboxIdentities';

const TOKENS = {
	[DEFAULT_TOKEN]: 'ok',
	'tok-not-enabled-91b2': 'not_enabled',
	'tok-expired-4c7d0e': 'expired',
	'tok-used-up-5e8f1a': 'used_up',
	'tok-disabled-6a9b2c': 'disabled',
} as const;

let provider: MockProvider;
beforeAll(async () => (provider = await startMockProvider({ tokens: { ...TOKENS } })));
afterAll(async () => await provider.close());
beforeEach(() => provider.reset());

const zhang = { name: '张三', phone: '13800138000', idCard: '11010519491231002X' };
const NO_RETRY = { options: { maxRetries: 0 } };

async function verify(
	items: IDataObject[],
	{ token = DEFAULT_TOKEN, onError, baseUrl = provider.url, parameters = NO_RETRY as IDataObject } = {} as {
		token?: string;
		onError?: 'continueRegularOutput' | 'continueErrorOutput';
		baseUrl?: string;
		parameters?: IDataObject;
	},
) {
	return await runVerify({
		parameters: { ...FROM_ITEM, ...parameters },
		items,
		credentials: { apiToken: token, baseUrl },
		onError,
	});
}

const EXPECTED: Record<string, RegExp> = {
	token_mismatched: /^The provider refused the request: a field or an encryption setting it does not accept, or the token/,
	api_not_implemented: /^The provider refused the request: missing or invalid parameters, or this API is not available/,
	bad_request: /rejected the request as invalid/,
	invalid_token: /token is not valid/,
	token_expired: /token has expired/,
	used_up: /balance for this API is used up/,
	disabled: /disabled/,
	no_api: /does not know this API/,
	too_many_requests: /rate limit was exceeded/,
	api_error: /failed while answering/,
	timeout: /timed out upstream/,
	bad_gateway: /failed while answering/,
	no_result: /without a verification result/,
	not_json: /not JSON/,
};

describe.each(Object.entries(SANDBOX_ERROR_PHONES))('provider answer for %s', (phone, { status, code }) => {
	it(`HTTP ${status} ${code} fails the node with a message that says what to do`, async () => {
		const run = await verify([{ ...zhang, phone }]);
		const error = run.error as unknown as IDataObject;
		expect(error).toBeDefined();
		expect(error.name).toBe('NodeApiError');
		expect(String(error.message)).toMatch(EXPECTED[code]);
		expect(String(error.description).length).toBeGreaterThan(20);
		expect(error.httpCode).toBe(String(status));
		expect(run.task().data).toBeUndefined();
	});

	it(`HTTP ${status} ${code} with Continue On Fail becomes an error item, never billed`, async () => {
		// A refusal stops the items not sent yet: sent 500 ms apart, its answer arrives before the next one is due
		// even on a loaded machine (at the default 50 ms, now and then it did not).
		const refused = status === 401 || status === 403;
		const options = { ...NO_RETRY.options, ...(refused ? { maxRequestsPerSecond: 2 } : {}) };
		const run = await verify([{ ...zhang, phone }, zhang], { onError: 'continueRegularOutput', parameters: { options } });
		const [failed, ok] = run.json();
		expect(failed).toMatchObject({
			status: 'api_error',
			httpCode: status,
			billable: false,
			matched: false,
			input: { name: '张*', phone: `${phone.slice(0, 3)}****${phone.slice(7)}`, idCard: '110105**********2X' },
		});
		expect(String(failed.error)).toMatch(EXPECTED[code]);
		const errorCodes: Record<string, string> = {
			bad_gateway: 'http_502',
			no_result: 'missing_result',
			not_json: 'invalid_response',
		};
		expect(failed.errorCode).toBe(errorCodes[code] ?? code);
		if (refused) {
			// A refused credential is every request's answer: the next item is not sent.
			expect(ok).toMatchObject({ status: 'api_error', errorCode: failed.errorCode, httpCode: status, attempts: 0 });
			expect(provider.requests).toHaveLength(1);
		} else {
			expect(ok.status).toBe('match');
		}
	});
});

describe('token states', () => {
	it.each([
		['tok-not-enabled-91b2', 400, 'token_mismatched'],
		['tok-expired-4c7d0e', 401, 'token_expired'],
		['tok-used-up-5e8f1a', 403, 'used_up'],
		['tok-disabled-6a9b2c', 403, 'disabled'],
		['tok-unknown-7d0c3d', 401, 'invalid_token'],
	])('token %s → HTTP %i %s, explained, without the token in any output', async (token, status, code) => {
		const run = await verify([zhang], { token, onError: 'continueRegularOutput' });
		const [item] = run.json();
		expect(item).toMatchObject({ status: 'api_error', httpCode: status, errorCode: code });
		expect(String(item.error)).toMatch(EXPECTED[code] ?? /token/);
		expect(JSON.stringify(run.run.data.resultData)).not.toContain(token);
	});
});

describe('connection failures', () => {
	it('a closed port is reported as unreachable, after the configured retries', async () => {
		const closed = await startMockProvider();
		const url = closed.url;
		await closed.close();
		const run = await verify([zhang], {
			baseUrl: url,
			onError: 'continueRegularOutput',
			parameters: { options: { maxRetries: 1 } },
		});
		expect(run.json()[0]).toMatchObject({ status: 'api_error', errorCode: 'ECONNREFUSED', httpCode: null });
		expect(String(run.json()[0].error)).toMatch(/Could not reach the provider/);
	});

	it('a hung request times out: its reply is lost, so it is sent again only when the user accepts paying twice', async () => {
		const hanging = await startMockProvider({ faultRate: 1, faultKinds: ['hang'] });
		const once = await verify([zhang], {
			baseUrl: hanging.url,
			onError: 'continueRegularOutput',
			parameters: { options: { timeout: 1000, maxRetries: 3, retryLostReplies: false } },
		});
		expect(hanging.requests).toHaveLength(1);
		expect(once.json()[0]).toMatchObject({ status: 'api_error', errorCode: 'reply_lost', attempts: 1 });
		expect(String(once.json()[0].error)).toMatch(/No answer from the provider within 1000 ms/);
		expect(String(once.json()[0].description)).not.toMatch(/nothing was billed/i);

		hanging.reset();
		const retried = await verify([zhang], {
			baseUrl: hanging.url,
			onError: 'continueRegularOutput',
			parameters: { options: { timeout: 1000, maxRetries: 1 } },
		});
		expect(hanging.requests).toHaveLength(2);
		expect(retried.json()[0]).toMatchObject({ errorCode: 'reply_lost', attempts: 2 });
		await hanging.close();
	}, 20_000);
});

describe('personal data a provider repeats in an error', () => {
	// The mock's bad_request answer quotes the name, mobile and ID number it was sent, as some gateways do.
	const quoted = { name: '张三', phone: '17000004002', idCard: '11010519491231002X' };
	const secrets = [quoted.name, quoted.phone, quoted.idCard, '110105194912310'];

	it('is masked in the error, its description and details, and in the run data, while Mask Input is on', async () => {
		const echoing = await startMockProvider({ echoPersonalData: true });
		const failed = await verify([quoted], { baseUrl: echoing.url });
		const error = failed.error as unknown as IDataObject;
		expect(String(error.description)).toMatch(
			/Provider says: "bad request: invalid name 张\*, phone 170\*\*\*\*4002, id_card 110105\*{10}2X"/,
		);
		const everything = JSON.stringify({ ...error, message: error.message }) + JSON.stringify(failed.run.data.resultData.runData);
		for (const secret of secrets) expect(everything).not.toContain(secret);

		const handled = await verify([quoted], { baseUrl: echoing.url, onError: 'continueErrorOutput' });
		expect(handled.outputs()[1]).toHaveLength(1);
		const stored = JSON.stringify(handled.run.data.resultData.runData);
		for (const secret of secrets) expect(stored).not.toContain(secret);
		await echoing.close();
	});

	it('is shown as sent when Mask Input is off (the user asked for unmasked values)', async () => {
		const echoing = await startMockProvider({ echoPersonalData: true });
		const run = await verify([quoted], { baseUrl: echoing.url, parameters: { options: { maxRetries: 0, maskInput: false } } });
		expect(String((run.error as unknown as IDataObject).description)).toContain(quoted.idCard);
		await echoing.close();
	});
});

describe('retries', () => {
	it('a 500 is retried and the item then verified; a 200 is never sent twice', async () => {
		const flaky = await startMockProvider({ faultRate: 0.5, faultKinds: [500], seed: 7 });
		const people = [zhang, { name: '李四', phone: '13700137000', idCard: '110101198001010010' }];
		const run = await verify(people, { baseUrl: flaky.url, parameters: { options: { maxRetries: 5 } } });
		expect(run.json().map((j) => j.status)).toEqual(['match', 'mismatch']);
		expect(flaky.requests.filter((r) => r.status === 200)).toHaveLength(2);
		expect(flaky.requests.filter((r) => r.status === 500).length).toBeGreaterThan(0);
		await flaky.close();
	});
});
