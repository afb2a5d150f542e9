/**
 * Optional field encryption for the verification request (see docs/encryption.md):
 * each chosen field is AES-256-CBC encrypted with a fresh data key, and the data key travels
 * wrapped with the provider's RSA public key, so plaintext never leaves the workflow.
 * Pure: only `node:crypto`, so it is tested alone.
 */
import * as crypto from 'node:crypto';

import type { CheckDefinition } from './checks/definition';
import type { FieldName, FieldValues } from './fields';

const MIN_RSA_BITS = 2048;

/** A setting the user must fix. Messages never carry key material. */
export class EncryptionConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'EncryptionConfigError';
	}
}

const PEM_HINT =
	'paste the RSA public key from the provider as PEM, from "-----BEGIN PUBLIC KEY-----" (or "-----BEGIN RSA PUBLIC KEY-----") to the matching END line';

/**
 * Parses the provider's RSA public key. Keys pasted into one-line fields arrive with literal "\n",
 * "\r\n" or plain spaces instead of line breaks, so the PEM is rebuilt from its label and base64 body.
 */
export function loadPublicKey(pem: string): crypto.KeyObject {
	if (typeof pem !== 'string' || !pem.trim()) {
		throw new EncryptionConfigError(`No public key set for local encryption: ${PEM_HINT}.`);
	}
	const text = pem.replace(/\\r\\n|\\n|\\r/g, '\n');
	const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
	if (!match) {
		throw new EncryptionConfigError(`The public key is not a complete PEM block: ${PEM_HINT}.`);
	}
	const [, label, rawBody] = match;
	if (/PRIVATE KEY/.test(label)) {
		// Deriving the public half would work, but a private key in a node field is a leak to stop early.
		throw new EncryptionConfigError(
			'The key field holds a private key; keep it secret and paste the provider\'s public key ("-----BEGIN PUBLIC KEY-----") instead.',
		);
	}
	if (label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY') {
		throw new EncryptionConfigError(`The key field holds a "${label}" block, not a public key: ${PEM_HINT}.`);
	}
	const body = rawBody.replace(/\s+/g, '');
	if (!body || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
		throw new EncryptionConfigError(`The public key's body is not valid base64 (was it cut or edited?): ${PEM_HINT}.`);
	}
	const lines = body.match(/.{1,64}/g) ?? [];
	const normalised = `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;

	const key = parsePublicKey(normalised);
	if (!key) {
		// The OpenSSL message is unhelpful to users and may quote the input; say what to do instead.
		throw new EncryptionConfigError(`The public key could not be read (damaged or incomplete PEM): ${PEM_HINT}.`);
	}
	if (key.asymmetricKeyType !== 'rsa') {
		throw new EncryptionConfigError(
			`The public key is ${key.asymmetricKeyType ?? 'of an unknown type'}, but the provider wraps the data key with RSA: paste the provider's RSA public key.`,
		);
	}
	const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
	if (bits < MIN_RSA_BITS) {
		throw new EncryptionConfigError(
			`The RSA public key is ${bits} bits; at least ${MIN_RSA_BITS} bits are required. Use the provider's current public key.`,
		);
	}
	return key;
}

function parsePublicKey(pem: string): crypto.KeyObject | undefined {
	try {
		return crypto.createPublicKey({ key: pem, format: 'pem' });
	} catch {
		return undefined;
	}
}

/** The API names of the chosen fields, in the check's order whatever order they were picked in. */
export function toEncryptList(check: CheckDefinition, fields: readonly FieldName[]): string[] {
	return check.fields.filter(({ field }) => fields.includes(field)).map(({ api }) => api);
}

export interface EncryptedPayload {
	/** Only the encrypted fields, under their API names; base64 ciphertexts. */
	fields: Record<string, string>;
	encrypt_list: string[];
	ciphertext_blob: string;
	iv: string;
}

/** The chosen fields of `values` encrypted for `check`, with the wrapped data key and the IV. */
export function encryptFields(
	check: CheckDefinition,
	values: FieldValues,
	fields: readonly FieldName[],
	publicKey: crypto.KeyObject,
): EncryptedPayload {
	// A fresh key and IV per request: reusing either would let equal values produce equal ciphertexts.
	const key = crypto.randomBytes(32);
	const iv = crypto.randomBytes(16);
	const encrypted: Record<string, string> = {};
	const encryptList: string[] = [];
	for (const { field, api } of check.fields) {
		const value = values[field];
		// A field left out of the request (an optional one left empty) has nothing to encrypt.
		if (!fields.includes(field) || value === undefined) continue;
		// createCipheriv pads with PKCS#7 by default; one cipher per field, all sharing the request's IV.
		const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
		encrypted[api] = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]).toString('base64');
		encryptList.push(api);
	}
	const wrappedKey = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, key);
	return {
		fields: encrypted,
		encrypt_list: encryptList,
		ciphertext_blob: wrappedKey.toString('base64'),
		iv: iv.toString('base64'),
	};
}
