import * as crypto from 'node:crypto';

import {
	EncryptionConfigError,
	encryptIdentity,
	loadPublicKey,
	toEncryptList,
} from '../../nodes/AceDataPhoneVerify/encryption';
import type { Identity } from '../../nodes/AceDataPhoneVerify/identity';
import { chosenFields, FIELD_NAMES, IDENTITY_FIELDS } from '../../nodes/AceDataPhoneVerify/identity';
import { decryptFields } from '../support/mockProvider';

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const spkiPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const pkcs1Pem = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const identity: Identity = { name: '买买提·艾力', phone: '13800138000', idCard: '11010519491231002X' };
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

describe('encryptIdentity', () => {
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

describe('field names', () => {
	it('maps node field names to API names', () => {
		expect(Object.fromEntries(IDENTITY_FIELDS.map((field) => [field, FIELD_NAMES[field].api]))).toEqual({
			name: 'name',
			phone: 'phone',
			idCard: 'id_card',
		});
	});

	it('turns a choice of fields into an ordered, de-duplicated API list', () => {
		expect(toEncryptList(['idCard', 'phone', 'idCard'])).toEqual(['phone', 'id_card']);
		expect(toEncryptList([])).toEqual([]);
	});

	it('checks a choice of fields, keeping API order and naming what it does not know', () => {
		expect(chosenFields(['idCard', 'name', 'idCard'])).toEqual({ fields: ['name', 'idCard'], unknown: [] });
		expect(chosenFields(['id_card', 'phone'])).toEqual({ fields: ['phone'], unknown: ['id_card'] });
	});
});
