/**
 * The node's parameters read into plain settings: once per run for what shapes the run (routing,
 * pacing), once per item for what may differ between items (expressions in options are allowed).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { EncryptionConfigError, loadPublicKey, toEncryptList } from './encryption';
import type { IdentityField } from './identity';
import type { EncryptionSettings, VerifyMode } from './requestBody';
import { VERIFY_MODE_WIRE } from './requestBody';

export interface RunSettings {
	routeByResult: boolean;
	skipDuplicates: boolean;
	concurrency: number;
	maxRequestsPerSecond: number;
	maxRetries: number;
}

export interface ItemSettings {
	verifyMode: VerifyMode;
	validateInput: boolean;
	maskInput: boolean;
	keepInputFields: boolean;
	includeRawResponse: boolean;
	timeout: number;
	encryption: EncryptionSettings;
}

const API_TO_FIELD: Readonly<Record<string, IdentityField>> = { name: 'name', phone: 'phone', id_card: 'idCard' };

function clamp(value: unknown, min: number, max: number, fallback: number): number {
	const number = Number(value);
	if (!Number.isFinite(number)) return fallback;
	return Math.min(max, Math.max(min, Math.floor(number)));
}

export function readRunSettings(context: IExecuteFunctions): RunSettings {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		routeByResult: context.getNodeParameter('routeByResult', 0, false) as boolean,
		skipDuplicates: options.skipDuplicates !== false,
		concurrency: clamp(options.concurrency, 1, 50, 5),
		maxRequestsPerSecond: clamp(options.maxRequestsPerSecond, 0, 1000, 20),
		maxRetries: clamp(options.maxRetries, 0, 10, 3),
	};
}

/** Keys are parsed once per run, not once per item. */
export class ItemSettingsReader {
	private readonly publicKeys = new Map<string, ReturnType<typeof loadPublicKey>>();

	constructor(private readonly context: IExecuteFunctions) {}

	read(itemIndex: number): ItemSettings {
		const options = this.context.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const verifyMode = this.context.getNodeParameter('verifyMode', itemIndex, 'default') as VerifyMode;
		if (!(verifyMode in VERIFY_MODE_WIRE)) {
			throw new NodeOperationError(this.context.getNode(), `Unknown Verification Mode "${String(verifyMode)}"`, {
				description: 'Use default, short or long.',
				itemIndex,
			});
		}
		return {
			verifyMode,
			validateInput: options.validateInput !== false,
			maskInput: options.maskInput !== false,
			keepInputFields: options.keepInputFields === true,
			includeRawResponse: options.includeRawResponse === true,
			timeout: clamp(options.timeout, 1000, 600000, 30000),
			encryption: this.encryption(options, itemIndex),
		};
	}

	private encryption(options: IDataObject, itemIndex: number): EncryptionSettings {
		const mode = String(options.encryption ?? 'none');
		try {
			if (mode === 'local') {
				const pem = String(options.publicKey ?? '');
				let publicKey = this.publicKeys.get(pem);
				if (!publicKey) {
					publicKey = loadPublicKey(pem);
					this.publicKeys.set(pem, publicKey);
				}
				const fields = (options.encryptFields as IdentityField[] | undefined) ?? ['name', 'phone', 'idCard'];
				return { mode, fields, publicKey };
			}
			if (mode === 'preEncrypted') {
				const fields = toEncryptList((options.encryptList as string[] | undefined) ?? []).map((f) => API_TO_FIELD[f]);
				const ciphertextBlob = String(options.ciphertextBlob ?? '').trim();
				const iv = String(options.iv ?? '').trim();
				if (!fields.length || !ciphertextBlob || !iv) {
					throw new EncryptionConfigError(
						'"Already Encrypted" needs the encrypted fields listed, the Key Blob and the IV',
					);
				}
				return { mode, fields, ciphertextBlob, iv };
			}
			if (mode !== 'none') throw new EncryptionConfigError(`Unknown encryption mode "${mode}"`);
			return { mode: 'none' };
		} catch (error) {
			// Anything else is a bug, not a setting to correct: it surfaces with its own message.
			if (!(error instanceof EncryptionConfigError)) {
				throw new NodeOperationError(this.context.getNode(), error as Error, { itemIndex });
			}
			throw new NodeOperationError(this.context.getNode(), error.message, {
				description: 'Fix the encryption options of the node; nothing was sent.',
				itemIndex,
			});
		}
	}
}
