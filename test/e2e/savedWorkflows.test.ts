/**
 * Saved workflows keep working: a workflow whose Verify nodes are version 1 — the layout 0.1.0 saved, every
 * setting inside Options, encryption included — with every option set, imported into a real n8n and run
 * unchanged. Each option is given a value whose effect the run shows, against the provider mock on 127.0.0.1
 * (which decrypts what it receives, as the provider does):
 *
 * - "Encrypt in n8n": local encryption of name and ID number with a test key, no local checks, duplicates sent
 *   again, two requests at a time, one retry, a cap of 5 billed calls (what the run needs), input unmasked and
 *   kept, the raw answer, the detailed mode and three outputs.
 * - "Already encrypted": values encrypted upstream with one data key (Key Blob, IV), against a provider slower
 *   than the node's timeout, with lost replies not sent again: each sent item ends `reply_lost`, and those count
 *   against the cap of 3.
 * - "Dry run": nothing sent; which items a real run would send.
 */
import * as crypto from 'node:crypto';

import { FROM_ITEM } from '../support/identities';
import type { MockProvider, RecordedRequest } from '../support/mockProvider';
import { startMockProvider } from '../support/mockProvider';
import { SANDBOX_IDENTITIES } from '../support/sandboxIdentities';
import { sealValues } from '../support/sealing';
import { masked, OUTPUT_KEYS, total } from './expected';
import type { N8nRun } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, N8N_VERSION, N8nInstance, outputItems } from './n8n';
import { code, manualTrigger, noOp, verify, workflow } from './workflows';

const TOKEN = 'e2e-saved-token-41d7e9';
const FAST = { id: 'e2eSavedFast001', name: 'Ace Data (mock)' };
const SLOW = { id: 'e2eSavedSlow001', name: 'Ace Data (slow mock)' };
const WORKFLOW_ID = 'e2eSavedV1All01';

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_KEY = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE_KEY = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const person = (name: string) => SANDBOX_IDENTITIES.find((p) => p.name === name)!;
const ZHANG = person('张三');
const LI = person('李四');
const OUYANG = person('欧阳娜娜');
/** The last character should be X: only a local check catches it. */
const BAD_CHECKSUM = { name: '张三', phone: '13800138000', idCard: '110105194912310021' };
/** The mock answers this mobile number with HTTP 500. */
const SERVER_ERROR = { name: '测试', phone: '17000005000', idCard: '110101199001010015' };

const PEOPLE = [BAD_CHECKSUM, SERVER_ERROR, ZHANG, ZHANG, LI, OUYANG].map(({ name, phone, idCard }, index) => ({
	crmId: `c${index + 1}`,
	name,
	phone,
	idCard,
}));
/** Name and ID number of every person, encrypted upstream with one data key. */
const sealed = sealValues(PEOPLE.flatMap((p) => [p.name, p.idCard]), rsa.publicKey);
const SEALED_PEOPLE = PEOPLE.map((p, index) => ({
	...p,
	sealedName: sealed.ciphertexts[2 * index],
	sealedIdCard: sealed.ciphertexts[2 * index + 1],
}));

/** Version-1 nodes: the settings where 0.1.0 put them, every option set. */
const LOCAL_NODE = verify(
	'Encrypt in n8n',
	FAST,
	{
		...FROM_ITEM,
		verifyMode: 'long',
		routeByResult: true,
		options: {
			validateInput: false,
			skipDuplicates: false,
			concurrency: 2,
			maxRequestsPerSecond: 50,
			maxRetries: 1,
			retryLostReplies: true,
			// Room for every billable person and the retry: a retry must be admitted by the cap again.
			maxBilledCalls: 5,
			dryRun: false,
			timeout: 10000,
			maskInput: false,
			keepInputFields: true,
			includeRawResponse: true,
			encryption: 'local',
			publicKey: PUBLIC_KEY,
			encryptFields: ['name', 'idCard'],
		},
	},
	{ typeVersion: 1, onError: 'continueRegularOutput' },
);
const PRE_ENCRYPTED_NODE = verify(
	'Already encrypted',
	SLOW,
	{
		name: '={{ $json.sealedName }}',
		phone: '={{ $json.phone }}',
		idCard: '={{ $json.sealedIdCard }}',
		verifyMode: 'short',
		routeByResult: false,
		options: {
			validateInput: true,
			skipDuplicates: true,
			concurrency: 1,
			maxRequestsPerSecond: 0,
			maxRetries: 2,
			retryLostReplies: false,
			maxBilledCalls: 3,
			dryRun: false,
			timeout: 1000,
			maskInput: true,
			keepInputFields: false,
			includeRawResponse: false,
			encryption: 'preEncrypted',
			encryptList: ['name', 'idCard'],
			ciphertextBlob: sealed.blob,
			iv: sealed.iv,
		},
	},
	{ typeVersion: 1, onError: 'continueRegularOutput' },
);
const DRY_RUN_NODE = verify(
	'Dry run',
	FAST,
	{ ...FROM_ITEM, options: { dryRun: true, validateInput: true, skipDuplicates: true, encryption: 'none' } },
	{ typeVersion: 1, onError: 'continueRegularOutput' },
);

const SAVED = workflow(
	WORKFLOW_ID,
	'E2E: saved with version 1, every option set',
	[manualTrigger(), code('People', SEALED_PEOPLE), LOCAL_NODE, noOp('Match'), noOp('Mismatch'), noOp('Not Verified'), PRE_ENCRYPTED_NODE, DRY_RUN_NODE],
	[
		['Start', 'People'],
		['People', LOCAL_NODE.name],
		[LOCAL_NODE.name, 'Match', 0],
		[LOCAL_NODE.name, 'Mismatch', 1],
		[LOCAL_NODE.name, 'Not Verified', 2],
		['People', PRE_ENCRYPTED_NODE.name],
		['People', DRY_RUN_NODE.name],
	],
);

/**
 * Version-1 nodes as 0.1.0 saved them: only the options 0.1.0 had (a short timeout and one retry, to keep the
 * test short), none added since, against a provider that never answers and one that answers, bills, and drops
 * the connection before the reply is written. 0.1.0 ended a timed-out item at once (`client_timeout`) and sent a
 * dropped reply again as if nothing had been billed; both are now lost replies, sent again by default.
 */
const HANGING = { id: 'e2eSavedHang001', name: 'Ace Data (provider that never answers)' };
const DROPPING = { id: 'e2eSavedDrop001', name: 'Ace Data (provider that drops replies)' };
const OLD_WORKFLOW_ID = 'e2eSavedV010001';
const OLD_OPTIONS = { maxRetries: 1, timeout: 1000 };
const OLD_HANGING_NODE = verify('Saved by 0.1.0, provider hangs', HANGING, { ...FROM_ITEM, options: OLD_OPTIONS }, { typeVersion: 1, onError: 'continueRegularOutput' });
const OLD_DROPPING_NODE = verify('Saved by 0.1.0, replies dropped', DROPPING, { ...FROM_ITEM, options: OLD_OPTIONS }, { typeVersion: 1, onError: 'continueRegularOutput' });
const SAVED_BY_0_1_0 = workflow(
	OLD_WORKFLOW_ID,
	'E2E: saved by 0.1.0, options left unset',
	[manualTrigger(), code('Person', [{ name: ZHANG.name, phone: ZHANG.phone, idCard: ZHANG.idCard }]), OLD_HANGING_NODE, OLD_DROPPING_NODE],
	[
		['Start', 'Person'],
		['Person', OLD_HANGING_NODE.name],
		['Person', OLD_DROPPING_NODE.name],
	],
);

let fast: MockProvider;
let slow: MockProvider;
let hanging: MockProvider;
let dropping: MockProvider;
let n8n: N8nInstance;
let run: N8nRun;
let oldRun: N8nRun;

beforeAll(async () => {
	ensureN8n();
	fast = await startMockProvider({ tokens: { [TOKEN]: 'ok' }, privateKey: PRIVATE_KEY, latencyMs: 150 });
	// Answers (and bills) only after the node's 1-second timeout: every reply is lost.
	slow = await startMockProvider({ tokens: { [TOKEN]: 'ok' }, privateKey: PRIVATE_KEY, latencyMs: 2500 });
	hanging = await startMockProvider({ tokens: { [TOKEN]: 'ok' }, faultRate: 1, faultKinds: ['hang'] });
	dropping = await startMockProvider({ tokens: { [TOKEN]: 'ok' }, faultRate: 1, faultKinds: ['lost'] });
	n8n = N8nInstance.create();
	await n8n.importCredentials([
		{ ...FAST, type: CREDENTIAL_TYPE, data: { apiToken: TOKEN, baseUrl: fast.url } },
		{ ...SLOW, type: CREDENTIAL_TYPE, data: { apiToken: TOKEN, baseUrl: slow.url } },
		{ ...HANGING, type: CREDENTIAL_TYPE, data: { apiToken: TOKEN, baseUrl: hanging.url } },
		{ ...DROPPING, type: CREDENTIAL_TYPE, data: { apiToken: TOKEN, baseUrl: dropping.url } },
	]);
	await n8n.importWorkflows([SAVED, SAVED_BY_0_1_0]);
	run = (await n8n.executeWithout([TOKEN], WORKFLOW_ID)).run;
	oldRun = (await n8n.executeWithout([TOKEN], OLD_WORKFLOW_ID)).run;
}, 30 * 60_000);

afterAll(async () => {
	await fast?.close();
	await slow?.close();
	await hanging?.close();
	await dropping?.close();
	n8n?.remove();
});

const identity = ({ name, phone, idCard }: { name: string; phone: string; idCard: string }) => ({ name, phone, idCard });
const byPhone = (a: { phone?: unknown }, b: { phone?: unknown }) => String(a.phone).localeCompare(String(b.phone));

/** The plaintext the mock recovered from a request, under the node's field names. */
const plaintext = (r: RecordedRequest) => ({
	name: r.decrypted?.name,
	phone: r.body?.phone,
	idCard: r.decrypted?.id_card,
});

describe(`n8n ${N8N_VERSION}: a workflow saved with version 1, every option set`, () => {
	test('n8n keeps the version-1 nodes as saved: version and every parameter', async () => {
		const stored = await n8n.exportWorkflow(WORKFLOW_ID);
		for (const saved of [LOCAL_NODE, PRE_ENCRYPTED_NODE, DRY_RUN_NODE]) {
			const node = stored.nodes.find((n) => n.name === saved.name);
			expect(node?.typeVersion).toBe(1);
			expect(node?.parameters).toEqual(saved.parameters);
		}
	});

	test('the run succeeds, every item in the one shape', () => {
		expect(run.status).toBe('success');
		// The contract's keys in its order (a dry run adds `wouldSend`); `error` says something only on an error item.
		const shape = (item: Record<string, unknown>) => Object.keys(item).filter((key) => key !== 'error' && key !== 'wouldSend');
		for (const name of [PRE_ENCRYPTED_NODE.name, DRY_RUN_NODE.name]) {
			expect(outputItems(run, name)).toHaveLength(PEOPLE.length);
			for (const item of outputItems(run, name)) {
				expect(shape(item)).toEqual(OUTPUT_KEYS.filter((key) => key !== 'error'));
				expect(item.error != null).toBe(item.errorCode !== null);
				expect('wouldSend' in item).toBe(name === DRY_RUN_NODE.name);
			}
		}
	});

	describe('local encryption in Options, and the options around it', () => {
		const routed = () => [0, 1, 2].map((output) => outputItems(run, LOCAL_NODE.name, output));
		const sent = () => fast.requests.filter((r) => r.path === '/identity/phone/check-3e');

		test('name and ID number leave encrypted with the test key, the mobile number as it is', () => {
			expect(sent().length).toBeGreaterThan(0);
			for (const request of sent()) {
				expect(request.body).toMatchObject({ encrypt_list: ['name', 'id_card'], phone: expect.any(String) });
				expect(request.decrypted).toBeDefined();
				expect(request.body?.name).not.toBe(request.decrypted?.name);
			}
		});

		test('no local checks and no de-duplication: the bad ID and both 张三 rows are sent; one retry after a 500', () => {
			expect(sent().map(plaintext).sort(byPhone)).toEqual(
				[BAD_CHECKSUM, SERVER_ERROR, SERVER_ERROR, ZHANG, ZHANG, LI, OUYANG].map(identity).sort(byPhone),
			);
			// Detailed mode on every request; two requests at a time at most.
			expect(sent().every((r) => r.body?.verify_mode === '1')).toBe(true);
			expect(fast.maxInFlight).toBe(2);
		});

		test('Route by Result: three outputs; each 张三 row billed on its own', () => {
			const [match, mismatch, notVerified] = routed();
			expect(match.map((item) => [item.crmId, item.status, item.billable, item.cached, item.attempts])).toEqual([
				['c3', 'match', true, false, 1],
				['c4', 'match', true, false, 1],
				['c6', 'match', true, false, 1],
			]);
			expect(mismatch).toEqual([expect.objectContaining({ crmId: 'c5', status: 'mismatch', resultDetail: 'PhoneIdCardMismatch' })]);
			expect(notVerified.map((item) => [item.crmId, item.status, item.errorCode, item.httpCode, item.attempts])).toEqual([
				['c1', 'no_record', null, null, 1],
				['c2', 'api_error', 'api_error', 500, 2],
			]);
			expect(total([...match, ...mismatch, ...notVerified], 'billable')).toBe(4);
			expect(fast.billedCalls).toBe(4);
		});

		test('input unmasked and kept, with the raw answer', () => {
			const [[first]] = routed();
			expect(first).toMatchObject({
				crmId: 'c3',
				sealedName: SEALED_PEOPLE[2].sealedName,
				input: { name: ZHANG.name, phone: ZHANG.phone, idCard: ZHANG.idCard },
				raw: expect.objectContaining({ result: '0' }),
			});
			expect(routed()[2][0].input).toEqual(identity(BAD_CHECKSUM));
		});
	});

	describe('values encrypted upstream (Key Blob, IV, Encrypted Fields in Options)', () => {
		const items = () => outputItems(run, PRE_ENCRYPTED_NODE.name);

		test('sent as given, and the provider recovers each person with the key blob and IV', () => {
			expect(slow.requests.map((r) => r.body?.name)).toEqual(
				[0, 1, 2].map((index) => SEALED_PEOPLE[index].sealedName),
			);
			expect(slow.requests.map((r) => [r.body?.ciphertext_blob, r.body?.iv, r.body?.encrypt_list])).toEqual(
				Array(3).fill([sealed.blob, sealed.iv, ['name', 'id_card']]),
			);
			// Short mode; the bad ID number is encrypted, so the local checks cannot see it and it is sent.
			expect(slow.requests.map(plaintext)).toEqual([BAD_CHECKSUM, SERVER_ERROR, ZHANG].map(identity));
			expect(slow.requests.every((r) => r.body?.verify_mode === '0')).toBe(true);
		});

		test('a reply that does not come within the timeout is not sent again: reply_lost, counted against the cap', () => {
			expect(items().map((item) => [item.crmId ?? null, item.status, item.errorCode, item.cached, item.attempts])).toEqual([
				[null, 'api_error', 'reply_lost', false, 1],
				[null, 'api_error', 'reply_lost', false, 1],
				[null, 'api_error', 'reply_lost', false, 1],
				[null, 'api_error', 'reply_lost', true, 0],
				[null, 'budget_reached', null, false, 0],
				[null, 'budget_reached', null, false, 0],
			]);
			// The provider did answer, and billed the match among them: what "may have been billed" means.
			expect([...slow.billedAnswers.keys()]).toEqual([`${ZHANG.name}|${ZHANG.phone}|${ZHANG.idCard}`]);
			expect(total(items(), 'attempts')).toBe(slow.requests.length);
		});

		test('the message says the provider did not answer within the timeout', () => {
			expect(items()[0].error).toBe('No answer from the provider within 1000 ms');
			expect(items()[0].description).toMatch(/^No answer from the provider within 1000 ms\. The request was sent \(ECONNABORTED\), so the provider may have answered and billed it/);
		});

		test('the input echo is masked; encrypted values are not shown', () => {
			for (const item of items()) {
				const input = item.input as Record<string, string>;
				expect(input.phone).toMatch(/^\d{3}\*{4}\d{4}$/);
				expect(JSON.stringify(item)).not.toContain(ZHANG.idCard);
			}
			expect((items()[2].input as Record<string, string>).phone).toBe(masked(ZHANG).phone);
		});
	});

	test('Dry Run in Options: nothing sent, wouldSend for each distinct valid person', () => {
		const items = outputItems(run, DRY_RUN_NODE.name);
		expect(items.map((item) => [item.status, item.wouldSend, item.cached])).toEqual([
			['invalid_input', false, false],
			['dry_run', true, false],
			['dry_run', true, false],
			['dry_run', false, true],
			['dry_run', true, false],
			['dry_run', true, false],
		]);
		expect(total(items, 'attempts')).toBe(0);
		// The provider's requests are the first node's seven, no more.
		expect(fast.requests).toHaveLength(7);
	});
});

describe(`n8n ${N8N_VERSION}: a workflow saved by 0.1.0, options it did not have left unset`, () => {
	test('n8n keeps the nodes as saved, and the run succeeds', async () => {
		const stored = await n8n.exportWorkflow(OLD_WORKFLOW_ID);
		for (const saved of [OLD_HANGING_NODE, OLD_DROPPING_NODE]) {
			const node = stored.nodes.find((n) => n.name === saved.name);
			expect(node?.typeVersion).toBe(1);
			expect(node?.parameters).toEqual(saved.parameters);
		}
		expect(oldRun.status).toBe('success');
	});

	test.each([
		['never answers', () => OLD_HANGING_NODE, () => hanging],
		['answers, bills and drops the connection', () => OLD_DROPPING_NODE, () => dropping],
	])('a provider that %s: a lost reply, sent again once (Max Retries 1), then reply_lost', (_label, node, provider) => {
		expect(outputItems(oldRun, node().name).map((item) => [item.status, item.errorCode, item.httpCode, item.attempts])).toEqual([
			['api_error', 'reply_lost', null, 2],
		]);
		expect(provider().requests).toHaveLength(2);
	});
});
