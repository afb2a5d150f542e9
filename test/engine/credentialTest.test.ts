/**
 * The credential's test, run the way n8n runs a declarative credential test (n8n's CredentialsTester):
 * its request as the only routed property of a node that n8n-core's engine runs with the credential's own
 * `authenticate`, then its rules in order, the first whose `key` in the answer equals its `value` failing
 * the test with its message. The end-to-end suite runs the real thing through n8n's REST API.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';

import { AceDataCloudApi, VERIFY_PATH } from '../../credentials/AceDataCloudApi.credentials';
import { AceDataPhoneVerify } from '../../nodes/AceDataPhoneVerify/AceDataPhoneVerify.node';
import { runVerify } from '../support/engine';
import type { MockOptions, MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider, startOtherServer } from '../support/mockProvider';
import { CREDENTIAL_TOKEN_STATES, FAILING_TOKENS, PASSING_TOKENS, WRONG_BASE_URLS } from '../support/credentialTestCases';

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
	if (run.error) return { status: 'Error', error: run.error };
	const [body] = run.json();
	const failed = credential.test.rules?.find(
		(rule) => rule.type === 'responseSuccessBody' && valueAt(body, rule.properties.key) === rule.properties.value,
	);
	return failed ? { status: 'Error', message: failed.properties.message } : { status: 'OK' };
}

it('is the credential’s own test: the node names no test of its own', () => {
	expect(new AceDataPhoneVerify().description.credentials).toEqual([{ name: 'aceDataCloudApi', required: true }]);
	expect(credential.test.request.ignoreHttpStatusErrors).toBe(true);
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

it.each(PASSING_TOKENS)('passes $case: the gateway got past the token', async ({ token }) => {
	expect(await testCredential(token)).toEqual({ status: 'OK' });
	expect(provider.requests.map((r) => r.status)).toEqual([400]);
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
	['rate-limits', { rateLimit: { perSecond: 0.001, burst: 0 } }, /^The provider rate limit was exceeded, so the token could not be checked\. Test again/],
	['fails', { faultRate: 1, faultKinds: [500] }, /^The provider failed while answering, so the token could not be checked\. Test again/],
	['times out upstream', { faultRate: 1, faultKinds: [504] }, /^The provider timed out upstream, so the token could not be checked\. Test again/],
])('fails, to be tried again, when the provider %s instead of checking the token', async (_case, options, message) => {
	const busy = await startMockProvider(options);
	try {
		expect(await testCredential(DEFAULT_TOKEN, busy.url)).toEqual({ status: 'Error', message: expect.stringMatching(message) });
	} finally {
		await busy.close();
	}
});
