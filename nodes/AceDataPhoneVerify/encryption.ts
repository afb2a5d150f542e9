/**
 * Optional field encryption for the verification request (see api.md, "Encryption"):
 * each chosen field is AES-256-CBC encrypted with a fresh data key, and the data key travels
 * wrapped with the provider's RSA public key, so plaintext never leaves the workflow.
 * Pure: only `node:crypto`, so it is tested alone.
 */
import * as crypto from 'node:crypto';

import type { Identity, IdentityField } from './identity';

export type ApiFieldName = 'name' | 'phone' | 'id_card';

export const API_FIELD_NAMES: Readonly<Record<IdentityField, ApiFieldName>> = {
	name: 'name',
	phone: 'phone',
	idCard: 'id_card',
};

/** The order the fields are listed in `encrypt_list`, whatever order the user picked them in. */
const FIELD_ORDER: readonly IdentityField[] = ['name', 'phone', 'idCard'];

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

	const key = createPublicKey(normalised);
	if (!key) {
		// This module knows no node to attach an n8n error to: settings.ts turns this into a NodeOperationError.
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

/** The key, or undefined when OpenSSL cannot read it: its message is unhelpful to users and may quote the input. */
function createPublicKey(pem: string): crypto.KeyObject | undefined {
	try {
		return crypto.createPublicKey({ key: pem, format: 'pem' });
	} catch {
		return undefined;
	}
}

/**
 * Maps field choices ('name' | 'phone' | 'idCard', as in the node's encryptFields and the preEncrypted
 * encryptList options) to API names, de-duplicated and in the fixed order name, phone, id_card.
 */
export function toEncryptList(fields: readonly string[]): ApiFieldName[] {
	const unknown = fields.filter((f) => !(FIELD_ORDER as readonly string[]).includes(f));
	if (unknown.length) {
		throw new EncryptionConfigError(
			`Unknown field(s) to encrypt: ${unknown.join(', ')}. Choose from Name, Mobile Number and ID Card Number.`,
		);
	}
	return FIELD_ORDER.filter((f) => fields.includes(f)).map((f) => API_FIELD_NAMES[f]);
}

export interface EncryptedPayload {
	/** Only the encrypted fields, under their API names; base64 ciphertexts. */
	fields: Partial<Record<ApiFieldName, string>>;
	encrypt_list: string[];
	ciphertext_blob: string;
	iv: string;
}

export function encryptIdentity(
	identity: Identity,
	fields: readonly IdentityField[],
	publicKey: crypto.KeyObject,
): EncryptedPayload {
	const encryptList = toEncryptList(fields);
	if (!encryptList.length) {
		throw new EncryptionConfigError(
			'Local encryption is on but no field is chosen to encrypt: pick at least one under "Encrypt Fields", or set Encryption to None.',
		);
	}
	// A fresh key and IV per request: reusing either would let equal values produce equal ciphertexts.
	const key = crypto.randomBytes(32);
	const iv = crypto.randomBytes(16);
	const encrypted: Partial<Record<ApiFieldName, string>> = {};
	for (const field of FIELD_ORDER) {
		const apiName = API_FIELD_NAMES[field];
		if (!encryptList.includes(apiName)) continue;
		// createCipheriv pads with PKCS#7 by default; one cipher per field, all sharing the request's IV.
		const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
		encrypted[apiName] = Buffer.concat([cipher.update(identity[field], 'utf8'), cipher.final()]).toString('base64');
	}
	const wrappedKey = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, key);
	return {
		fields: encrypted,
		encrypt_list: encryptList,
		ciphertext_blob: wrappedKey.toString('base64'),
		iv: iv.toString('base64'),
	};
}
