/**
 * The package inside a real n8n (N8N_VERSION, default 2.41.1), installed the way users install it: workflows
 * imported with n8n's CLI and run with `n8n execute` against the provider mock on 127.0.0.1, and the
 * credential test through n8n's REST API. Each `n8n` command boots n8n (seconds), so one workflow covers
 * several cases and the assertions read its run data.
 */
import { SANDBOX_IDENTITIES } from '../support/sandboxIdentities';
import type { MockProvider } from '../support/mockProvider';
import { startMockProvider, startOtherServer } from '../support/mockProvider';
import { ACCEPTED_TOKENS, CREDENTIAL_TOKEN_STATES, FAILING_TOKENS, WRONG_BASE_URLS } from '../support/credentialTestCases';
import type { ExecuteResult, N8nRun } from './n8n';
import {
	CREDENTIAL_TYPE,
	ensureN8n,
	freePort,
	N8N_MAJOR,
	N8N_VERSION,
	N8nInstance,
	outputEntries,
	outputItems,
	ran,
	RestSession,
	VERIFY_TYPE,
} from './n8n';
import { FROM_ITEM } from '../support/identities';
import { ERROR_ITEM_KEYS, masked, OUTPUT_KEYS, total } from './expected';
import { code, ifTrue, manualTrigger, noOp, set, verify, workflow } from './workflows';

const GOOD_TOKEN = 'e2e-good-token-8d41f0b2';
const UNKNOWN_TOKEN = 'e2e-unknown-token-27c9ae';
const NOT_ENABLED_TOKEN = 'e2e-not-enabled-token-5b13';

const GOOD = { id: 'e2eCredGood0001', name: 'Ace Data (mock, good token)' };
const UNKNOWN = { id: 'e2eCredUnknown1', name: 'Ace Data (mock, unknown token)' };
/** A Base URL where nothing listens. */
const CLOSED = { id: 'e2eCredClosed01', name: 'Ace Data (nothing listening)' };

const ZHANG = SANDBOX_IDENTITIES.find((p) => p.name === '张三')!;
const LI = SANDBOX_IDENTITIES.find((p) => p.result === '1')!;
/**
 * Valid by every local rule; the mock answers this mobile number with 400 bad_request: an error of this request
 * only (a refused token or account would stop the rest of the run: the engine tests cover that).
 */
const REFUSED_REQUEST = { name: '测试', phone: '17000004002', idCard: '110101199001010015' };
/** The last character should be X: fails the checksum rule. */
const BAD_CHECKSUM = { name: '张三', phone: '13800138000', idCard: '110105194912310021' };

const IDS = {
	branching: 'e2eBranching001',
	handled: 'e2eHandledErr01',
	invalid: 'e2eFailInput001',
	badToken: 'e2eFailToken001',
	unreachable: 'e2eUnreachable1',
};

let provider: MockProvider;
let n8n: N8nInstance;

beforeAll(async () => {
	ensureN8n();
	provider = await startMockProvider({
		tokens: { [GOOD_TOKEN]: 'ok', [NOT_ENABLED_TOKEN]: 'not_enabled', ...CREDENTIAL_TOKEN_STATES },
	});
	n8n = N8nInstance.create();
	await n8n.importCredentials([
		{ ...GOOD, type: CREDENTIAL_TYPE, data: { apiToken: GOOD_TOKEN, baseUrl: provider.url } },
		{ ...UNKNOWN, type: CREDENTIAL_TYPE, data: { apiToken: UNKNOWN_TOKEN, baseUrl: `${provider.url}/` } },
		{ ...CLOSED, type: CREDENTIAL_TYPE, data: { apiToken: GOOD_TOKEN, baseUrl: `http://127.0.0.1:${await freePort()}` } },
	]);
	await n8n.importWorkflows(Object.values(WORKFLOWS));
}, 30 * 60_000);

afterAll(async () => {
	await provider?.close();
	n8n?.remove();
});

/** People as a CRM export might hold them: other field names, formatting the node normalises. */
const PEOPLE = [
	{ crmId: 'c-0', fullName: ZHANG.name, mobile: '+86 138-0013-8000', id: ZHANG.idCard.toLowerCase() },
	...SANDBOX_IDENTITIES.map((p, index) => ({ crmId: `c-${index + 1}`, fullName: p.name, mobile: p.phone, id: p.idCard })),
];

const WORKFLOWS = {
	// Manual Trigger → Code → Set (mapping with expressions) → Verify → IF on matched; and the same items
	// through a second Verify with Route by Result into three outputs.
	branching: workflow(
		IDS.branching,
		'E2E: branching',
		[
			manualTrigger(),
			code('People', PEOPLE),
			set('Map Fields', { name: '={{ $json.fullName }}', phone: '={{ $json.mobile }}', idCard: '={{ $json.id }}' }),
			verify('Verify', GOOD, FROM_ITEM),
			ifTrue('Matched?', '={{ $json.matched }}'),
			noOp('Matched'),
			noOp('Not Matched'),
			verify('Verify Routed', GOOD, { ...FROM_ITEM, verifyMode: 'long', routeByResult: true }),
			noOp('On Match'),
			noOp('On Mismatch'),
			noOp('On Not Verified'),
		],
		[
			['Start', 'People'],
			['People', 'Map Fields'],
			['Map Fields', 'Verify'],
			['Verify', 'Matched?'],
			['Matched?', 'Matched', 0],
			['Matched?', 'Not Matched', 1],
			['Map Fields', 'Verify Routed'],
			['Verify Routed', 'On Match', 0],
			['Verify Routed', 'On Mismatch', 1],
			['Verify Routed', 'On Not Verified', 2],
		],
	),
	// An invalid ID number and an API error, handled four ways: Continue (regular output), single and
	// routed; Continue (using error output), single and routed.
	handled: workflow(
		IDS.handled,
		'E2E: handled errors',
		[
			manualTrigger(),
			code('Mixed', [ZHANG, BAD_CHECKSUM, REFUSED_REQUEST, LI]),
			verify('Continue', GOOD, FROM_ITEM, { onError: 'continueRegularOutput' }),
			noOp('After Continue'),
			verify('Continue Routed', GOOD, { ...FROM_ITEM, routeByResult: true }, { onError: 'continueRegularOutput' }),
			noOp('CR Match'),
			noOp('CR Mismatch'),
			noOp('CR Not Verified'),
			verify('Error Output', GOOD, FROM_ITEM, { onError: 'continueErrorOutput' }),
			noOp('EO Success'),
			noOp('EO Error'),
			verify('Error Output Routed', GOOD, { ...FROM_ITEM, routeByResult: true }, { onError: 'continueErrorOutput' }),
			noOp('EOR Match'),
			noOp('EOR Mismatch'),
			noOp('EOR Not Verified'),
			noOp('EOR Error'),
		],
		[
			['Start', 'Mixed'],
			['Mixed', 'Continue'],
			['Continue', 'After Continue'],
			['Mixed', 'Continue Routed'],
			['Continue Routed', 'CR Match', 0],
			['Continue Routed', 'CR Mismatch', 1],
			['Continue Routed', 'CR Not Verified', 2],
			['Mixed', 'Error Output'],
			['Error Output', 'EO Success', 0],
			['Error Output', 'EO Error', 1],
			['Mixed', 'Error Output Routed'],
			['Error Output Routed', 'EOR Match', 0],
			['Error Output Routed', 'EOR Mismatch', 1],
			['Error Output Routed', 'EOR Not Verified', 2],
			['Error Output Routed', 'EOR Error', 3],
		],
	),
	// No error handling: an invalid item stops the run before anything is sent.
	invalid: workflow(
		IDS.invalid,
		'E2E: invalid input fails',
		[manualTrigger(), code('Items', [ZHANG, BAD_CHECKSUM]), verify('Verify', GOOD, FROM_ITEM), noOp('After')],
		[
			['Start', 'Items'],
			['Items', 'Verify'],
			['Verify', 'After'],
		],
	),
	// A token the provider does not know: the run fails with the provider's advice.
	badToken: workflow(
		IDS.badToken,
		'E2E: unknown token fails',
		[
			manualTrigger(),
			verify('Verify', UNKNOWN, { name: ZHANG.name, phone: ZHANG.phone, idCard: ZHANG.idCard, options: { maxRetries: 0 } }),
			noOp('After'),
		],
		[
			['Start', 'Verify'],
			['Verify', 'After'],
		],
	),
	// Nothing listens at the Base URL: the request never leaves n8n.
	unreachable: workflow(
		IDS.unreachable,
		'E2E: provider unreachable',
		[
			manualTrigger(),
			code('One', [ZHANG]),
			verify('Verify', CLOSED, { ...FROM_ITEM, options: { maxRetries: 1, retryLostReplies: false } }, { onError: 'continueRegularOutput' }),
		],
		[
			['Start', 'One'],
			['One', 'Verify'],
		],
	),
};

/** Runs a workflow against a fresh provider log; no token may appear in what n8n printed. */
async function execute(id: string): Promise<ExecuteResult> {
	provider.reset();
	return await n8n.executeWithout([GOOD_TOKEN, UNKNOWN_TOKEN], id);
}

describe(`n8n ${N8N_VERSION}`, () => {
	test('loads the node and its credential from <user folder>/.n8n/nodes', async () => {
		const nodes = await n8n.exportNodes();
		const node = nodes.find((n) => n.name === VERIFY_TYPE);
		// Version 3 is what a new node gets; versions 1 and 2 still load for workflows saved with them.
		expect(node).toMatchObject({ displayName: 'Ace Data Identity Verify', version: [1, 2, 3], defaultVersion: 3 });
		expect(node!.credentials).toEqual([expect.objectContaining({ name: CREDENTIAL_TYPE, required: true })]);
		// usableAsTool: n8n derives a tool variant that AI agents can call.
		expect(nodes.map((n) => n.name)).toContain(`${VERIFY_TYPE}Tool`);
	});

	describe('expressions, single output, IF on matched, routed outputs', () => {
		let result: ExecuteResult;
		let run: N8nRun;
		beforeAll(async () => {
			result = await execute(IDS.branching);
			run = result.run;
		});

		test('the run succeeds', () => {
			expect(run.status).toBe('success');
			expect(run.data.resultData.error).toBeUndefined();
		});

		test('one output item per input item, with exactly the contract fields', () => {
			const items = outputItems(run, 'Verify');
			expect(items).toHaveLength(PEOPLE.length);
			expect(items[0]).toEqual({
				result: '0',
				status: 'match',
				matched: true,
				billable: true,
				description: '认证通过',
				isp: '移动',
				resultDetail: null,
				traceId: null,
				cached: false,
				attempts: 1,
				input: { name: '张*', phone: '138****8000', idCard: '110105**********2X' },
				errorCode: null,
				httpCode: null,
			});
			for (const item of items) expect(Object.keys(item)).toEqual(OUTPUT_KEYS);
			expect(outputEntries(run, 'Verify').map((entry) => entry.pairedItem)).toEqual(
				PEOPLE.map((_, item) => ({ item })),
			);
		});

		test('expressions read the upstream Code and Set items; formatting is normalised, duplicates sent once', () => {
			const items = outputItems(run, 'Verify');
			const expected = ['0', ...SANDBOX_IDENTITIES.map((p) => p.result)];
			expect(items.map((item) => item.result)).toEqual(expected);
			expect(items.map((item) => item.status)).toEqual([
				'match', 'match', 'match', 'match', 'match', 'mismatch', 'no_record', 'engine_error', 'service_error',
				'name_invalid', 'phone_invalid', 'daily_limit', 'unknown',
			]);
			// The first item (formatted number, lower-case x) and the sandbox 张三 are the same triple.
			expect(items.map((item) => item.cached)).toEqual(PEOPLE.map((_, index) => index === 1));
			expect(items[0].input).toEqual(items[1].input);
			// The copy shares the answer, not the bill: only the item whose own request was billed is billable.
			expect(items[1]).toMatchObject({ status: 'match', cached: true, billable: false, attempts: 0 });
			expect(items.map((item) => item.billable)).toEqual(
				items.map((item) => ['match', 'mismatch'].includes(item.status as string) && item.cached === false),
			);
			expect(items[2].input).toEqual({ name: '欧阳**', phone: '139****9000', idCard: '440524**********14' });
			const plain = provider.requests.filter((r) => r.body?.verify_mode === undefined);
			expect(plain.map((r) => r.body)).toEqual(
				SANDBOX_IDENTITIES.map((p) => ({ name: p.name, phone: p.phone, id_card: p.idCard })),
			);
			expect(plain.every((r) => r.authorization === `Bearer ${GOOD_TOKEN}`)).toBe(true);
		});

		test('over the run, billable adds up to the calls the provider billed, and attempts to its requests', () => {
			const items = [...outputItems(run, 'Verify'), ...[0, 1, 2].flatMap((output) => outputItems(run, 'Verify Routed', output))];
			expect(total(items, 'billable')).toBe(provider.billedCalls);
			expect(total(items, 'billable')).toBe(2 * 5);
			expect(total(items, 'attempts')).toBe(provider.requests.length);
		});

		test('the IF node branches on $json.matched', () => {
			const matches = outputItems(run, 'Verify').filter((item) => item.matched === true);
			expect(outputItems(run, 'Matched')).toEqual(matches);
			expect(outputItems(run, 'Matched')).toHaveLength(5);
			expect(outputItems(run, 'Not Matched').map((item) => item.status)).toEqual([
				'mismatch', 'no_record', 'engine_error', 'service_error', 'name_invalid', 'phone_invalid', 'daily_limit', 'unknown',
			]);
		});

		test('Route by Result sends each item to Match, Mismatch or Not Verified', () => {
			expect(outputItems(run, 'Verify Routed', 0).map((item) => item.status)).toEqual(Array(5).fill('match'));
			const mismatches = outputItems(run, 'Verify Routed', 1);
			expect(mismatches).toEqual([expect.objectContaining({ status: 'mismatch', input: masked(LI) })]);
			// Long mode says which element does not match.
			expect(mismatches[0].resultDetail).toBe('PhoneIdCardMismatch');
			expect(outputItems(run, 'Verify Routed', 2).map((item) => item.status)).toEqual([
				'no_record', 'engine_error', 'service_error', 'name_invalid', 'phone_invalid', 'daily_limit', 'unknown',
			]);
			// What reached the nodes downstream of each output.
			expect(outputItems(run, 'On Match')).toHaveLength(5);
			expect(outputItems(run, 'On Mismatch')).toEqual(mismatches);
			expect(outputItems(run, 'On Not Verified')).toHaveLength(7);
			// Items keep pointing at their input item.
			expect(outputEntries(run, 'Verify Routed', 1).map((entry) => entry.pairedItem)).toEqual([
				{ item: 1 + SANDBOX_IDENTITIES.indexOf(LI) },
			]);
			const long = provider.requests.filter((r) => r.body?.verify_mode !== undefined);
			expect(long).toHaveLength(SANDBOX_IDENTITIES.length);
			expect(long.every((r) => r.body?.verify_mode === '1')).toBe(true);
		});
	});

	describe('Continue On Fail and the error output', () => {
		let run: N8nRun;
		beforeAll(async () => {
			run = (await execute(IDS.handled)).run;
		});

		/** An error item: every result key, null where it does not apply, and the message as its description. */
		const errorItem = (message: RegExp, fields: Record<string, unknown>) => ({
			result: null,
			matched: false,
			billable: false,
			description: expect.stringMatching(message),
			isp: null,
			resultDetail: null,
			traceId: null,
			cached: false,
			error: expect.stringMatching(message),
			...fields,
		});
		const invalidItem = errorItem(/ID Card Number.*checksum/, {
			status: 'invalid_input',
			errorCode: 'idCard.checksum',
			httpCode: null,
			attempts: 0,
			input: { name: '张*', phone: '138****8000', idCard: '110105**********21' },
		});
		const apiErrorItem = errorItem(/rejected the request as invalid/, {
			status: 'api_error',
			errorCode: 'bad_request',
			httpCode: 400,
			attempts: 1,
			input: masked(REFUSED_REQUEST),
		});

		test('the run succeeds', () => {
			expect(run.status).toBe('success');
		});

		test('Continue (regular output): error items in place, the run goes on', () => {
			const items = outputItems(run, 'Continue');
			expect(items).toHaveLength(4);
			expect(items[0]).toMatchObject({ status: 'match', matched: true });
			expect(items[1]).toEqual(invalidItem);
			expect(items[2]).toEqual(apiErrorItem);
			// The same keys in the same order as a result (and `error`), so the table view and a CRM mapping treat them alike.
			for (const item of items) expect(Object.keys(item)).toEqual('error' in item ? ERROR_ITEM_KEYS : OUTPUT_KEYS);
			expect(items[1].description).toBe(`${String(items[1].error)}. Item 2 was not sent. Fix the value upstream.`);
			expect(items[3]).toMatchObject({ status: 'mismatch' });
			expect(outputItems(run, 'After Continue')).toEqual(items);
		});

		test('Continue (regular output) with routing: error items on Not Verified', () => {
			expect(outputItems(run, 'Continue Routed', 0)).toEqual([expect.objectContaining({ status: 'match' })]);
			expect(outputItems(run, 'Continue Routed', 1)).toEqual([expect.objectContaining({ status: 'mismatch' })]);
			expect(outputItems(run, 'Continue Routed', 2)).toEqual([invalidItem, apiErrorItem]);
			expect(outputItems(run, 'CR Not Verified')).toEqual([invalidItem, apiErrorItem]);
		});

		test('Continue (using error output): failures on n8n error output, the rest on the success output', () => {
			expect(outputItems(run, 'Error Output', 0).map((item) => item.status)).toEqual(['match', 'mismatch']);
			const failed = outputEntries(run, 'Error Output', 1);
			expect(failed.map((entry) => entry.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
			// n8n keeps only the message in the item's json, and the node's error (with its advice) beside it.
			expect(failed.map((entry) => entry.json)).toEqual([{ error: invalidItem.error }, { error: apiErrorItem.error }]);
			expect(failed.map((entry) => entry.error)).toEqual([
				expect.objectContaining({ name: 'NodeOperationError', description: 'Item 2 was not sent. Fix the value upstream.' }),
				expect.objectContaining({ name: 'NodeApiError', description: expect.stringMatching(/^Check the name, mobile number and ID card number/) }),
			]);
			expect(outputItems(run, 'EO Success').map((item) => item.status)).toEqual(['match', 'mismatch']);
			expect(outputItems(run, 'EO Error').map((item) => item.error)).toEqual([invalidItem.error, apiErrorItem.error]);
		});

		test('Continue (using error output) with routing: a fourth output takes the failures', () => {
			expect(outputItems(run, 'EOR Match').map((item) => item.status)).toEqual(['match']);
			expect(outputItems(run, 'EOR Mismatch').map((item) => item.status)).toEqual(['mismatch']);
			expect(ran(run, 'EOR Not Verified')).toBe(false);
			expect(outputItems(run, 'EOR Error').map((item) => item.error)).toEqual([invalidItem.error, apiErrorItem.error]);
		});

		test('the invalid item is never sent; an answer once per execution, the failing request once per node', () => {
			expect(provider.requests.some((r) => r.body?.id_card === BAD_CHECKSUM.idCard)).toBe(false);
			const sent = (p: { phone: string }) => provider.requests.filter((r) => r.body?.phone === p.phone).length;
			// The four Verify nodes share the credential: the first to get an answer keeps it for the others.
			expect([sent(ZHANG), sent(LI), sent(REFUSED_REQUEST)]).toEqual([1, 1, 4]);
		});
	});

	describe('a provider that cannot be reached', () => {
		test('a refused connection: not sent (attempts 0), not a lost reply, and it says so', async () => {
			const { run } = await execute(IDS.unreachable);
			expect(run.status).toBe('success');
			expect(outputItems(run, 'Verify')).toEqual([
				expect.objectContaining({
					status: 'api_error',
					errorCode: 'ECONNREFUSED',
					attempts: 0,
					billable: false,
					error: 'Could not reach the provider',
					description: expect.stringMatching(/^Could not reach the provider\. ECONNREFUSED: the request never left n8n, so nothing was billed\. Check the Base URL/),
				}),
			]);
		});
	});

	describe('without error handling', () => {
		test('an invalid item fails the run before any request, naming the field with the value masked', async () => {
			const result = await execute(IDS.invalid);
			expect(result.run.status).toBe('error');
			expect(result.code).not.toBe(0);
			const error = result.run.data.resultData.error!;
			expect(error.message).toMatch(/ID Card Number/);
			expect(error.message).toContain('110105**********21');
			expect(error.message).not.toContain(BAD_CHECKSUM.idCard);
			expect(error.node?.name).toBe('Verify');
			expect(ran(result.run, 'After')).toBe(false);
			expect(provider.requests).toHaveLength(0);
		});

		test('an unknown token fails the run with the HTTP code and what to do', async () => {
			const result = await execute(IDS.badToken);
			expect(result.run.status).toBe('error');
			const error = result.run.data.resultData.error!;
			expect(error.message).toMatch(/token is not valid/);
			expect(String(error.httpCode)).toBe('401');
			expect(ran(result.run, 'After')).toBe(false);
			expect(provider.requests).toHaveLength(1);
			// A trailing slash in the Base URL is tolerated.
			expect(provider.requests.every((r) => r.path === '/identity/phone/check-3e')).toBe(true);
		});
	});

	describe('the credential test through the REST API (as the editor calls it)', () => {
		let stop: (() => Promise<void>) | undefined;
		let rest: RestSession;
		let other: Awaited<ReturnType<typeof startOtherServer>> | undefined;
		beforeAll(async () => {
			provider.reset();
			other = await startOtherServer();
			const { server, url } = await n8n.start();
			stop = async () => await server.stop();
			rest = await RestSession.setUpOwner(url);
		});
		afterAll(async () => {
			await stop?.();
			await other?.close();
		});

		async function testCredential(apiToken: string, baseUrl = provider.url) {
			const data = { apiToken, baseUrl };
			const created = await rest.request<{ data: { id: string } }>('POST', '/rest/credentials', {
				name: `test ${apiToken}`,
				type: CREDENTIAL_TYPE,
				data,
			});
			const tested = await rest.request<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', {
				credentials: { id: created.data.id, name: `test ${apiToken}`, type: CREDENTIAL_TYPE, data },
			});
			return tested.data;
		}

		test('a good token passes', async () => {
			expect(await testCredential(GOOD_TOKEN)).toEqual({ status: 'OK', message: 'Connection successful!' });
		});

		test('a trailing slash in the Base URL is tolerated', async () => {
			expect(await testCredential(GOOD_TOKEN, `${provider.url}/`)).toMatchObject({ status: 'OK' });
		});

		test.each(ACCEPTED_TOKENS)('$case passes: any 400 means the token got past authentication', async ({ token }) => {
			expect(await testCredential(token)).toEqual({ status: 'OK', message: 'Connection successful!' });
		});

		// n8n 1.x reads only the answer's body: the message for the provider's code, and a 401 with a 400's code passes.
		test.each(FAILING_TOKENS)('$case fails and says what to do', async ({ token, message, message1x, accepted1x }) => {
			const result = await testCredential(token);
			if (N8N_MAJOR < 2 && accepted1x) {
				expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
				return;
			}
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(N8N_MAJOR >= 2 ? message : message1x) });
			expect(result.message).not.toContain(token);
		});

		test.each(WRONG_BASE_URLS)('a Base URL that $case fails and says so', async ({ baseUrl, message }) => {
			const result = await testCredential(GOOD_TOKEN, baseUrl({ provider: provider.url, other: other!.url }));
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(message) });
		});

		test('a Base URL where nothing answers fails with n8n\'s own reason', async () => {
			// A port nobody listens on. n8n words a connection failure itself (2.x by its code alone); the Base
			// URL field's description says what it means.
			const closed = `http://127.0.0.1:${await freePort()}`;
			expect(await testCredential(GOOD_TOKEN, closed)).toEqual({
				status: 'Error',
				message: N8N_MAJOR >= 2 ? 'ECONNREFUSED' : 'The service refused the connection - perhaps it is offline',
			});
		});

		test('the credential test sends no billable request: an empty body, refused by the provider', async () => {
			// Its own tests, so that it holds whichever tests ran before it (or none): a working token, and one the
			// provider refuses with a 400 for every request (which also passes: the token got past authentication).
			const before = provider.requests.length;
			const billedBefore = provider.billedAnswers.size;
			expect(await testCredential(GOOD_TOKEN)).toMatchObject({ status: 'OK' });
			expect(await testCredential(NOT_ENABLED_TOKEN)).toMatchObject({ status: 'OK' });
			const sent = provider.requests.slice(before);
			expect(sent.map((r) => r.authorization)).toEqual([`Bearer ${GOOD_TOKEN}`, `Bearer ${NOT_ENABLED_TOKEN}`]);
			expect(sent.map((r) => [r.path, r.bodyText])).toEqual(Array(2).fill(['/identity/phone/check-3e', '{}']));
			expect(sent.map((r) => r.status)).toEqual([400, 400]);
			expect(provider.billedAnswers.size).toBe(billedBefore);
		});
	});
});

