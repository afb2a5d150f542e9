/**
 * The fields of cards and photos: bank card numbers, an ID card's validity dates, image URLs, normalised and
 * checked locally. Pure: no n8n imports. Only what is certain is rejected (docs/checks.md, "Local checks").
 */
import { fail, realDate } from './identity';

/** Card numbers as card schemes issue them (ISO/IEC 7812: Maestro from 12 digits, UnionPay up to 19). */
export const BANK_CARD_DIGITS = { min: 12, max: 19 } as const;

/** The validity end the provider reads as "long-term" (长期). */
export const LONG_TERM = '00000000';

export function normaliseBankCard(value: string): string {
	return value.replace(/[\s-]/g, '');
}

/**
 * Digits within the lengths card schemes issue. No Luhn check: real Chinese debit cards fail it, and the
 * provider answers for them.
 */
export function validateBankCard(card: string): void {
	if (!/^\d+$/.test(card)) fail('bankCard', 'format', 'must hold digits only (spaces and dashes are removed)', card);
	if (card.length < BANK_CARD_DIGITS.min || card.length > BANK_CARD_DIGITS.max) {
		fail('bankCard', 'length', `must be ${BANK_CARD_DIGITS.min}–${BANK_CARD_DIGITS.max} digits long`, card);
	}
}

/**
 * `YYYYMMDD` as the provider takes it, from that or from the date as an ID card prints it (`2015.03.20`) or as
 * ISO writes it (`2015-03-20`, the form one of the provider's specs shows); "长期" (long-term) is `00000000`.
 */
export function normaliseDate(value: string): string {
	const text = value.trim();
	if (text === '长期') return LONG_TERM;
	const separated = /^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$/.exec(text);
	if (separated) return `${separated[1]}${separated[2].padStart(2, '0')}${separated[3].padStart(2, '0')}`;
	return text;
}

export function validateValidityBegin(value: string): void {
	if (!realDate(value)) fail('validityBegin', 'format', 'must be a real date, YYYYMMDD (or YYYY-MM-DD)', value);
}

export function validateValidityEnd(value: string): void {
	if (value !== LONG_TERM && !realDate(value)) {
		fail('validityEnd', 'format', 'must be a real date, YYYYMMDD (or YYYY-MM-DD), or 00000000 for long-term', value);
	}
}

/** A card cannot expire before it was issued. */
export function validateValidityPeriod(begin: string, end: string): void {
	if (end !== LONG_TERM && end < begin) fail('validityEnd', 'before_begin', 'must not be before Valid From', end);
}

export function validateImageUrl(value: string): void {
	let url: URL | undefined;
	try {
		url = new URL(value);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
		fail('imageUrl', 'format', 'must be an http or https URL the provider can download the photo from', value);
	}
}
