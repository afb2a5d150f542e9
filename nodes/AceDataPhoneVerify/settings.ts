/**
 * The node's parameters read into plain settings: once per run for what shapes the run (routing, pacing, the
 * cap), per item for what may differ between items (expressions in options are allowed) — and then only once
 * when the parameters hold no expression. A setting that cannot work is a NodeOperationError that names it.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CheckDefinition, CheckSettings, PhotoWarnings } from './checks';
import { DEFAULT_MIN_SIMILARITY } from './checks';
import { EncryptionConfigError, loadPublicKey } from './encryption';
import { chosenFields, defaultEncryptFields, FIELD_LABELS } from './fields';
import type { ItemParameters } from './itemParameters';
import type { EncryptionSettings } from './requestBody';

const VERIFY_MODES = ['default', 'short', 'long'];

export interface RunSettings {
	routeByResult: boolean;
	skipDuplicates: boolean;
	concurrency: number;
	maxRequestsPerSecond: number;
	maxRetries: number;
	retryLostReplies: boolean;
	/** 0 = no cap. */
	maxBilledCalls: number;
	dryRun: boolean;
}

export interface ItemSettings {
	/** What the check reads of the panel besides its fields. */
	check: CheckSettings;
	validateInput: boolean;
	maskInput: boolean;
	keepInputFields: boolean;
	includeRawResponse: boolean;
	timeout: number;
	encryption: EncryptionSettings;
}

export const DEFAULT_MAX_REQUESTS_PER_SECOND = 20;
/**
 * The slowest answers the automatic concurrency keeps the pace with: in flight = pace × latency (Little's law),
 * and a carrier check takes up to about 3 s.
 */
export const PACE_LATENCY_ALLOWANCE_S = 4;
/** In flight by default when the pace is unlimited (the provider is then protected by its 429s alone). */
export const UNPACED_CONCURRENCY = 10;
export const MAX_CONCURRENCY = 100;

function clamp(value: unknown, min: number, max: number, fallback: number): number {
	const number = Number(value);
	if (value === undefined || value === null || value === '' || !Number.isFinite(number)) return fallback;
	return Math.min(max, Math.max(min, Math.floor(number)));
}

/** The concurrency a run uses: the user's, or enough that the pace, not the cap, limits the run. */
export function effectiveConcurrency(concurrency: unknown, maxRequestsPerSecond: number): number {
	const automatic =
		maxRequestsPerSecond > 0
			? Math.min(MAX_CONCURRENCY, Math.max(5, Math.ceil(maxRequestsPerSecond * PACE_LATENCY_ALLOWANCE_S)))
			: UNPACED_CONCURRENCY;
	const chosen = clamp(concurrency, 0, MAX_CONCURRENCY, 0);
	return chosen > 0 ? chosen : automatic;
}

export function readRunSettings(parameters: ItemParameters): RunSettings {
	const options = parameters.get('options', 0, {}) as IDataObject;
	const maxRequestsPerSecond = clamp(options.maxRequestsPerSecond, 0, 1000, DEFAULT_MAX_REQUESTS_PER_SECOND);
	return {
		routeByResult: parameters.get('routeByResult', 0, false) === true,
		skipDuplicates: options.skipDuplicates !== false,
		concurrency: effectiveConcurrency(options.concurrency, maxRequestsPerSecond),
		maxRequestsPerSecond,
		maxRetries: clamp(options.maxRetries, 0, 10, 3),
		retryLostReplies: options.retryLostReplies !== false,
		maxBilledCalls: clamp(options.maxBilledCalls, 0, Number.MAX_SAFE_INTEGER, 0),
		dryRun: options.dryRun === true,
	};
}

/** Where the encryption settings live: in Options in version 1, beside the fields from version 2 on. */
const ENCRYPTION_PARAMETERS = ['encryption', 'publicKey', 'encryptFields', 'ciphertextBlob', 'iv', 'encryptList'];

/** The panel's defaults for the settings a check reads. */
const CHECK_DEFAULTS: CheckSettings = { verifyMode: 'default', minSimilarity: DEFAULT_MIN_SIMILARITY, photoWarnings: {} };

/** A setting to fix, said once and raised for each item it concerns. */
interface SettingsProblem {
	message: string;
	description: string;
}

/** Item settings, read once when no parameter they come from holds an expression; keys are parsed once per run. */
export class ItemSettingsReader {
	private readonly publicKeys = new Map<string, ReturnType<typeof loadPublicKey>>();
	private readonly fixed: boolean;
	private fixedResult: ItemSettings | SettingsProblem | undefined;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly parameters: ItemParameters,
		private readonly check: CheckDefinition,
	) {
		const encryptionApart = context.getNode().typeVersion >= 2;
		const sources = ['options', ...(check.settings ?? []), ...(encryptionApart ? ENCRYPTION_PARAMETERS : [])];
		this.fixed = sources.every((name) => parameters.isFixed(name, name === 'options' || name === 'photoWarnings' ? {} : ''));
	}

	/** The settings for one item, or a NodeOperationError (with the item's index) naming what to fix. */
	read(itemIndex: number): ItemSettings {
		const result = this.fixed ? (this.fixedResult ??= this.evaluate(itemIndex)) : this.evaluate(itemIndex);
		if ('message' in result) {
			throw new NodeOperationError(this.context.getNode(), result.message, {
				description: result.description,
				itemIndex,
			});
		}
		return result;
	}

	private evaluate(itemIndex: number): ItemSettings | SettingsProblem {
		const options = this.parameters.get('options', itemIndex, {}) as IDataObject;
		const check = this.checkSettings(itemIndex);
		if ('message' in check) return check;
		const encryption = this.check.encryption === 'none' ? { mode: 'none' as const } : this.encryption(this.encryptionValues(options, itemIndex));
		if ('message' in encryption) return encryption;
		return {
			check,
			validateInput: options.validateInput !== false,
			maskInput: options.maskInput !== false,
			keepInputFields: options.keepInputFields === true,
			includeRawResponse: options.includeRawResponse === true,
			timeout: clamp(options.timeout, 1000, 600000, 30000),
			encryption,
		};
	}

	/** The settings the check reads besides its fields, each checked. */
	private checkSettings(itemIndex: number): CheckSettings | SettingsProblem {
		const own = new Set(this.check.settings ?? []);
		const settings = { ...CHECK_DEFAULTS };
		if (own.has('verifyMode')) {
			const verifyMode = this.parameters.get('verifyMode', itemIndex, 'default');
			if (!VERIFY_MODES.includes(verifyMode as string)) {
				return {
					message: `Unknown Verification Mode "${String(verifyMode)}"`,
					description: 'Use default, short or long. Nothing was sent for this item.',
				};
			}
			settings.verifyMode = verifyMode as CheckSettings['verifyMode'];
		}
		if (own.has('minSimilarity')) {
			const value = this.parameters.get('minSimilarity', itemIndex, DEFAULT_MIN_SIMILARITY);
			const number = Number(value);
			if (value === '' || !Number.isFinite(number) || number < 0 || number > 100) {
				return {
					message: `Minimum Similarity must be a number from 0 to 100 (got "${String(value)}")`,
					description: 'The provider’s guide judges 70 or more the same person. Nothing was sent for this item.',
				};
			}
			settings.minSimilarity = number;
		}
		if (own.has('photoWarnings')) {
			const warnings = this.parameters.get('photoWarnings', itemIndex, {}) as PhotoWarnings;
			settings.photoWarnings = { ...warnings, quality: clamp(warnings.quality, 0, 100, 0) };
		}
		return settings;
	}

	private encryptionValues(options: IDataObject, itemIndex: number): IDataObject {
		if (this.context.getNode().typeVersion < 2) return options;
		const values: IDataObject = {};
		for (const name of ENCRYPTION_PARAMETERS) values[name] = this.parameters.get(name, itemIndex, '') as IDataObject[string];
		return values;
	}

	private encryption(values: IDataObject): EncryptionSettings | SettingsProblem {
		const mode = String(values.encryption || 'none');
		const problem = (message: string, setting: string): SettingsProblem => ({
			message,
			description: `Fix "${setting}" in the node's encryption settings. Nothing was sent for this item.`,
		});
		if (mode === 'none') return { mode };
		const choices = this.check.fields.map(({ field }) => FIELD_LABELS[field]).join(', ');
		if (mode === 'local') {
			const choice = chosenFields(this.check, asList(values.encryptFields, defaultEncryptFields(this.check)));
			if (choice.unknown.length) return problem(`Encrypt Fields holds an unknown field: ${choice.unknown.join(', ')} (choose from ${choices})`, 'Encrypt Fields');
			if (!choice.fields.length) {
				return problem('Encrypt Fields is empty: choose at least one field to encrypt, or set Encryption to None', 'Encrypt Fields');
			}
			try {
				return { mode, fields: choice.fields, publicKey: this.publicKey(String(values.publicKey ?? '')) };
			} catch (error) {
				// Only a key the user must fix is expected here; anything else is reported as it is.
				return problem(error instanceof EncryptionConfigError ? error.message : String(error), 'Public Key');
			}
		}
		if (mode === 'preEncrypted') {
			const choice = chosenFields(this.check, asList(values.encryptList, []));
			if (choice.unknown.length) return problem(`Encrypted Fields holds an unknown field: ${choice.unknown.join(', ')} (choose from ${choices})`, 'Encrypted Fields');
			const ciphertextBlob = String(values.ciphertextBlob ?? '').trim();
			const iv = String(values.iv ?? '').trim();
			const missing = [
				choice.fields.length ? '' : 'Encrypted Fields',
				ciphertextBlob ? '' : 'Key Blob',
				iv ? '' : 'IV',
			].filter(Boolean);
			if (missing.length) {
				return problem(`"Already Encrypted" needs ${missing.join(', ')}: the values produced upstream with the encrypted fields`, missing[0]);
			}
			return { mode, fields: choice.fields, ciphertextBlob, iv };
		}
		return problem(`Unknown Encryption "${mode}": use None, Encrypt Before Sending or Already Encrypted`, 'Encryption');
	}

	private publicKey(pem: string) {
		let key = this.publicKeys.get(pem);
		if (!key) {
			key = loadPublicKey(pem);
			this.publicKeys.set(pem, key);
		}
		return key;
	}
}

function asList(value: unknown, fallback: unknown[]): unknown[] {
	if (value === undefined || value === null || value === '') return fallback;
	return Array.isArray(value) ? value : [value];
}
