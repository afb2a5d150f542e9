/** The JSON body of one verification request, from a prepared identity and the node's settings. */
import type { KeyObject } from 'node:crypto';

import { encryptIdentity, toEncryptList } from './encryption';
import type { ApiFieldName, Identity, IdentityField } from './identity';

export type VerifyMode = 'default' | 'short' | 'long';

/** `default` leaves the choice to the provider by omitting the field. */
export const VERIFY_MODE_WIRE: Readonly<Record<VerifyMode, string | undefined>> = {
	default: undefined,
	short: '0',
	long: '1',
};

export type EncryptionSettings =
	| { mode: 'none' }
	| { mode: 'local'; fields: readonly IdentityField[]; publicKey: KeyObject }
	| { mode: 'preEncrypted'; fields: readonly IdentityField[]; ciphertextBlob: string; iv: string };

export type RequestBody = Partial<Record<ApiFieldName | 'verify_mode' | 'ciphertext_blob' | 'iv', string>> & {
	encrypt_list?: string[];
};

export function buildRequestBody(
	identity: Identity,
	verifyMode: VerifyMode,
	encryption: EncryptionSettings,
): RequestBody {
	const body: RequestBody = { name: identity.name, phone: identity.phone, id_card: identity.idCard };
	const mode = VERIFY_MODE_WIRE[verifyMode];
	if (mode !== undefined) body.verify_mode = mode;

	if (encryption.mode === 'local') {
		const payload = encryptIdentity(identity, encryption.fields, encryption.publicKey);
		Object.assign(body, payload.fields);
		body.encrypt_list = payload.encrypt_list;
		body.ciphertext_blob = payload.ciphertext_blob;
		body.iv = payload.iv;
	} else if (encryption.mode === 'preEncrypted') {
		body.encrypt_list = toEncryptList(encryption.fields);
		body.ciphertext_blob = encryption.ciphertextBlob;
		body.iv = encryption.iv;
	}
	return body;
}
