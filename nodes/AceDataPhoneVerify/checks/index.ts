/**
 * The ten checks the token buys, and what every part of the node asks of them: which check a panel names, what
 * an answer holds, and what a result code means (status, billed, final, route). Pure: no n8n imports.
 */
import { BANK_CARD_FOUR_ELEMENTS, BANK_CARD_LOOKUP, BANK_CARD_THREE_ELEMENTS, BANK_CARD_TWO_ELEMENTS } from './bankCard';
import type { AnswerField, CheckDefinition, CheckSettings, Resource, ResultCode, Route } from './definition';
import { ID_CARD_OCR, ID_CARD_PORTRAIT, ID_CARD_TWO_ELEMENTS } from './idCard';
import { PHONE_STATUS, PHONE_THREE_ELEMENTS, PHONE_TWO_ELEMENTS } from './phone';

export type {
	AnswerField,
	CheckDefinition,
	CheckField,
	CheckSettingName,
	CheckSettings,
	PhotoWarnings,
	Resource,
	ResultCode,
	Route,
	VerifyMode,
} from './definition';
export { DEFAULT_MIN_SIMILARITY } from './idCard';
export { PHONE_THREE_ELEMENTS };

/** Every check, in the panel's order within each resource. */
export const CHECKS: readonly CheckDefinition[] = [
	PHONE_THREE_ELEMENTS,
	PHONE_TWO_ELEMENTS,
	PHONE_STATUS,
	ID_CARD_TWO_ELEMENTS,
	ID_CARD_OCR,
	ID_CARD_PORTRAIT,
	BANK_CARD_FOUR_ELEMENTS,
	BANK_CARD_THREE_ELEMENTS,
	BANK_CARD_TWO_ELEMENTS,
	BANK_CARD_LOOKUP,
];

export const RESOURCES: ReadonlyArray<{ value: Resource; name: string; description: string }> = [
	{ value: 'phone', name: 'Phone', description: 'Mainland China mobile numbers: status, and whose they are' },
	{ value: 'idCard', name: 'ID Card', description: 'Mainland resident ID cards: name and number, validity, photo (OCR), portrait' },
	{ value: 'bankCard', name: 'Bank Card', description: 'Bank cards: issuing bank, and whose they are' },
];

/** The check a panel names; undefined for a resource and operation that go together in no check. */
export function checkFor(resource: unknown, operation: unknown): CheckDefinition | undefined {
	return CHECKS.find((check) => check.resource === resource && check.operation === operation);
}

/** The answer to one request, as the node reads it. */
export interface Answer {
	/** The code as the provider sent it (a number becomes its string). */
	result: string;
	description: string;
	traceId: string | null;
	/** The check's own answer fields, by output key; `null` where the answer did not give one. */
	fields: Record<string, unknown>;
	/** The check's binary file, base64, when the answer had one. */
	binary: string | null;
	/** The provider's JSON, with a binary file left out (it goes to the item's binary data, not into JSON). */
	raw: Record<string, unknown>;
}

/** Reads a provider's JSON (one with a `result`) as the check's answer. */
export function readAnswer(check: CheckDefinition, json: Record<string, unknown>): Answer {
	const fields: Record<string, unknown> = {};
	for (const field of check.answerFields) Object.assign(fields, readField(field, json[field.api]));
	const file = check.binary ? json[check.binary.api] : undefined;
	const binary = typeof file === 'string' && file.trim() !== '' ? file.trim() : null;
	return {
		result: String(json.result),
		description: String(json.description ?? ''),
		traceId: json.trace_id ? String(json.trace_id) : null,
		fields,
		binary,
		raw: binary && check.binary ? { ...json, [check.binary.api]: `[binary: ${check.binary.output}]` } : { ...json },
	};
}

/** One answer field's keys in the output item: its value, and its readable name where it has one. */
function readField(field: AnswerField, value: unknown): Record<string, unknown> {
	const absent = value === undefined || value === null || value === '';
	if (field.type === 'number') {
		const number = absent ? Number.NaN : Number(value);
		const read = Number.isFinite(number) ? number : null;
		const readable = read === null ? null : (field.names?.[String(read)] ?? null);
		return { [field.output]: read, ...(field.readableAs ? { [field.readableAs]: readable } : {}) };
	}
	if (field.type === 'list') {
		const codes = absent ? [] : String(value).split('|').map((code) => code.trim()).filter(Boolean);
		return { [field.output]: codes.map((code) => field.names?.[code] ?? code) };
	}
	return { [field.output]: absent ? null : String(value) };
}

/** The keys a check's answer adds to the output item, in order. */
export function answerKeys(check: CheckDefinition): string[] {
	return check.answerFields.flatMap((field) => (field.readableAs ? [field.output, field.readableAs] : [field.output]));
}

/** Every check's answer keys, each once, in the checks' order: the keys every item of the family output has. */
export const FAMILY_ANSWER_KEYS: readonly string[] = [...new Set(CHECKS.flatMap(answerKeys))];

/** The answer keys that hold personal data (what a photo of an ID card says). */
export function personalKeys(check: CheckDefinition): string[] {
	return check.answerFields.filter((field) => field.personal).map((field) => field.output);
}

export interface Classification {
	status: string;
	matched: boolean;
	billable: boolean;
	final: boolean;
	route: Route;
}

/** The table's code for what the provider sent: itself, or the spelling another of its sources uses. */
function codeOf(check: CheckDefinition, result: string): string | undefined {
	const code = result.trim();
	if (Object.hasOwn(check.results, code)) return code;
	const alias = check.aliases && Object.hasOwn(check.aliases, code.toLowerCase()) ? check.aliases[code.toLowerCase()] : undefined;
	return alias;
}

/** The table's entry for a result code; undefined for a code the check does not know. */
export function codeEntry(check: CheckDefinition, result: string): ResultCode | undefined {
	const code = codeOf(check, result);
	return code === undefined ? undefined : check.results[code];
}

/**
 * What an answer means. A code outside the check's table is `unknown`: not counted as billed, not final (a later
 * try may be understood), not verified.
 */
export function classify(
	check: CheckDefinition,
	answer: { result: string; fields: Readonly<Record<string, unknown>> },
	settings: CheckSettings,
): Classification {
	const code = codeOf(check, answer.result);
	const entry = code === undefined ? undefined : check.results[code];
	if (code === undefined || !entry) return { status: 'unknown', matched: false, billable: false, final: false, route: 'notVerified' };
	const verdict = check.refine?.code === code ? check.refine.verdict({ fields: answer.fields }, settings) : entry;
	return { status: verdict.status, matched: verdict.route === 'match', billable: entry.billable, final: entry.final, route: verdict.route };
}

/** Every status a check's answers can have, in its table's order. */
export function statusesOf(check: CheckDefinition): string[] {
	return [
		...new Set(
			Object.entries(check.results).flatMap(([code, { status }]) => (check.refine?.code === code ? check.refine.statuses : [status])),
		),
	];
}
