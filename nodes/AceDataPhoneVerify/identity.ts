/**
 * Normalisation and local validation of the three elements (name, mobile number, ID card number).
 * Pure: no n8n imports, so it is tested alone. Rules follow GB 11643-1999 for the ID number and the
 * mainland numbering plan for mobiles; they only reject what the provider could never verify.
 */
import { maskIdentity, maskValue } from './masking';

/** The three elements in the order the API lists them (request body, `encrypt_list`). */
export const IDENTITY_FIELDS = ['name', 'phone', 'idCard'] as const;

export type IdentityField = (typeof IDENTITY_FIELDS)[number];

export type Identity = Record<IdentityField, string>;

export type ApiFieldName = 'name' | 'phone' | 'id_card';

/** Each field's name in the API and its label in the node's panel: the one map between the three namings. */
export const FIELD_NAMES: Readonly<Record<IdentityField, { api: ApiFieldName; label: string }>> = {
	name: { api: 'name', label: 'Name' },
	phone: { api: 'phone', label: 'Mobile Number' },
	idCard: { api: 'id_card', label: 'ID Card Number' },
};

/**
 * A choice of fields (the encryption options), checked and put in API order. Returns the unknown names instead
 * when there are any, for the caller to report against its own setting.
 */
export function chosenFields(values: readonly unknown[]): { fields: IdentityField[]; unknown: string[] } {
	const unknown = values.filter((value) => !(IDENTITY_FIELDS as readonly unknown[]).includes(value)).map(String);
	return { fields: IDENTITY_FIELDS.filter((field) => values.includes(field)), unknown };
}

/** A value the provider would reject; `rule` is stable and machine-readable (`idCard.checksum`). */
export class InvalidIdentityError extends Error {
	constructor(
		readonly field: IdentityField,
		readonly rule: string,
		readonly description: string,
		readonly maskedValue: string,
	) {
		super(`Invalid ${FIELD_NAMES[field].label}: ${description}${maskedValue ? ` (got "${maskedValue}")` : ''}`);
		this.name = 'InvalidIdentityError';
	}

	get code(): string {
		return `${this.field}.${this.rule}`;
	}
}

const MAX_NAME_LENGTH = 64;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARACTERS = '10X98765432';

function fail(field: IdentityField, rule: string, description: string, value: string): never {
	throw new InvalidIdentityError(field, rule, description, maskValue(field, value));
}

/**
 * Turns what an upstream node handed us into text, or says clearly why it cannot.
 * Numbers are accepted where they are exact (a phone from a spreadsheet); an 18-digit ID number
 * cannot survive as a JavaScript number, so it is refused with the way out.
 */
export function toText(field: IdentityField, value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'bigint') {
		if (typeof value === 'number' && !Number.isSafeInteger(value)) {
			throw new InvalidIdentityError(
				field,
				'type',
				'arrived as a number too large to be exact; pass it as text (e.g. {{ String($json.id) }} upstream, or keep the column as text)',
				'',
			);
		}
		return String(value);
	}
	throw new InvalidIdentityError(field, 'type', `expected text but got ${describeType(value)}`, '');
}

function describeType(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

export function normaliseName(value: string): string {
	return value
		.normalize('NFC')
		.replace(/[\u2022\u30FB\uFF65]/g, '\u00B7')
		.replace(/\s+/g, ' ')
		.trim();
}

export function normalisePhone(value: string): string {
	const compact = value.replace(/[\s-]/g, '');
	const international = /^\+?86(1\d{10})$/.exec(compact);
	return international ? international[1] : compact;
}

export function normaliseIdCard(value: string): string {
	return value.replace(/\s/g, '').toUpperCase();
}

export function validateName(name: string): void {
	if (!name) fail('name', 'required', 'is required', name);
	if ([...name].length > MAX_NAME_LENGTH) {
		fail('name', 'length', `must be at most ${MAX_NAME_LENGTH} characters`, name);
	}
	if (/\p{Nd}/u.test(name)) fail('name', 'digits', 'must not contain digits', name);
	if (/\p{Cc}/u.test(name)) fail('name', 'control', 'must not contain control characters', name);
	if (!/\p{L}/u.test(name)) fail('name', 'letters', 'must contain letters', name);
}

export function validatePhone(phone: string): void {
	if (!phone) fail('phone', 'required', 'is required', phone);
	if (!/^1[3-9]\d{9}$/.test(phone)) {
		fail('phone', 'format', 'must be a mainland China mobile number: 11 digits starting with 13–19', phone);
	}
}

export function validateIdCard(idCard: string, today: Date = new Date()): void {
	if (!idCard) fail('idCard', 'required', 'is required', idCard);
	if (!/^\d{17}[\dX]$/.test(idCard)) {
		fail('idCard', 'format', 'must be 18 characters: 17 digits and a digit or X', idCard);
	}
	if (!isRealPastDate(idCard.slice(6, 14), today)) {
		fail('idCard', 'birth_date', 'positions 7–14 must be a real birth date (YYYYMMDD) not in the future', idCard);
	}
	if (idCardCheckCharacter(idCard) !== idCard[17]) {
		fail('idCard', 'checksum', 'the last character does not match the ISO 7064 MOD 11-2 checksum (typo?)', idCard);
	}
}

export function idCardCheckCharacter(idCard: string): string {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(idCard[i]) * ID_WEIGHTS[i];
	return ID_CHECK_CHARACTERS[sum % 11];
}

function isRealPastDate(yyyymmdd: string, today: Date): boolean {
	const year = Number(yyyymmdd.slice(0, 4));
	const month = Number(yyyymmdd.slice(4, 6));
	const day = Number(yyyymmdd.slice(6, 8));
	const date = new Date(Date.UTC(year, month - 1, day));
	const real =
		date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
	const todayUtc = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
	return real && year >= 1800 && date.getTime() <= todayUtc;
}

const NORMALISERS: Record<IdentityField, (value: string) => string> = {
	name: normaliseName,
	phone: normalisePhone,
	idCard: normaliseIdCard,
};

const VALIDATORS: Record<IdentityField, (value: string) => void> = {
	name: validateName,
	phone: validatePhone,
	idCard: (value) => validateIdCard(value),
};

export interface PrepareOptions {
	/** Run the local rules (never call the API for an item that fails them). */
	validate: boolean;
	/** Fields the user already encrypted: sent as given, neither normalised nor validated. */
	preEncrypted?: ReadonlySet<IdentityField>;
}

/** Raw parameter values → the identity as it will be sent (or an InvalidIdentityError). */
export function prepareIdentity(raw: Record<IdentityField, unknown>, options: PrepareOptions): Identity {
	const identity = {} as Identity;
	for (const field of IDENTITY_FIELDS) {
		const text = toText(field, raw[field]);
		if (options.preEncrypted?.has(field)) {
			if (!text.trim()) fail(field, 'required', 'is required (the encrypted value)', '');
			identity[field] = text.trim();
			continue;
		}
		identity[field] = NORMALISERS[field](text);
		if (!identity[field]) fail(field, 'required', 'is required', '');
		if (options.validate) VALIDATORS[field](identity[field]);
	}
	return identity;
}

/** A masked echo of whatever was given, even when it is invalid: for error items and messages. */
export function maskRawIdentity(
	raw: Record<IdentityField, unknown>,
	encrypted: ReadonlySet<IdentityField> = new Set(),
): Identity {
	const identity = {} as Identity;
	for (const field of IDENTITY_FIELDS) {
		try {
			identity[field] = NORMALISERS[field](toText(field, raw[field]));
		} catch {
			identity[field] = '';
		}
	}
	return maskIdentity(identity, encrypted);
}
