/**
 * Field encryption inside n8n's engine, against the mock provider holding the matching private key:
 * what leaves the workflow, what the provider recovers, and what the user sees.
 */
import * as crypto from 'node:crypto';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import * as encryption from '../../nodes/AceDataPhoneVerify/encryption';
import type { WorkflowRun } from '../support/engine';
import { parametersFor, runVerify } from '../support/engine';
import { FROM_ITEM } from '../support/identities';
import type { MockProvider, RecordedRequest } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider } from '../support/mockProvider';

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const spkiPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const pkcs1Pem = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const weak = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
const weakPem = weak.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let mock: MockProvider;

beforeAll(async () => {
	mock = await startMockProvider({ privateKey: privatePem });
});

afterAll(async () => {
	await mock.close();
});

/**
 * Every test runs in both node versions: version 1 keeps the encryption settings in Options (as workflows saved
 * with it have them), version 2 beside the fields. `options` holds them the version-1 way.
 */
let typeVersion = 2;

async function verify(options: INodeParameters, items: IDataObject[], onError?: 'continueRegularOutput'): Promise<WorkflowRun> {
	// Each run starts with an empty request log, which the tests of that run then read.
	mock.reset();
	return await runVerify({
		parameters: parametersFor(typeVersion, { ...FROM_ITEM, options }),
		items,
		credentials: { apiToken: DEFAULT_TOKEN, baseUrl: mock.url },
		onError,
		typeVersion,
	});
}

/** Inputs as users hand them over, with what the node must send after normalisation (sandbox identities). */
const PEOPLE = [
	{
		given: { name: ' 张三 ', phone: '+86 138-0013-8000', idCard: '11010519491231002x' },
		sent: { name: '张三', phone: '13800138000', id_card: '11010519491231002X' },
		result: '0',
		isp: '移动',
		masked: { name: '张*', phone: '138****8000', idCard: '110105**********2X' },
	},
	{
		given: { name: '阿依古丽\u2022买买提', phone: '150 0015 0000', idCard: '650102199003070013' },
		sent: { name: '阿依古丽\u00B7买买提', phone: '15000150000', id_card: '650102199003070013' },
		result: '0',
		isp: '电信',
		masked: { name: '阿*******', phone: '150****0000', idCard: '650102**********13' },
	},
	{
		given: { name: '  John   Smith ', phone: '86-186-0018-6000', idCard: '110101199001010015' },
		sent: { name: 'John Smith', phone: '18600186000', id_card: '110101199001010015' },
		result: '0',
		isp: 'Mobile',
		masked: { name: 'J*********', phone: '186****6000', idCard: '110101**********15' },
	},
	{
		given: { name: '李四', phone: '137 0013 7000', idCard: '110101198001010010' },
		sent: { name: '李四', phone: '13700137000', id_card: '110101198001010010' },
		result: '1',
		isp: '移动',
		masked: { name: '李*', phone: '137****7000', idCard: '110101**********10' },
	},
];

function plaintexts(person: (typeof PEOPLE)[number]): string[] {
	return [...Object.values(person.sent), person.given.name.trim(), person.given.idCard];
}

function requestFor(phone: string): RecordedRequest {
	const found = mock.requests.filter((r) => r.decrypted?.phone === phone || r.body?.phone === phone);
	expect(found).toHaveLength(1);
	return found[0];
}

function expectBase64Bytes(value: unknown, bytes: number) {
	expect(typeof value).toBe('string');
	expect(value).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
	expect(Buffer.from(value as string, 'base64')).toHaveLength(bytes);
}

describe.each([1, 2])('node version %i', (version) => {
	beforeAll(() => (typeVersion = version));

	describe('local encryption of all three fields', () => {
		let run: WorkflowRun;

		beforeAll(async () => {
			run = await verify(
				{ encryption: 'local', publicKey: spkiPem, encryptFields: ['name', 'phone', 'idCard'] },
				PEOPLE.map((p) => p.given),
			);
		});

		it('sends one request per item and the run succeeds', () => {
			expect(run.error).toBeUndefined();
			expect(mock.requests).toHaveLength(PEOPLE.length);
			for (const request of mock.requests) expect(request.status).toBe(200);
		});

		it('lets the provider decrypt exactly the normalised values', () => {
			const decrypted = mock.requests.map((r) => r.decrypted).sort((a, b) => String(a?.phone).localeCompare(String(b?.phone)));
			const expected = PEOPLE.map((p) => p.sent).sort((a, b) => a.phone.localeCompare(b.phone));
			expect(decrypted).toEqual(expected);
		});

		it('lists the encrypted fields under their API names', () => {
			for (const request of mock.requests) expect(request.body?.encrypt_list).toEqual(['name', 'phone', 'id_card']);
		});

		it('sends no plaintext of an encrypted field', () => {
			for (const person of PEOPLE) {
				const request = requestFor(person.sent.phone);
				for (const text of plaintexts(person)) expect(request.bodyText).not.toContain(text);
				expect(request.body?.name).not.toBe(person.sent.name);
				expect(request.body?.phone).not.toBe(person.sent.phone);
				expect(request.body?.id_card).not.toBe(person.sent.id_card);
			}
		});

		it('sends a 16-byte IV and a 2048-bit wrapped key, both fresh for every request', () => {
			for (const request of mock.requests) {
				expectBase64Bytes(request.body?.iv, 16);
				expectBase64Bytes(request.body?.ciphertext_blob, 256);
			}
			const ivs = new Set(mock.requests.map((r) => r.body?.iv));
			const blobs = new Set(mock.requests.map((r) => r.body?.ciphertext_blob));
			expect(ivs.size).toBe(PEOPLE.length);
			expect(blobs.size).toBe(PEOPLE.length);
		});

		it('answers with the sandbox identity results, in input order', () => {
			const output = run.json();
			expect(output).toHaveLength(PEOPLE.length);
			PEOPLE.forEach((person, index) => {
				expect(output[index]).toMatchObject({
					result: person.result,
					status: person.result === '0' ? 'match' : 'mismatch',
					matched: person.result === '0',
					billable: true,
					isp: person.isp,
				});
			});
		});

		it('echoes the input masked from the plaintext, not as ciphertext', () => {
			const output = run.json();
			PEOPLE.forEach((person, index) => expect(output[index].input).toEqual(person.masked));
		});
	});

	describe('local encryption: details', () => {
		const zhang = PEOPLE[0];

		it('encrypts the same identity differently on every request', async () => {
			const run = await verify(
				{ encryption: 'local', publicKey: spkiPem, encryptFields: ['name', 'phone', 'idCard'], skipDuplicates: false },
				[zhang.given, zhang.given, zhang.given],
			);
			expect(run.error).toBeUndefined();
			expect(mock.requests).toHaveLength(3);
			for (const field of ['iv', 'ciphertext_blob', 'name', 'phone', 'id_card']) {
				expect(new Set(mock.requests.map((r) => r.body?.[field])).size).toBe(3);
			}
			for (const request of mock.requests) expect(request.decrypted).toEqual(zhang.sent);
			expect(run.json().map((item) => item.status)).toEqual(['match', 'match', 'match']);
		});

		it('encrypts only the ID number when only it is chosen, leaving the others plain (and normalised)', async () => {
			const run = await verify({ encryption: 'local', publicKey: spkiPem, encryptFields: ['idCard'] }, [zhang.given]);
			expect(run.error).toBeUndefined();
			expect(mock.requests).toHaveLength(1);
			const [request] = mock.requests;
			expect(request.body?.encrypt_list).toEqual(['id_card']);
			expect(request.body?.name).toBe('张三');
			expect(request.body?.phone).toBe('13800138000');
			expect(request.body?.id_card).not.toBe('11010519491231002X');
			expect(request.decrypted).toEqual({ id_card: '11010519491231002X' });
			expect(request.bodyText).not.toContain('11010519491231002X');
			expect(request.bodyText).not.toContain('11010519491231002x');
			expect(run.json()[0]).toMatchObject({ result: '0', status: 'match', input: zhang.masked });
		});

		it('lists name and ID number in API order whatever order they were picked in', async () => {
			const run = await verify({ encryption: 'local', publicKey: spkiPem, encryptFields: ['idCard', 'name'] }, [zhang.given]);
			expect(run.error).toBeUndefined();
			expect(mock.requests[0].body?.encrypt_list).toEqual(['name', 'id_card']);
			expect(mock.requests[0].body?.phone).toBe('13800138000');
			expect(mock.requests[0].decrypted).toEqual({ name: '张三', id_card: '11010519491231002X' });
		});

		it('works with a PKCS#1 ("BEGIN RSA PUBLIC KEY") PEM', async () => {
			expect(pkcs1Pem).toContain('BEGIN RSA PUBLIC KEY');
			const run = await verify(
				{ encryption: 'local', publicKey: pkcs1Pem, encryptFields: ['name', 'phone', 'idCard'] },
				[zhang.given],
			);
			expect(run.error).toBeUndefined();
			expect(mock.requests[0].decrypted).toEqual(zhang.sent);
			expect(run.json()[0]).toMatchObject({ result: '0', status: 'match' });
		});

		it('uses all three fields when Encrypt Fields is not set', async () => {
			const run = await verify({ encryption: 'local', publicKey: spkiPem }, [zhang.given]);
			expect(run.error).toBeUndefined();
			expect(mock.requests[0].body?.encrypt_list).toEqual(['name', 'phone', 'id_card']);
			expect(mock.requests[0].decrypted).toEqual(zhang.sent);
		});
	});

	describe('local encryption with an unusable key', () => {
		const items = [PEOPLE[0].given, PEOPLE[3].given];
		const BAD_KEYS: Array<[string, INodeParameters, RegExp]> = [
			[
				'a malformed PEM',
				{ publicKey: '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PUBLIC KEY-----' },
				/public key could not be read/i,
			],
			['a text that is no PEM at all', { publicKey: 'my key' }, /not a complete PEM block/i],
			['a 1024-bit key', { publicKey: weakPem }, /1024 bits.*2048/],
			['an empty key', { publicKey: '  ' }, /No public key/],
			['a private key', { publicKey: privatePem }, /private key/i],
			// Version 2 marks Public Key required: n8n itself refuses to run the workflow without it (below).
			...(version < 2 ? [['no key', {}, /No public key/] as [string, INodeParameters, RegExp]] : []),
		];

		if (version >= 2) {
			it('no key at all: n8n refuses to run the workflow, naming the parameter, before anything runs', async () => {
				await expect(verify({ encryption: 'local' }, items)).rejects.toThrow(/Parameter "Public Key" is required/);
				expect(mock.requests).toHaveLength(0);
			});
		}

		it.each(BAD_KEYS)('fails on %s with a clear message before any request', async (_label, key, message) => {
			const run = await verify({ encryption: 'local', encryptFields: ['name', 'phone', 'idCard'], ...key }, items);
			expect(mock.requests).toHaveLength(0);
			expect(run.error).toBeDefined();
			expect(run.error?.message).toMatch(message);
			expect(run.task().error?.message).toMatch(message);
			// The message carries no key material.
			expect(run.error?.message).not.toContain('MII');
		});

		it.each(BAD_KEYS)('with Continue On Fail, %s gives an error item per input item and no request', async (_label, key, message) => {
			const run = await verify(
				{ encryption: 'local', encryptFields: ['name', 'phone', 'idCard'], ...key },
				items,
				'continueRegularOutput',
			);
			expect(run.error).toBeUndefined();
			expect(mock.requests).toHaveLength(0);
			const output = run.json();
			expect(output).toHaveLength(2);
			expect(output[0]).toMatchObject({
				status: 'invalid_input',
				httpCode: null,
				billable: false,
				matched: false,
				input: PEOPLE[0].masked,
			});
			expect(output[1].input).toEqual(PEOPLE[3].masked);
			for (const item of output) {
				expect(String(item.error)).toMatch(message);
				expect(typeof item.errorCode).toBe('string');
				expect(item).toMatchObject({ result: null, errorCode: 'invalid_settings', attempts: 0 });
			}
			expect(run.outputs()[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		});
	});

	/** What a user's own system would send: the provider's scheme, done independently of the node. */
	function sealByHand(values: Record<string, string>) {
		const key = crypto.randomBytes(32);
		const iv = crypto.randomBytes(16);
		const fields: Record<string, string> = {};
		for (const [field, value] of Object.entries(values)) {
			const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
			fields[field] = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]).toString('base64');
		}
		const blob = crypto
			.publicEncrypt({ key: rsa.publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, key)
			.toString('base64');
		return { fields, blob, iv: iv.toString('base64') };
	}

	describe('a failure while setting up encryption that is not about the key', () => {
		afterEach(() => jest.restoreAllMocks());

		it('fails the node with an n8n error that names the item, before any request', async () => {
			jest.spyOn(encryption, 'loadPublicKey').mockImplementation(() => {
				throw new TypeError('unexpected failure');
			});
			const run = await verify({ encryption: 'local', publicKey: spkiPem }, [PEOPLE[0].given]);
			expect(mock.requests).toHaveLength(0);
			expect(run.error).toMatchObject({ name: 'NodeOperationError', context: { itemIndex: 0 } });
			expect(run.error?.message).toMatch(/unexpected failure/);
		});
	});

	describe('pre-encrypted fields', () => {
		it('sends the encrypted fields as given with the key blob, IV and list from the options, skipping their validation', async () => {
			const sealed = sealByHand({ name: '张三', id_card: '11010519491231002X' });
			const run = await verify(
				{ encryption: 'preEncrypted', encryptList: ['name', 'idCard'], ciphertextBlob: sealed.blob, iv: sealed.iv },
				[{ name: sealed.fields.name, phone: '+86 138-0013-8000', idCard: sealed.fields.id_card }],
			);
			expect(run.error).toBeUndefined();
			expect(mock.requests).toHaveLength(1);
			const body = mock.requests[0].body;
			expect(body).toMatchObject({
				name: sealed.fields.name,
				phone: '13800138000',
				id_card: sealed.fields.id_card,
				ciphertext_blob: sealed.blob,
				iv: sealed.iv,
				encrypt_list: ['name', 'id_card'],
			});
			expect(mock.requests[0].decrypted).toEqual({ name: '张三', id_card: '11010519491231002X' });
			expect(run.json()[0]).toMatchObject({
				result: '0',
				status: 'match',
				input: { name: '[encrypted]', phone: '138****8000', idCard: '[encrypted]' },
			});
		});

		it('does not reject a ciphertext in the ID card field, though validation is on', async () => {
			// A base64 ciphertext is nothing like 17 digits and a check character; validation must not see it.
			const sealed = sealByHand({ id_card: '11010519491231002X' });
			expect(sealed.fields.id_card).not.toMatch(/^\d{17}[\dX]$/);
			const run = await verify(
				{
					encryption: 'preEncrypted',
					encryptList: ['idCard'],
					ciphertextBlob: sealed.blob,
					iv: sealed.iv,
					validateInput: true,
				},
				[{ name: '张三', phone: '13800138000', idCard: sealed.fields.id_card }],
			);
			expect(run.error).toBeUndefined();
			expect(mock.requests).toHaveLength(1);
			expect(mock.requests[0].body?.id_card).toBe(sealed.fields.id_card);
			expect(mock.requests[0].body?.name).toBe('张三');
			expect(run.json()[0]).toMatchObject({
				status: 'match',
				input: { name: '张*', phone: '138****8000', idCard: '[encrypted]' },
			});
		});

		it('still validates the fields that are not encrypted', async () => {
			const sealed = sealByHand({ id_card: '11010519491231002X' });
			const run = await verify(
				{ encryption: 'preEncrypted', encryptList: ['idCard'], ciphertextBlob: sealed.blob, iv: sealed.iv },
				[{ name: '张三', phone: '12345678901', idCard: sealed.fields.id_card }],
			);
			expect(mock.requests).toHaveLength(0);
			expect(run.error?.message).toMatch(/Mobile Number/);
		});

		it('takes key blob and IV per item from expressions', async () => {
			const first = sealByHand({ name: '张三', phone: '13800138000', id_card: '11010519491231002X' });
			const second = sealByHand({ name: '李四', phone: '13700137000', id_card: '110101198001010010' });
			const run = await verify(
				{
					encryption: 'preEncrypted',
					encryptList: ['name', 'phone', 'idCard'],
					ciphertextBlob: '={{ $json.blob }}',
					iv: '={{ $json.iv }}',
				},
				[first, second].map((s) => ({ name: s.fields.name, phone: s.fields.phone, idCard: s.fields.id_card, blob: s.blob, iv: s.iv })),
			);
			expect(run.error).toBeUndefined();
			expect(mock.requests).toHaveLength(2);
			const byBlob = (blob: string) => mock.requests.find((r) => r.body?.ciphertext_blob === blob);
			expect(byBlob(first.blob)?.body?.iv).toBe(first.iv);
			expect(byBlob(second.blob)?.body?.iv).toBe(second.iv);
			expect(byBlob(second.blob)?.decrypted).toEqual({ name: '李四', phone: '13700137000', id_card: '110101198001010010' });
			expect(run.json().map((item) => item.status)).toEqual(['match', 'mismatch']);
			for (const item of run.json()) {
				expect(item.input).toEqual({ name: '[encrypted]', phone: '[encrypted]', idCard: '[encrypted]' });
			}
		});

		it('fails before any request when the key blob or IV is missing', async () => {
			const sealed = sealByHand({ id_card: '11010519491231002X' });
			const run = await verify({ encryption: 'preEncrypted', encryptList: ['idCard'], iv: sealed.iv }, [
				{ name: '张三', phone: '13800138000', idCard: sealed.fields.id_card },
			]);
			expect(mock.requests).toHaveLength(0);
			expect(run.error?.message).toMatch(/Key Blob/);
		});
	});
});
