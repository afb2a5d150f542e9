/**
 * The person's fields: name, mobile number and ID card number, normalised and checked locally. Pure: no n8n
 * imports, so it is tested alone. Rules follow GB 11643-1999 for the ID number and the mainland numbering plan for
 * mobiles; they only reject what the provider could never verify. Also: the field names, and the error an invalid
 * value of any field raises.
 */
import { maskValue } from './masking';

/** The node's field parameters, in the order the panel and the `input` echo show them: public names. */
export const FIELD_ORDER = ['name', 'phone', 'idCard', 'bankCard', 'validityBegin', 'validityEnd', 'imageUrl'] as const;

export type FieldName = (typeof FIELD_ORDER)[number];

/** A check's values, as prepared for its request (only the fields it takes). */
export type FieldValues = Partial<Record<FieldName, string>>;

/** Each field's label in the node's panel, for messages that name it. */
export const FIELD_LABELS: Readonly<Record<FieldName, string>> = {
	name: 'Name',
	phone: 'Mobile Number',
	idCard: 'ID Card Number',
	bankCard: 'Bank Card Number',
	validityBegin: 'Valid From',
	validityEnd: 'Valid Until',
	imageUrl: 'Image URL',
};

/** A value the provider would reject; `rule` is stable and machine-readable (`idCard.checksum`). */
export class InvalidIdentityError extends Error {
	constructor(
		readonly field: FieldName,
		readonly rule: string,
		readonly description: string,
		readonly maskedValue: string,
	) {
		super(`Invalid ${FIELD_LABELS[field]}: ${description}${maskedValue ? ` (got "${maskedValue}")` : ''}`);
		this.name = 'InvalidIdentityError';
	}

	get code(): string {
		return `${this.field}.${this.rule}`;
	}
}

const MAX_NAME_LENGTH = 64;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARACTERS = '10X98765432';

export function fail(field: FieldName, rule: string, description: string, value: string): never {
	throw new InvalidIdentityError(field, rule, description, maskValue(field, value));
}

/**
 * Turns what an upstream node handed us into text, or says clearly why it cannot.
 * Numbers are accepted where they are exact (a phone from a spreadsheet); an 18-digit ID number
 * cannot survive as a JavaScript number, so it is refused with the way out.
 */
export function toText(field: FieldName, value: unknown): string {
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

/** The UTC date a `YYYYMMDD` text names, or undefined when there is no such day (20230230). */
export function realDate(yyyymmdd: string): Date | undefined {
	if (!/^\d{8}$/.test(yyyymmdd)) return undefined;
	const year = Number(yyyymmdd.slice(0, 4));
	const month = Number(yyyymmdd.slice(4, 6));
	const day = Number(yyyymmdd.slice(6, 8));
	const date = new Date(Date.UTC(year, month - 1, day));
	const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
	return real && year >= 1800 ? date : undefined;
}

function isRealPastDate(yyyymmdd: string, today: Date): boolean {
	const date = realDate(yyyymmdd);
	return date !== undefined && date.getTime() <= Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
}
