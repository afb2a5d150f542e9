/**
 * Output items: flat, mappable fields for IF nodes and CRM nodes. Every item — an answer, an error, an item the
 * run did not send — has the same keys in the same order (`null` where one does not apply), so n8n's table view
 * and a CRM mapping treat them alike; except `error`, which only error items have: n8n reads an `error` key on
 * the first item, even `null` on n8n 1.x, as a failed run to retry with Retry On Fail.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Identity } from './identity';
import type { VerificationStatus } from './results';
import { classifyResult } from './results';
import type { ProviderAnswer } from './transport';

/** No answer to classify: the item failed, or was not sent (the cap, a dry run). */
export type UnansweredStatus = 'invalid_input' | 'api_error' | 'budget_reached' | 'dry_run';
export type ItemStatus = VerificationStatus | UnansweredStatus;

export const ROUTE = { match: 0, mismatch: 1, notVerified: 2 } as const;

export function routeFor(status: ItemStatus): number {
	if (status === 'match') return ROUTE.match;
	if (status === 'mismatch') return ROUTE.mismatch;
	return ROUTE.notVerified;
}

export interface OutputContext {
	/** The `input` echo of a verification: masked, or the normalised values as sent. */
	input: Identity;
	/** The `input` echo of an item without an answer: always masked. */
	maskedInput: Identity;
	/** The input item's own fields, when "Keep Input Fields" is on. */
	keptFields?: IDataObject;
}

/** The fields of every output item, in their order. */
interface ItemFields {
	result: string | null;
	status: ItemStatus;
	matched: boolean;
	/** This item's own request got a billed answer. */
	billable: boolean;
	description: string;
	isp: string | null;
	resultDetail: string | null;
	traceId: string | null;
	/** The answer (or failure) is another item's, whose request this item shared. */
	cached: boolean;
	/** Requests the provider received for this item's answer. */
	attempts: number;
	input: Identity;
	/** Error items only. */
	error?: string;
	errorCode: string | null;
	httpCode: number | null;
}

/** The one place that orders the keys. */
function itemJson(fields: ItemFields, context: OutputContext, extra: IDataObject = {}): IDataObject {
	const json: IDataObject = {
		result: fields.result,
		status: fields.status,
		matched: fields.matched,
		billable: fields.billable,
		description: fields.description,
		isp: fields.isp,
		resultDetail: fields.resultDetail,
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
	isp: null,
	resultDetail: null,
	traceId: null,
} as const;

export function verificationJson(
	answer: ProviderAnswer,
	context: OutputContext,
	{ cached, attempts, includeRaw }: { cached: boolean; attempts: number; includeRaw: boolean },
): IDataObject {
	const { status, matched, billable } = classifyResult(answer.result);
	return itemJson(
		{
			result: answer.result,
			status,
			matched,
			billable: billable && !cached,
			description: answer.description,
			isp: answer.isp,
			resultDetail: answer.resultDetail,
			traceId: answer.traceId,
			cached,
			attempts,
			input: context.input,
			errorCode: null,
			httpCode: null,
		},
		context,
		includeRaw ? { raw: answer.raw } : {},
	);
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
	failure: ItemFailure,
	context: OutputContext,
	{ cached = false, attempts = 0, extra = {} as IDataObject } = {},
): IDataObject {
	const { message, advice } = failure;
	return itemJson(
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
	status: 'budget_reached' | 'dry_run',
	description: string,
	context: OutputContext,
	{ cached = false, attempts = 0, extra = {} as IDataObject } = {},
): IDataObject {
	return itemJson(
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
