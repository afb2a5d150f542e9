/**
 * Every check of the family inside n8n's engine, against the provider mock playing all ten as the provider's
 * guides describe them (test/support/mockChecks.ts): what is sent where, every result code's status, route and
 * billing — billing judged by what the mock billed —, local rules, the answer's own fields, memory, cap, dry run.
 */
import * as crypto from 'node:crypto';

import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { MEMORY_KEY } from '../../nodes/AceDataPhoneVerify/answerMemory';
import type { CheckCase } from '../support/checkCases';
import { CHECK_CASES, checkCase, checkParameters, decidingValue, distinctItems, PHOTO_BASE, resultsByDecidingField } from '../support/checkCases';
import { FAMILY_OUTPUT_KEYS, NO_ANSWER_FIELDS } from '../support/contract';
import type { VerifyRunOptions, WorkflowRun } from '../support/engine';
import { runVerify, VERIFY_NODE, VERIFY_TYPE } from '../support/engine';
import type { MockOptions, MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider } from '../support/mockProvider';
import { SANDBOX_BANK_CARDS, SANDBOX_PORTRAIT_JPEG_BASE64, sandboxCardFor } from '../support/sandboxIdentities';

const providers: MockProvider[] = [];
afterEach(async () => await Promise.all(providers.splice(0).map(async (p) => await p.close())));
async function mock(options: MockOptions = {}): Promise<MockProvider> {
	const provider = await startMockProvider(options);
	providers.push(provider);
	return provider;
}

async function run(
	provider: MockProvider,
	c: CheckCase,
	items: IDataObject[],
	more: INodeParameters = {},
	options: Partial<VerifyRunOptions> = {},
): Promise<WorkflowRun> {
	return await runVerify({
		parameters: checkParameters(c, more),
		items,
		credentials: { apiToken: DEFAULT_TOKEN, baseUrl: provider.url },
		...options,
	});
}

describe.each(CHECK_CASES)('$id', (c) => {
	it('sends the sandbox item to its path, its fields under the provider’s names, normalised', async () => {
		const provider = await mock();
		const result = await run(provider, c, [c.match]);
		expect(result.error).toBeUndefined();
		expect(provider.requests.map((r) => [r.path, r.body])).toEqual([[c.path, c.body]]);
		expect(provider.requests[0].authorization).toBe(`Bearer ${DEFAULT_TOKEN}`);
		const [item] = result.json();
		expect(item).toMatchObject({ status: c.codes[Object.keys(c.codes)[0]].status, matched: true, billable: true, cached: false, attempts: 1 });
		// The same keys as every item of every check, in the same order.
		expect(Object.keys(item)).toEqual(FAMILY_OUTPUT_KEYS);
	});

	it('gives every code of the provider’s table its status and route, billable exactly when the provider billed', async () => {
		// The portrait check's codes come from its photos: tested below.
		const codes = c.id === 'idCard.portrait' ? [] : Object.keys(c.codes);
		if (!codes.length) return;
		const items = distinctItems(c, codes.length + 1, 11);
		const byValue = new Map(items.map((item, index) => [decidingValue(c, item), [...codes, '-99'][index]]));
		const provider = await mock({ resultFor: resultsByDecidingField(c, byValue) });
		const result = await run(provider, c, items, { routeByResult: true });
		expect(result.error).toBeUndefined();

		const flat = result.outputs().flatMap((output, route) => output.map((item) => ({ json: item.json, route, index: (item.pairedItem as { item: number }).item })));
		expect(flat).toHaveLength(items.length);
		for (const { json, route, index } of flat) {
			const sent = [...codes, '-99'][index];
			const request = provider.requests.find((r) => r.key?.includes(decidingValue(c, items[index])));
			const expected = c.codes[sent] ?? { status: 'unknown', route: 'notVerified', billed: false };
			expect([sent, json.status, ['match', 'mismatch', 'notVerified'][route], json.matched]).toEqual([
				sent,
				expected.status,
				expected.route,
				expected.route === 'match',
			]);
			// What the provider billed, by its own table; and what the docs say it bills.
			expect([sent, json.billable]).toEqual([sent, request?.billed]);
			expect([sent, json.billable]).toEqual([sent, expected.billed]);
		}
	});
});

describe('local checks before anything is sent', () => {
	const invalidCases: Array<[string, string, IDataObject, string]> = [
		['a bank card with a letter', 'bankCard.lookup', { bankCard: '6222O21234567890128' }, 'bankCard.format'],
		['a bank card of 11 digits', 'bankCard.lookup', { bankCard: '62220212345' }, 'bankCard.length'],
		['a bank card of 20 digits', 'bankCard.twoElements', { name: '张三', bankCard: '62220212345678901280' }, 'bankCard.length'],
		['a validity that is no date', 'idCard.twoElements', { name: '张三', idCard: '11010519491231002X', validityBegin: '20150230', validityEnd: '20350101' }, 'validityBegin.format'],
		['a validity end before its begin', 'idCard.twoElements', { name: '张三', idCard: '11010519491231002X', validityBegin: '20150101', validityEnd: '20141231' }, 'validityEnd.before_begin'],
		['long-term as a validity begin', 'idCard.twoElements', { name: '张三', idCard: '11010519491231002X', validityBegin: '00000000', validityEnd: '00000000' }, 'validityBegin.format'],
		['a photo URL that is not http(s)', 'idCard.portrait', { imageUrl: 'ftp://example.com/a.jpg' }, 'imageUrl.format'],
		['a photo path without a host', 'idCard.ocr', { imageUrl: '/uploads/a.jpg' }, 'imageUrl.format'],
		['an OCR with neither a photo nor name and number', 'idCard.ocr', { name: '张三' }, 'idCard.required'],
		['a four-element check without the reserved mobile', 'bankCard.fourElements', { name: '张三', bankCard: '6222021234567890128', idCard: '11010519491231002X' }, 'phone.required'],
		['an ID number with a wrong check character', 'bankCard.threeElements', { name: '张三', bankCard: '6222021234567890128', idCard: '110105194912310021' }, 'idCard.checksum'],
	];

	it.each(invalidCases)('%s costs no request and gives the usual error item (%s)', async (_label, id, item, errorCode) => {
		const provider = await mock();
		const result = await run(provider, checkCase(id), [item, checkCase(id).match], {}, { onError: 'continueRegularOutput' });
		expect(provider.requests).toHaveLength(1);
		const [error, answered] = result.json();
		expect(error).toMatchObject({ status: 'invalid_input', errorCode, billable: false, attempts: 0, ...NO_ANSWER_FIELDS });
		expect(error.error).toEqual(expect.any(String));
		expect(answered.matched).toBe(true);
	});

	it('accepts a real debit card number that fails the Luhn check: the provider answers it', async () => {
		const provider = await mock();
		const card = SANDBOX_BANK_CARDS.find((c) => c.bankCard === '6217000010012345678')!;
		const result = await run(provider, checkCase('bankCard.fourElements'), [{ ...card.holder, bankCard: card.bankCard }]);
		expect(result.json()[0]).toMatchObject({ status: 'match', billable: true });
		expect(provider.requests).toHaveLength(1);
	});

	it('reads validity dates as an ID card prints them, or as ISO writes them; 长期 is long-term', async () => {
		const provider = await mock();
		const c = checkCase('idCard.twoElements');
		await run(provider, c, [
			{ ...c.match, validityBegin: '2015.01.01', validityEnd: '长期' },
			{ name: '欧阳娜娜', idCard: '440524188001010014', validityBegin: '2010-08-01', validityEnd: '2030年8月1日' },
		]);
		expect(provider.requests.map((r) => [r.body?.validity_begin, r.body?.validity_end])).toEqual([
			['20150101', '00000000'],
			['20100801', '20300801'],
		]);
		expect(provider.requests.every((r) => r.billed)).toBe(true);
	});

	it('leaves an optional field out of the body: the OCR by name and number sends no image_url', async () => {
		const provider = await mock();
		const result = await run(provider, checkCase('idCard.ocr'), [{ name: '张三', idCard: '11010519491231002X', imageUrl: '' }]);
		expect(provider.requests[0].body).toEqual({ name: '张三', id_card: '11010519491231002X' });
		expect(result.json()[0]).toMatchObject({ status: 'match', input: { imageUrl: '', name: '张*', idCard: '110105**********2X' } });
	});
});

describe('each check’s own answer fields', () => {
	it.each([
		['13800138000', 0, 'normal', 'in_service', 0],
		['13700137000', 1, 'suspended', 'not_in_service', 1],
		['13600136000', 2, 'cancelled', 'not_in_service', 1],
		['13500135000', 3, 'unassigned', 'not_in_service', 1],
		['13400134000', 4, 'not_in_network', 'not_in_service', 1],
		['13300133000', 99, 'unknown', 'status_unknown', 2],
	])('phone status of %s: statusCode %d (%s), status %s, output %d', async (phone, statusCode, statusName, status, output) => {
		const provider = await mock();
		const result = await run(provider, checkCase('phone.status'), [{ phone }], { routeByResult: true });
		expect(result.json(VERIFY_NODE, output)).toEqual([expect.objectContaining({ statusCode, statusName, status, billable: true })]);
	});

	it.each([false, true])('reads a card type, a mobile state and a similarity the same sent as numbers or as text (text: %s)', async (numbersAsText) => {
		const provider = await mock({ numbersAsText });
		const lookup = await run(provider, checkCase('bankCard.lookup'), [{ bankCard: '6259651234567890' }, { bankCard: '4367421234567896' }]);
		expect(lookup.json().map((item) => [item.accountBank, item.accountType, item.accountTypeName])).toEqual([
			['招商银行', 4, 'quasi_credit'],
			['中国建设银行', 2, 'credit'],
		]);
		const status = await run(provider, checkCase('phone.status'), [{ phone: '13700137000' }]);
		expect(status.json()[0]).toMatchObject({ statusCode: 1, statusName: 'suspended', status: 'not_in_service' });
		const portrait = await run(provider, checkCase('idCard.portrait'), [{ imageUrl: `${PHOTO_BASE}/zhang-san.jpg` }]);
		expect(portrait.json()[0]).toMatchObject({ similarity: 92.4, quality: 0, status: 'match' });
	});

	it('gives what the OCR reads as fields of the item, and nothing of it to n8n’s log', async () => {
		const provider = await mock();
		const result = await run(provider, checkCase('idCard.ocr'), [{ imageUrl: `${PHOTO_BASE}/ouyang-nana.jpg` }]);
		expect(result.json()[0]).toMatchObject({
			status: 'match',
			ocrName: '欧阳娜娜',
			ocrIdCard: '440524188001010014',
			ocrSex: '女',
			ocrNation: '汉',
			ocrBirth: '1880/01/01',
			ocrAddress: '广东省汕头市潮阳区和平路8号',
			input: { imageUrl: 'https://example.com/…', name: '', idCard: '' },
		});
		const logged = (globalThis.n8nLogLines ?? []).join('\n');
		for (const value of ['欧阳娜娜', '440524188001010014', '和平路']) expect(logged).not.toContain(value);
	});

	it('the portrait check: similarity against Minimum Similarity decides, the portrait is binary data, not JSON', async () => {
		const provider = await mock();
		const c = checkCase('idCard.portrait');
		const photos = ['zhang-san.jpg', 'someone-else.jpg'].map((file) => ({ imageUrl: `${PHOTO_BASE}/${file}` }));
		const result = await run(provider, c, photos, { options: { includeRawResponse: true } });
		const [same, other] = result.outputs()[0];
		expect(same.json).toMatchObject({ status: 'match', similarity: 92.4, warnings: [], quality: 0, ocrName: '张三', billable: true });
		expect(other.json).toMatchObject({ status: 'mismatch', similarity: 31.2, billable: true });
		expect(same.binary?.portrait).toMatchObject({ mimeType: 'image/jpeg', fileName: 'portrait.jpg' });
		expect(same.binary!.portrait.data).toBe(SANDBOX_PORTRAIT_JPEG_BASE64);
		// Nothing of the photo in the JSON, raw included.
		expect(JSON.stringify(same.json)).not.toContain(SANDBOX_PORTRAIT_JPEG_BASE64.slice(0, 40));
		expect((same.json.raw as IDataObject).portrait).toBe('[binary: portrait]');

		provider.reset();
		const strict = await run(provider, c, photos.slice(0, 1), { minSimilarity: 95 });
		expect(strict.json()[0]).toMatchObject({ status: 'mismatch', similarity: 92.4, billable: true });
	});

	it('the portrait check’s photo warnings: asked for, a photo of a screen is not compared and goes to Not Verified, unbilled', async () => {
		const provider = await mock();
		const c = checkCase('idCard.portrait');
		const photo = { imageUrl: `${PHOTO_BASE}/photo-of-screen.jpg` };
		const warned = await run(provider, c, [photo], { routeByResult: true, photoWarnings: { reshootWarn: true, copyWarn: true, quality: 40 } });
		expect(provider.requests[0].body).toEqual({
			image_url: photo.imageUrl,
			config: { copy_warn: true, reshoot_warn: true, quality: 40 },
		});
		expect(warned.json(VERIFY_NODE, 2)).toEqual([
			expect.objectContaining({ status: 'photo_warning', warnings: ['screen_reshoot', 'photocopy'], billable: false }),
		]);
		expect(warned.outputs()[2][0].binary).toBeUndefined();
		provider.reset();
		// Not asked for, the same photo is compared (and billed).
		const plain = await run(provider, c, [photo]);
		expect(provider.requests[0].body).toEqual({ image_url: photo.imageUrl });
		expect(plain.json()[0]).toMatchObject({ status: 'match', billable: true });
	});

	it('a portrait failure the node does not know is unknown: not billed, not remembered, Not Verified', async () => {
		const provider = await mock();
		const result = await run(provider, checkCase('idCard.portrait'), [{ imageUrl: `${PHOTO_BASE}/not-an-id-card.jpg` }], { routeByResult: true });
		expect(result.json(VERIFY_NODE, 2)).toEqual([expect.objectContaining({ result: 'FailedOperation.ImageDecodeFailed', status: 'unknown', billable: false })]);
		expect(provider.billedCalls).toBe(0);
	});

	it('masks a bank card in the input echo: its first 6 and last 4 digits', async () => {
		const provider = await mock();
		const result = await run(provider, checkCase('bankCard.lookup'), [checkCase('bankCard.lookup').match]);
		expect(result.json()[0].input).toEqual({ bankCard: '622202*********0128' });
	});
});

describe('bought once per execution, for every check', () => {
	/** A second Verify node after the first, on the same credential. */
	function again(parameters: INodeParameters): VerifyRunOptions['downstream'] {
		const second: INode = { id: 'again', name: 'Again', type: VERIFY_TYPE, typeVersion: 3, position: [200, 0], parameters, credentials: { aceDataCloudApi: { id: 'cred-1', name: 'Ace Data Cloud account' } } };
		return { types: {}, nodes: [second], connections: { [VERIFY_NODE]: { main: [[{ node: 'Again', type: 'main', index: 0 }]] } } };
	}

	it.each(CHECK_CASES)('$id: a second node asking the same reuses the answer, its own fields included', async (c) => {
		const provider = await mock();
		const parameters = checkParameters(c, { options: { keepInputFields: true } });
		const result = await run(provider, c, [c.match], { options: { keepInputFields: true } }, { downstream: again(parameters) });
		expect(provider.requests).toHaveLength(1);
		const [first] = result.json();
		const [second] = result.json('Again');
		expect(second).toMatchObject({ cached: true, billable: false, attempts: 0 });
		const { cached: _c, billable: _b, attempts: _a, raw: _r, ...answer } = first;
		const { cached: _c2, billable: _b2, attempts: _a2, raw: _r2, ...reused } = second;
		expect(reused).toEqual(answer);
		expect(result.outputs('Again')[0][0].binary).toEqual(result.outputs()[0][0].binary);
	});

	it('keeps what a photo of an ID card says out of what the execution saves', async () => {
		const provider = await mock();
		const result = await run(provider, checkCase('idCard.ocr'), [{ imageUrl: `${PHOTO_BASE}/zhang-san.jpg` }]);
		const saved = JSON.stringify(result.run.data.executionData?.contextData);
		expect(saved).toContain(MEMORY_KEY);
		for (const value of ['张三', '11010519491231002X', '建国路', '1949/12/31']) expect(saved).not.toContain(value);
	});

	it('tells the checks apart: the same value asked of another check is bought again', async () => {
		const provider = await mock();
		// Local checks off, so that a mobile number goes through as a card number: one value, two checks.
		const lookup = checkParameters(checkCase('bankCard.lookup'), { options: { validateInput: false, keepInputFields: true } });
		await run(provider, checkCase('phone.status'), [{ phone: '13800138000', bankCard: '13800138000' }], { options: { keepInputFields: true } }, {
			downstream: again(lookup),
		});
		expect(provider.requests.map((r) => r.path)).toEqual(['/identity/phone/check-1e', '/identity/bankcard/check-1e']);
	});
});

describe('Max Billed Calls on a bank card run where most answers are billed refusals', () => {
	it('bills exactly the cap, refusals included, and leaves the rest unsent', async () => {
		const c = checkCase('bankCard.fourElements');
		const items = distinctItems(c, 30, 5);
		// Most answers are card states the provider bills (lost, expired, restricted…), a few are not billed.
		const states = ['-11', '-12', '-13', '-4', '-16', '-1', '-2', '0'];
		const byValue = new Map(items.map((item, index) => [decidingValue(c, item), states[index % states.length]]));
		const provider = await mock({ resultFor: resultsByDecidingField(c, byValue), latencyMs: 20 });
		const result = await run(provider, c, items, { options: { maxBilledCalls: 10 } });
		expect(provider.billedCalls).toBe(10);
		const output = result.json();
		expect(output.filter((item) => item.billable)).toHaveLength(10);
		const unsent = output.filter((item) => item.status === 'budget_reached');
		expect(unsent.length).toBe(items.length - provider.requests.length);
		expect(unsent.length).toBeGreaterThan(0);
	});

	it('a dry run says which items a real run would send, and sends nothing', async () => {
		const provider = await mock();
		const c = checkCase('bankCard.twoElements');
		const result = await run(provider, c, [c.match, c.match, { name: '张三', bankCard: sandboxCardFor(-11) }], { options: { dryRun: true } });
		expect(provider.requests).toHaveLength(0);
		expect(result.json().map((item) => [item.status, item.wouldSend])).toEqual([
			['dry_run', true],
			['dry_run', false],
			['dry_run', true],
		]);
	});
});

describe('saved workflows', () => {
	it('version 2 verifies phone three elements with the keys it had, whatever resource or operation the node holds', async () => {
		const provider = await mock();
		const c = checkCase('phone.threeElements');
		const result = await runVerify({
			parameters: { ...checkParameters(c), resource: 'bankCard', operation: 'lookup' },
			items: [c.match],
			credentials: { apiToken: DEFAULT_TOKEN, baseUrl: provider.url },
			typeVersion: 2,
		});
		expect(provider.requests.map((r) => r.path)).toEqual([c.path]);
		expect(Object.keys(result.json()[0])).toEqual([
			'result', 'status', 'matched', 'billable', 'description', 'isp', 'resultDetail', 'traceId', 'cached', 'attempts',
			'input', 'errorCode', 'httpCode',
		]);
	});
});

describe('encryption for every check that takes it', () => {
	const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	const publicKey = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
	const privateKey = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
	// The OCR verified by name and number, so that it has fields worth encrypting.
	const encrypting = CHECK_CASES.filter((c) => c.id !== 'idCard.portrait').map((c) =>
		c.id === 'idCard.ocr' ? { ...c, match: { name: '张三', idCard: '11010519491231002X' }, body: { name: '张三', id_card: '11010519491231002X' } } : c,
	);

	it.each(encrypting)('$id: encrypted in n8n, the fields leave only as ciphertext, in the form the check takes', async (c) => {
		const provider = await mock({ privateKey });
		const result = await run(provider, c, [c.match], { encryption: 'local', publicKey });
		expect(result.json()[0]).toMatchObject({ matched: true, billable: true });
		const [request] = provider.requests;
		// The provider recovers what a plain request would have carried (a photo's URL stays plain by default).
		const encryptedFields = Object.keys(c.body).filter((field) => field !== 'image_url');
		expect(request.decrypted).toEqual(Object.fromEntries(encryptedFields.map((field) => [field, c.body[field]])));
		expect(request.encryptionForm).toBe(c.id === 'phone.threeElements' ? 'flat' : 'list');
		if (request.encryptionForm === 'list') {
			expect(request.body?.encryption).toEqual([
				{ encrypt_list: encryptedFields, ciphertext_blob: expect.any(String), iv: expect.any(String), algorithm: 'AES-256-CBC' },
			]);
		}
		for (const field of encryptedFields) expect(request.bodyText).not.toContain(String(c.body[field]));
	});

	it.each(encrypting)('$id: already encrypted upstream, sent as given with its key blob and IV', async (c) => {
		const provider = await mock({ privateKey });
		// What an upstream system sends: the values encrypted the provider's way, with the wrapped key and the IV.
		const key = crypto.randomBytes(32);
		const iv = crypto.randomBytes(16);
		const seal = (value: unknown) => {
			const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
			return Buffer.concat([cipher.update(String(value), 'utf8'), cipher.final()]).toString('base64');
		};
		const nodeField = { name: 'name', phone: 'phone', mobile: 'phone', id_card: 'idCard', bank_card: 'bankCard', validity_begin: 'validityBegin', validity_end: 'validityEnd' } as Record<string, string>;
		const encryptedApi = Object.keys(c.body).filter((field) => field !== 'image_url');
		const sealedItem = { ...c.match, ...Object.fromEntries(encryptedApi.map((api) => [nodeField[api], seal(c.body[api])])) };
		const ciphertextBlob = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, key).toString('base64');
		const result = await run(provider, c, [sealedItem], {
			encryption: 'preEncrypted',
			encryptList: encryptedApi.map((api) => nodeField[api]),
			ciphertextBlob,
			iv: iv.toString('base64'),
		});
		expect(result.json()[0]).toMatchObject({ matched: true, billable: true });
		expect(provider.requests[0].decrypted).toEqual(Object.fromEntries(encryptedApi.map((api) => [api, c.body[api]])));
		expect(Object.values(result.json()[0].input as IDataObject).filter((value) => value === '[encrypted]')).toHaveLength(encryptedApi.length);
	});

	it('the portrait check takes no encryption: whatever the node holds, its request carries none', async () => {
		const provider = await mock({ privateKey });
		const c = checkCase('idCard.portrait');
		await run(provider, c, [c.match], { encryption: 'local', publicKey });
		expect(provider.requests[0].body).toEqual(c.body);
	});
});
