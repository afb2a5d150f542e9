/**
 * Output items: flat, mappable fields for IF nodes and CRM nodes. Every item — an answer, an error, an item the
 * run did not send — has the same keys in the same order (`null` where one does not apply), so n8n's table view
 * and a CRM mapping treat them alike; except `error`, which only error items have: n8n reads an `error` key on
 * the first item, even `null` on n8n 1.x, as a failed run to retry with Retry On Fail.
 *
 * Which answer keys an item has is its layout's: version 3 gives every item every check's keys (`null` on the
 * checks that do not give them); versions 1 and 2, which verify phone three elements only, keep theirs.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Answer, CheckDefinition, CheckSettings, Route } from './checks';
import { classify } from './checks';
import type { FieldValues } from './fields';

/** No answer to classify: the item failed, or was not sent (the cap, a dry run). */
export type UnansweredStatus = 'invalid_input' | 'api_error' | 'budget_reached' | 'dry_run';

/** The outputs Match, Mismatch and Not Verified, when routing is on. */
export const ROUTE_OUTPUT: Readonly<Record<Route, number>> = { match: 0, mismatch: 1, notVerified: 2 };

export interface OutputContext {
	/** The `input` echo of a verification: masked, or the normalised values as sent. */
	input: FieldValues;
	/** The `input` echo of an item without an answer: always masked. */
	maskedInput: FieldValues;
	/** The input item's own fields, when "Keep Input Fields" is on. */
	keptFields?: IDataObject;
}

/** The check a run asks, and the answer keys every item of the run has. */
export interface OutputShape {
	check: CheckDefinition;
	answerKeys: readonly string[];
}

/** The fields of every output item, in their order. */
interface ItemFields {
	result: string | null;
	status: string;
	matched: boolean;
	/** This item's own request got a billed answer. */
	billable: boolean;
	description: string;
	/** The check's own answer fields by key; missing keys are `null`. */
	answer: Readonly<Record<string, unknown>>;
	traceId: string | null;
	/** The answer (or failure) is another item's, whose request this item shared. */
	cached: boolean;
	/** Requests the provider received for this item's answer. */
	attempts: number;
	input: FieldValues;
	/** Error items only. */
	error?: string;
	errorCode: string | null;
	httpCode: number | null;
}

/** The one place that orders the keys. */
function itemJson(shape: OutputShape, fields: ItemFields, context: OutputContext, extra: IDataObject = {}): IDataObject {
	const json: IDataObject = {
		result: fields.result,
		status: fields.status,
		matched: fields.matched,
		billable: fields.billable,
		description: fields.description,
		...Object.fromEntries(shape.answerKeys.map((key) => [key, (fields.answer[key] ?? null) as IDataObject[string]])),
		traceId: fields.traceId,
		cached: fields.cached,
		attempts: fields.attempts,
		input: { ...fields.input },
		...(fields.error === undefined ? {} : { error: fields.error }),
		errorCode: fields.errorCode,
		httpCode: fields.httpCode,
		...extra,
	};
	return context.keptFields ? { ...context.keptFields, ...json } : json;
}

const UNANSWERED = {
	result: null,
	matched: false,
	billable: false,
	answer: {},
	traceId: null,
} as const;

/**
 * An answered item. `bought`: this item's own request (or, after a Retry On Fail re-run, this run's earlier try)
 * bought the answer, so it shows what the answer cost; a copy or a reused answer costs nothing.
 */
export function verificationJson(
	shape: OutputShape,
	answer: Answer,
	context: OutputContext,
	{ cached, bought, attempts, includeRaw, settings }: { cached: boolean; bought: boolean; attempts: number; includeRaw: boolean; settings: CheckSettings },
): { json: IDataObject; route: Route } {
	const { status, matched, billable, route } = classify(shape.check, answer, settings);
	const json = itemJson(
		shape,
		{
			result: answer.result,
			status,
			matched,
			billable: billable && bought,
			description: answer.description,
			answer: answer.fields,
			traceId: answer.traceId,
			cached,
			attempts,
			input: context.input,
			errorCode: null,
			httpCode: null,
		},
		context,
		includeRaw ? { raw: answer.raw as IDataObject } : {},
	);
	return { json, route };
}

export interface ItemFailure {
	message: string;
	/** What to do about it. */
	advice?: string;
	status: 'invalid_input' | 'api_error';
	errorCode: string;
	httpCode: number | null;
}

export function errorJson(
	shape: OutputShape,
	failure: ItemFailure,
	context: OutputContext,
	{ cached = false, attempts = 0, extra = {} as IDataObject } = {},
): IDataObject {
	const { message, advice } = failure;
	return itemJson(
		shape,
		{
			...UNANSWERED,
			status: failure.status,
			description: advice ? `${message}${/[.!?]$/.test(message) ? '' : '.'} ${advice}` : message,
			cached,
			attempts,
			input: context.maskedInput,
			error: failure.message,
			errorCode: failure.errorCode,
			httpCode: failure.httpCode,
		},
		context,
		extra,
	);
}

/** An item the run did not send: the cap was reached, or it is a dry run (`extra` holds `wouldSend`). */
export function unsentJson(
	shape: OutputShape,
	status: 'budget_reached' | 'dry_run',
	description: string,
	context: OutputContext,
	{ cached = false, attempts = 0, extra = {} as IDataObject } = {},
): IDataObject {
	return itemJson(
		shape,
		{
			...UNANSWERED,
			status,
			description,
			cached,
			attempts,
			input: context.maskedInput,
			errorCode: null,
			httpCode: null,
		},
		context,
		extra,
	);
}
