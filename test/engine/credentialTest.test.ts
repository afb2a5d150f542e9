/**
 * The credential test as n8n runs it (n8n-core's credential-test context, its real request helper)
 * against the provider mock: it tells the token states apart and never causes a billed call.
 */
import { CredentialTestContext } from 'n8n-core';
import type { ICredentialsDecrypted } from 'n8n-workflow';

import { AceDataPhoneVerify } from '../../nodes/AceDataPhoneVerify/AceDataPhoneVerify.node';
import type { MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider } from '../support/mockProvider';

let provider: MockProvider;
beforeAll(async () => {
	provider = await startMockProvider({
		tokens: { [DEFAULT_TOKEN]: 'ok', 'tok-not-enabled-91b2': 'not_enabled', 'tok-expired-4c7d0e': 'expired' },
	});
});
afterAll(async () => await provider.close());
beforeEach(() => provider.reset());

async function testCredential(apiToken: string, baseUrl = provider.url) {
	const node = new AceDataPhoneVerify();
	const credential: ICredentialsDecrypted = {
		id: 'c1',
		name: 'Ace Data Cloud account',
		type: 'aceDataCloudApi',
		data: { apiToken, baseUrl },
	};
	const testedBy = node.description.credentials?.[0].testedBy as string;
	return await node.methods.credentialTest[testedBy as 'aceDataCloudApiTest'].call(
		new CredentialTestContext(),
		credential,
	);
}

it('is wired as the node-side test of the credential', () => {
	expect(new AceDataPhoneVerify().description.credentials).toEqual([
		{ name: 'aceDataCloudApi', required: true, testedBy: 'aceDataCloudApiTest' },
	]);
});

it('says OK for a working token, with a request that cannot be billed', async () => {
	const result = await testCredential(DEFAULT_TOKEN);
	expect(result.status).toBe('OK');
	expect(provider.requests).toHaveLength(1);
	expect(provider.requests[0].authorization).toBe(`Bearer ${DEFAULT_TOKEN}`);
	expect(provider.requests[0].status).toBe(400);
	expect(provider.billedAnswers.size).toBe(0);
});

it('says the token is wrong for an unknown token', async () => {
	const result = await testCredential('tok-unknown-7d0c3d');
	expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/not valid/) });
	expect(result.message).not.toContain('tok-unknown-7d0c3d');
});

it('says the token is wrong for an expired token', async () => {
	expect((await testCredential('tok-expired-4c7d0e')).message).toMatch(/not valid or has expired/);
});

it('says the token is not enabled for this API', async () => {
	const result = await testCredential('tok-not-enabled-91b2');
	expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/not enabled for the Phone Three-Element API/) });
});

it('says the Base URL is wrong when nothing answers there', async () => {
	const closed = await startMockProvider();
	await closed.close();
	const result = await testCredential(DEFAULT_TOKEN, closed.url);
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/Could not reach .* check the Base URL/);
});

it('asks for a token when none is set', async () => {
	expect(await testCredential('  ')).toEqual({ status: 'Error', message: 'Enter the API token' });
	expect(provider.requests).toHaveLength(0);
});
