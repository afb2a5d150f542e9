/**
 * Masking of personal data for outputs, error messages and logs.
 * Name keeps its surname (first character, or a known two-character compound surname), phone its first 3 and
 * last 4 digits, ID number its first 6 and last 2 characters, bank card its first 6 and last 4 digits (as card
 * receipts do), an image URL its origin; validity dates are shown as they are.
 */
import type { FieldName, FieldValues } from './identity';

export const ENCRYPTED_MARK = '[encrypted]';

const COMPOUND_SURNAMES = new Set([
	'欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '慕容', '令狐', '尉迟', '公孙', '夏侯', '长孙',
	'宇文', '司徒', '端木', '独孤', '南宫', '西门', '轩辕', '呼延', '申屠', '澹台', '公冶', '濮阳',
	'太史', '万俟', '闻人', '赫连', '淳于', '钟离', '拓跋', '百里', '东郭', '司空', '仲孙', '第五',
]);

function keep(value: string, start: number, end: number): string {
	const chars = [...value];
	if (chars.length <= start + end) return '*'.repeat(chars.length);
	return chars.slice(0, start).join('') + '*'.repeat(chars.length - start - end) + chars.slice(chars.length - end).join('');
}

function maskName(name: string): string {
	const chars = [...name];
	// A one-character name would be shown whole by the surname rule: hide it.
	if (chars.length <= 1) return '*'.repeat(chars.length);
	const surname = chars.length > 2 && COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? 2 : 1;
	return chars.slice(0, surname).join('') + '*'.repeat(chars.length - surname);
}

export function maskValue(field: FieldName, value: string): string {
	if (!value) return value;
	switch (field) {
		case 'name':
			return maskName(value);
		case 'phone':
			return keep(value, 3, 4);
		case 'idCard':
			return keep(value, 6, 2);
		case 'bankCard':
			return keep(value, 6, 4);
		case 'imageUrl':
			return maskUrl(value);
		default:
			return value;
	}
}

/** The origin only: a path or a signed query may name the person or grant access to the photo. */
function maskUrl(value: string): string {
	try {
		return `${new URL(value).origin}/…`;
	} catch {
		return '*'.repeat(Math.min([...value].length, 8));
	}
}

/** Each value masked, or `[encrypted]` for a field encrypted upstream. */
export function maskFields(values: FieldValues, encrypted: ReadonlySet<FieldName> = new Set()): FieldValues {
	const masked: FieldValues = {};
	for (const field of Object.keys(values) as FieldName[]) {
		const value = values[field];
		masked[field] = encrypted.has(field) ? ENCRYPTED_MARK : value === undefined ? value : maskValue(field, value);
	}
	return masked;
}

/** Shaped like a mainland mobile number (optionally +86) or an 18-character ID number, not inside a longer run. */
const MOBILE_NUMBER = /(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d{9}(?!\d)/g;
const ID_NUMBER = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
/** As long as most bank cards (16–19 digits), not inside a longer run. */
const CARD_NUMBER = /(?<![0-9A-Za-z])\d{16,19}(?![0-9A-Za-z])/g;

/**
 * Masks personal data that came back from outside (a provider or gateway error that repeats what it was sent):
 * the item's own values wherever they appear, and anything shaped like a mobile or ID number.
 */
export function scrubPersonalData(text: string, own: FieldValues): string {
	let scrubbed = text;
	for (const field of Object.keys(own) as FieldName[]) {
		const value = own[field];
		if (value) scrubbed = scrubbed.split(value).join(maskValue(field, value));
	}
	return scrubbed
		.replace(ID_NUMBER, (id) => maskValue('idCard', id))
		.replace(CARD_NUMBER, (card) => maskValue('bankCard', card))
		.replace(MOBILE_NUMBER, (phone) => maskValue('phone', phone.replace(/\D/g, '').slice(-11)));
}

/** `scrubPersonalData` on every string of a JSON value (an error body). */
export function scrubJson<T>(value: T, own: FieldValues): T {
	if (typeof value === 'string') return scrubPersonalData(value, own) as T;
	if (Array.isArray(value)) return value.map((entry) => scrubJson(entry, own)) as T;
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, scrubJson(entry, own)])) as T;
	}
	return value;
}
