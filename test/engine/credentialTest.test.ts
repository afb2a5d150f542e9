/**
 * The credential's test, run the way n8n 2.x runs a declarative credential test (n8n's CredentialsTester):
 * its request as the only routed property of a node that n8n-core's engine runs with the credential's own
 * `authenticate`; when the request fails, the first status rule for its HTTP status fails the test with its
 * message; when it is answered, the first body rule whose `key` in the answer equals its `value` does. The
 * end-to-end suite runs the real thing, on n8n 1.x too, through n8n's REST API.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';

import { AceDataCloudApi, VERIFY_PATH } from '../../credentials/AceDataCloudApi.credentials';
import { AceDataPhoneVerify } from '../../nodes/AceDataPhoneVerify/AceDataPhoneVerify.node';
import { runVerify } from '../support/engine';
import type { MockOptions, MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider, startOtherServer } from '../support/mockProvider';
import { ACCEPTED_TOKENS, CREDENTIAL_TOKEN_STATES, FAILING_TOKENS, WRONG_BASE_URLS } from '../support/credentialTestCases';

let provider: MockProvider;
let other: Awaited<ReturnType<typeof startOtherServer>>;
beforeAll(async () => {
	provider = await startMockProvider({ tokens: { [DEFAULT_TOKEN]: 'ok', ...CREDENTIAL_TOKEN_STATES } });
	other = await startOtherServer();
});
afterAll(async () => {
	await provider.close();
	await other.close();
});
beforeEach(() => provider.reset());

const credential = new AceDataCloudApi();

/** What n8n makes of a declarative credential test: a node whose one property routes the test request. */
const probe: INodeType = {
	description: {
		displayName: 'Credential test',
		name: 'credentialTest',
		group: ['transform'],
		version: 1,
		description: 'Runs the credential test request',
		defaults: { name: 'Credential test' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: credential.name, required: true }],
		properties: [
			{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: credential.test.request } },
		],
	},
};

function valueAt(body: unknown, key: string): unknown {
	return key.split('.').reduce<unknown>((value, part) => (value as IDataObject | undefined)?.[part], body);
}

async function testCredential(apiToken: string, baseUrl = provider.url) {
	const run = await runVerify({ nodeType: probe, parameters: {}, items: [{}], credentials: { apiToken, baseUrl } });
	const rules = credential.test.rules ?? [];
	if (run.error) {
		// n8n's tester reads the failed request's status; the engine's run keeps it as the error's httpCode.
		const status = Number((run.error as { httpCode?: string }).httpCode);
		const byStatus = rules.find((rule) => rule.type === 'responseCode' && rule.properties.value === status);
		return byStatus ? { status: 'Error', message: byStatus.properties.message } : { status: 'Error', error: run.error };
	}
	const [body] = run.json();
	const failed = rules.find(
		(rule) => rule.type === 'responseSuccessBody' && valueAt(body, rule.properties.key) === rule.properties.value,
	);
	return failed ? { status: 'Error', message: failed.properties.message } : { status: 'OK' };
}

it('is the credential’s own test: the node names no test of its own', () => {
	expect(new AceDataPhoneVerify().description.credentials).toEqual([{ name: 'aceDataCloudApi', required: true }]);
	// Refusals fail the request, so that n8n 2.x reads their status; a 400 is an answer to read.
	expect(credential.test.request.ignoreHttpStatusErrors).toEqual({ ignore: true, except: [401, 403, 429, 500, 502, 503, 504] });
});

it('passes a working token with one request the provider cannot bill: an empty body', async () => {
	expect(await testCredential(DEFAULT_TOKEN)).toEqual({ status: 'OK' });
	expect(provider.requests).toHaveLength(1);
	const [request] = provider.requests;
	expect(request).toMatchObject({ method: 'POST', path: VERIFY_PATH, bodyText: '{}', status: 400 });
	expect(request.authorization).toBe(`Bearer ${DEFAULT_TOKEN}`);
	expect(provider.billedAnswers.size).toBe(0);
	expect(provider.okAnswers.size).toBe(0);
});

it('tolerates a trailing slash and spaces in the Base URL', async () => {
	expect(await testCredential(DEFAULT_TOKEN, ` ${provider.url}/ `)).toEqual({ status: 'OK' });
	expect(provider.requests[0].path).toBe(VERIFY_PATH);
});

it.each(ACCEPTED_TOKENS)('passes $case: the gateway got past authentication', async ({ token }) => {
	expect(await testCredential(token)).toEqual({ status: 'OK' });
	expect(provider.requests.map((request) => request.status)).toEqual([400]);
});

it.each(FAILING_TOKENS)('fails $case and says what to do, without the token in the message', async ({ token, message }) => {
	const result = await testCredential(token);
	expect(result).toEqual({ status: 'Error', message: expect.stringMatching(message) });
	expect(result.message).not.toContain(token);
	expect(provider.billedAnswers.size).toBe(0);
});

it.each(WRONG_BASE_URLS)('fails when the Base URL $case, and says so', async ({ baseUrl, message }) => {
	const result = await testCredential(DEFAULT_TOKEN, baseUrl({ provider: provider.url, other: other.url }));
	expect(result).toEqual({ status: 'Error', message: expect.stringMatching(message) });
});

it('fails when nothing answers at the Base URL', async () => {
	const closed = await startMockProvider();
	await closed.close();
	const result = await testCredential(DEFAULT_TOKEN, closed.url);
	expect(result.status).toBe('Error');
	// The request fails before any answer: n8n says why (the end-to-end suite checks what the editor shows).
	expect(result.error).toMatchObject({ name: 'NodeApiError', message: expect.stringMatching(/refused the connection/) });
});

it.each<[string, MockOptions, RegExp]>([
	['rate-limits', { rateLimit: { perSecond: 0.001, burst: 0 } }, /^The provider could not check the token just now .*Test again/],
	['fails', { faultRate: 1, faultKinds: [500] }, /^The provider could not check the token just now .*Test again/],
	['times out upstream', { faultRate: 1, faultKinds: [504] }, /^The provider could not check the token just now .*Test again/],
])('fails, to be tried again, when the provider %s instead of checking the token', async (_case, options, message) => {
	const busy = await startMockProvider(options);
	try {
		expect(await testCredential(DEFAULT_TOKEN, busy.url)).toEqual({ status: 'Error', message: expect.stringMatching(message) });
	} finally {
		await busy.close();
	}
});
