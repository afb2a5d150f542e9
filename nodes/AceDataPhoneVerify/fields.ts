/**
 * Every field a check may take, with its local rules, and the preparation of one item's values for a check:
 * read as text, normalised, checked (only what is certain is rejected), and masked for echoes and messages.
 * Pure: no n8n imports.
 */
import type { CheckDefinition } from './checks/definition';
import {
	normaliseBankCard,
	normaliseDate,
	validateBankCard,
	validateImageUrl,
	validateValidityBegin,
	validateValidityEnd,
	validateValidityPeriod,
} from './documents';
import type { FieldName, FieldValues } from './identity';
import {
	fail,
	normaliseIdCard,
	normaliseName,
	normalisePhone,
	toText,
	validateIdCard,
	validateName,
	validatePhone,
} from './identity';
import { maskFields } from './masking';

export type { FieldName, FieldValues } from './identity';
export { FIELD_LABELS, FIELD_ORDER, InvalidIdentityError } from './identity';

interface FieldRules {
	normalise: (value: string) => string;
	validate: (value: string) => void;
}

const FIELD_RULES: Readonly<Record<FieldName, FieldRules>> = {
	name: { normalise: normaliseName, validate: validateName },
	phone: { normalise: normalisePhone, validate: validatePhone },
	idCard: { normalise: normaliseIdCard, validate: (value) => validateIdCard(value) },
	bankCard: { normalise: normaliseBankCard, validate: validateBankCard },
	validityBegin: { normalise: normaliseDate, validate: validateValidityBegin },
	validityEnd: { normalise: normaliseDate, validate: validateValidityEnd },
	imageUrl: { normalise: (value) => value.trim(), validate: validateImageUrl },
};

/** How messages name a field in a sentence. */
const FIELD_IN_SENTENCE: Readonly<Record<FieldName, string>> = {
	name: 'a name',
	phone: 'a mobile number',
	idCard: 'an ID card number',
	bankCard: 'a bank card number',
	validityBegin: 'a start of validity',
	validityEnd: 'an end of validity',
	imageUrl: 'an image URL',
};

/** The raw parameter values of an item, by field (whatever an expression gave). */
export type RawValues = Partial<Record<FieldName, unknown>>;

export interface PrepareOptions {
	/** Run the local rules (never call the API for an item that fails them). */
	validate: boolean;
	/** Fields the user already encrypted: sent as given, neither normalised nor validated. */
	preEncrypted?: ReadonlySet<FieldName>;
}

/**
 * An item's values for a check, as they will be sent, or an InvalidIdentityError. An optional field left empty
 * is left out; a required one must be there (and, for a check that takes one of several groups, one group).
 */
export function prepareFields(check: CheckDefinition, raw: RawValues, options: PrepareOptions): FieldValues {
	const values: FieldValues = {};
	for (const { field, required } of check.fields) {
		const text = toText(field, raw[field]);
		const encrypted = options.preEncrypted?.has(field) === true;
		const value = encrypted ? text.trim() : FIELD_RULES[field].normalise(text);
		if (!value) {
			if (required) fail(field, 'required', `is required${encrypted ? ' (the encrypted value)' : ''}`, '');
			continue;
		}
		if (options.validate && !encrypted) FIELD_RULES[field].validate(value);
		values[field] = value;
	}
	if (check.anyOf && !check.anyOf.some((group) => group.every((field) => values[field]))) {
		const wanted = check.anyOf.map((group) => group.map((field) => FIELD_IN_SENTENCE[field]).join(' and ')).join(', or ');
		// The field to name: the first one missing from a group begun, else from the first group.
		const begun = check.anyOf.find((group) => group.some((field) => values[field])) ?? check.anyOf[0];
		fail(begun.find((field) => !values[field])!, 'required', `is required: this check needs ${wanted}`, '');
	}
	const { validityBegin, validityEnd } = values;
	const datesPlain = !options.preEncrypted?.has('validityBegin') && !options.preEncrypted?.has('validityEnd');
	if (options.validate && validityBegin && validityEnd && datesPlain) validateValidityPeriod(validityBegin, validityEnd);
	return values;
}

/** A masked echo of whatever was given for the check's fields, even when it is invalid: for error items and messages. */
export function maskRawFields(check: CheckDefinition, raw: RawValues, encrypted: ReadonlySet<FieldName> = new Set()): FieldValues {
	const values: FieldValues = {};
	for (const { field } of check.fields) {
		try {
			values[field] = FIELD_RULES[field].normalise(toText(field, raw[field]));
		} catch {
			values[field] = '';
		}
	}
	return maskFields(values, encrypted);
}

/**
 * A choice of fields (the encryption settings), checked against the check's fields and put in its order. Returns
 * the names it does not take too, for the caller to report against its own setting.
 */
export function chosenFields(check: CheckDefinition, values: readonly unknown[]): { fields: FieldName[]; unknown: string[] } {
	const own = check.fields.map(({ field }) => field);
	const unknown = values.filter((value) => !(own as unknown[]).includes(value)).map(String);
	return { fields: own.filter((field) => values.includes(field)), unknown };
}

/** What local encryption encrypts unless told otherwise: every field but a photo's URL (a link, not the data). */
export function defaultEncryptFields(check: CheckDefinition): FieldName[] {
	return check.fields.map(({ field }) => field).filter((field) => field !== 'imageUrl');
}
