/** The JSON body of one request: a check's prepared fields, its own settings, and the encryption settings. */
import type { KeyObject } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import type { CheckDefinition, CheckSettings } from './checks/definition';
import { encryptFields, toEncryptList } from './encryption';
import type { FieldName, FieldValues } from './fields';

export type EncryptionSettings =
	| { mode: 'none' }
	| { mode: 'local'; fields: readonly FieldName[]; publicKey: KeyObject }
	| { mode: 'preEncrypted'; fields: readonly FieldName[]; ciphertextBlob: string; iv: string };

export type RequestBody = IDataObject;

/** The algorithm the node encrypts with, as the specs' `encryption` list names it. */
const ALGORITHM = 'AES-256-CBC';

export function buildRequestBody(
	check: CheckDefinition,
	values: FieldValues,
	settings: CheckSettings,
	encryption: EncryptionSettings,
): RequestBody {
	const body: RequestBody = {};
	for (const { field, api } of check.fields) if (values[field] !== undefined) body[api] = values[field];
	Object.assign(body, check.body?.(settings));

	if (encryption.mode === 'none' || check.encryption === 'none') return body;
	const sealed =
		encryption.mode === 'local'
			? encryptFields(check, values, encryption.fields, encryption.publicKey)
			: {
					fields: {},
					encrypt_list: toEncryptList(check, encryption.fields.filter((field) => values[field] !== undefined)),
					ciphertext_blob: encryption.ciphertextBlob,
					iv: encryption.iv,
				};
	Object.assign(body, sealed.fields);
	const { encrypt_list, ciphertext_blob, iv } = sealed;
	// Phone three elements keeps the seed's flat fields; the other checks take the specs' list of one object.
	if (check.encryption === 'flat') Object.assign(body, { encrypt_list, ciphertext_blob, iv });
	else body.encryption = [{ encrypt_list, ciphertext_blob, iv, algorithm: ALGORITHM }];
	return body;
}
