import * as crypto from 'node:crypto';

import { CHECKS, PHONE_THREE_ELEMENTS } from '../../nodes/AceDataPhoneVerify/checks';
import { EncryptionConfigError, encryptFields, loadPublicKey, toEncryptList } from '../../nodes/AceDataPhoneVerify/encryption';
import type { FieldValues } from '../../nodes/AceDataPhoneVerify/fields';
import { chosenFields } from '../../nodes/AceDataPhoneVerify/fields';
import { decryptFields } from '../support/mockProvider';

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const spkiPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const pkcs1Pem = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const identity = { name: '买买提·艾力', phone: '13800138000', idCard: '11010519491231002X' };
const check = (id: string) => CHECKS.find((c) => c.id === id)!;
/** Phone three elements, as the node encrypts for it. */
const encryptIdentity = (values: FieldValues, fields: Parameters<typeof encryptFields>[2], key: crypto.KeyObject) =>
	encryptFields(PHONE_THREE_ELEMENTS, values, fields, key);
const ALL = ['name', 'phone', 'idCard'] as const;

/** The payload as the node puts it in the request body. */
function body(payload: ReturnType<typeof encryptIdentity>): Record<string, unknown> {
	const { fields, ...rest } = payload;
	return { ...fields, ...rest };
}

/** The raw data key, unwrapped by hand (Node 20 refuses PKCS#1 v1.5 private decryption). */
function dataKey(blob: string): Buffer {
	const padded = crypto.privateDecrypt(
		{ key: privatePem, padding: crypto.constants.RSA_NO_PADDING },
		Buffer.from(blob, 'base64'),
	);
	return padded.subarray(padded.indexOf(0, 2) + 1);
}

function configError(fn: () => unknown): EncryptionConfigError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(EncryptionConfigError);
		return error as EncryptionConfigError;
	}
	throw new Error('expected an EncryptionConfigError');
}

describe('loadPublicKey', () => {
	it.each([
		['SPKI', spkiPem],
		['PKCS#1', pkcs1Pem],
		['SPKI with CRLF and surrounding whitespace', `\n  ${spkiPem.replace(/\n/g, '\r\n')}  \n`],
		['one-line SPKI with literal \\n', spkiPem.trim().replace(/\n/g, '\\n')],
		['one-line PKCS#1 with literal \\r\\n', pkcs1Pem.trim().replace(/\n/g, '\\r\\n')],
		['one-line SPKI with spaces instead of line breaks', spkiPem.trim().replace(/\n/g, ' ')],
		['SPKI wrapped in quotes', `"${spkiPem.trim().replace(/\n/g, '\\n')}"`],
	])('accepts %s', (_label, pem) => {
		const key = loadPublicKey(pem);
		expect(key.type).toBe('public');
		expect(key.equals(rsa.publicKey)).toBe(true);
	});

	it.each([
		['an empty string', ''],
		['whitespace only', '  \n\t '],
	])('rejects %s and says a key is needed', (_label, pem) => {
		expect(configError(() => loadPublicKey(pem)).message).toMatch(/No public key set.*BEGIN PUBLIC KEY/);
	});

	it('rejects a non-string value', () => {
		expect(configError(() => loadPublicKey(undefined as unknown as string)).message).toMatch(/No public key set/);
	});

	it('rejects text without a PEM block', () => {
		const body = spkiPem.split('\n').slice(1, -2).join('');
		const error = configError(() => loadPublicKey(body));
		expect(error.message).toMatch(/not a complete PEM block/);
		expect(error.message).not.toContain(body.slice(10, 40));
	});

	it('rejects a PEM without its END line', () => {
		expect(configError(() => loadPublicKey(spkiPem.split('-----END')[0])).message).toMatch(/not a complete PEM/);
	});

	it('rejects a truncated key without quoting it', () => {
		const lines = spkiPem.trim().split('\n');
		const cut = [lines[0], ...lines.slice(1, 3), lines[lines.length - 1]].join('\n');
		const error = configError(() => loadPublicKey(cut));
		expect(error.message).toMatch(/could not be read/);
		expect(error.message).not.toContain(lines[1]);
	});

	it('rejects a body that is not base64', () => {
		const broken = spkiPem.replace(/\n(.)/, '\n!$1');
		expect(configError(() => loadPublicKey(broken)).message).toMatch(/not valid base64/);
	});

	it('refuses a private key and tells the user to keep it secret', () => {
		for (const pem of [privatePem, rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()]) {
			const error = configError(() => loadPublicKey(pem));
			expect(error.message).toMatch(/private key.*public key/);
			expect(error.message).not.toMatch(/[A-Za-z0-9+/]{40}/);
		}
	});

	it('rejects a block that is not a public key', () => {
		const pem = '-----BEGIN CERTIFICATE REQUEST-----\nTUlJQg==\n-----END CERTIFICATE REQUEST-----';
		expect(configError(() => loadPublicKey(pem)).message).toMatch(/"CERTIFICATE REQUEST" block/);
	});

	it.each([
		['EC', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey],
		['Ed25519', crypto.generateKeyPairSync('ed25519').publicKey],
	])('rejects a %s key and asks for RSA', (_label, key) => {
		const pem = key.export({ type: 'spki', format: 'pem' }).toString();
		expect(configError(() => loadPublicKey(pem)).message).toMatch(/is (ec|ed25519).*RSA public key/);
	});

	it('rejects an RSA key smaller than 2048 bits, naming only its size', () => {
		const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
		const error = configError(() => loadPublicKey(small.export({ type: 'spki', format: 'pem' }).toString()));
		expect(error.message).toBe(
			"The RSA public key is 1024 bits; at least 2048 bits are required. Use the provider's current public key.",
		);
	});
});

describe('encryptFields', () => {
	const publicKey = loadPublicKey(spkiPem);

	it('round-trips all three fields through the provider-side decryption', () => {
		const payload = encryptIdentity(identity, ALL, publicKey);
		expect(payload.encrypt_list).toEqual(['name', 'phone', 'id_card']);
		expect(Object.keys(payload.fields).sort()).toEqual(['id_card', 'name', 'phone']);
		expect(Buffer.from(payload.iv, 'base64')).toHaveLength(16);
		expect(dataKey(payload.ciphertext_blob)).toHaveLength(32);
		expect(decryptFields(body(payload), privatePem)).toEqual({
			name: identity.name,
			phone: identity.phone,
			id_card: identity.idCard,
		});
	});

	it('encrypts only the chosen fields, listed in the fixed order', () => {
		const payload = encryptIdentity(identity, ['idCard', 'name'], publicKey);
		expect(payload.encrypt_list).toEqual(['name', 'id_card']);
		expect(Object.keys(payload.fields).sort()).toEqual(['id_card', 'name']);
		expect(decryptFields(body(payload), privatePem)).toEqual({ name: identity.name, id_card: identity.idCard });
	});

	it('draws a fresh data key and IV for every call', () => {
		const first = encryptIdentity(identity, ALL, publicKey);
		const second = encryptIdentity(identity, ALL, publicKey);
		expect(second.iv).not.toBe(first.iv);
		expect(dataKey(second.ciphertext_blob).equals(dataKey(first.ciphertext_blob))).toBe(false);
		expect(second.fields.id_card).not.toBe(first.fields.id_card);
	});

	it('leaves no plaintext in the serialized payload', () => {
		const serialized = JSON.stringify(encryptIdentity(identity, ALL, publicKey));
		for (const value of [identity.name, '买买提', '艾力', identity.phone, '138001', identity.idCard, '110105194912']) {
			expect(serialized).not.toContain(value);
		}
	});

	it('works with a PKCS#1 key loaded from a one-line paste', () => {
		const key = loadPublicKey(pkcs1Pem.trim().replace(/\n/g, '\\n'));
		const payload = encryptIdentity(identity, ['phone'], key);
		expect(decryptFields(body(payload), privatePem)).toEqual({ phone: identity.phone });
	});
});

describe('other checks', () => {
	const publicKey = loadPublicKey(spkiPem);

	it('encrypts under each check’s own API names: bank card four elements', () => {
		const values = { ...identity, bankCard: '6222021234567890128' };
		const payload = encryptFields(check('bankCard.fourElements'), values, ['bankCard', 'phone'], publicKey);
		expect(payload.encrypt_list).toEqual(['bank_card', 'phone']);
		expect(decryptFields(body(payload), privatePem)).toEqual({ bank_card: values.bankCard, phone: values.phone });
	});

	it('calls the mobile number what the check calls it: `mobile` for phone two elements', () => {
		const payload = encryptFields(check('phone.twoElements'), identity, ['name', 'phone'], publicKey);
		expect(payload.encrypt_list).toEqual(['name', 'mobile']);
		expect(decryptFields(body(payload), privatePem)).toEqual({ name: identity.name, mobile: identity.phone });
	});

	it('leaves out a chosen field the item does not have (an optional one left empty)', () => {
		const payload = encryptFields(check('idCard.ocr'), { imageUrl: 'https://example.com/a.jpg' }, ['name', 'idCard'], publicKey);
		expect(payload.encrypt_list).toEqual([]);
	});
});

describe('field names', () => {
	it('turns a choice of fields into the check’s API names, in its order, de-duplicated', () => {
		expect(toEncryptList(PHONE_THREE_ELEMENTS, ['idCard', 'phone', 'idCard'])).toEqual(['phone', 'id_card']);
		expect(toEncryptList(PHONE_THREE_ELEMENTS, [])).toEqual([]);
		expect(toEncryptList(check('bankCard.fourElements'), ['phone', 'bankCard'])).toEqual(['bank_card', 'phone']);
	});

	it('checks a choice of fields against the check, keeping its order and naming what it does not take', () => {
		expect(chosenFields(PHONE_THREE_ELEMENTS, ['idCard', 'name', 'idCard'])).toEqual({ fields: ['name', 'idCard'], unknown: [] });
		expect(chosenFields(PHONE_THREE_ELEMENTS, ['id_card', 'phone'])).toEqual({ fields: ['phone'], unknown: ['id_card'] });
		expect(chosenFields(check('phone.status'), ['name', 'phone'])).toEqual({ fields: ['phone'], unknown: ['name'] });
	});
});
