/** Output items: flat, mappable fields for IF nodes and CRM nodes; errors in the same shape. */
import type { IDataObject } from 'n8n-workflow';

import type { Identity } from './identity';
import type { VerificationStatus } from './results';
import { classifyResult } from './results';
import type { ProviderAnswer } from './transport';

export const ROUTE = { match: 0, mismatch: 1, notVerified: 2 } as const;

export function routeFor(status: VerificationStatus | 'invalid_input' | 'api_error'): number {
	if (status === 'match') return ROUTE.match;
	if (status === 'mismatch') return ROUTE.mismatch;
	return ROUTE.notVerified;
}

export interface OutputContext {
	/** The `input` echo of a verification: masked, or the normalised values as sent. */
	input: Identity;
	/** The `input` echo of an error item: always masked. */
	maskedInput: Identity;
	/** The input item's own fields, when "Keep Input Fields" is on. */
	keptFields?: IDataObject;
}

function withKeptFields(json: IDataObject, context: OutputContext): IDataObject {
	return context.keptFields ? { ...context.keptFields, ...json } : json;
}

export function verificationJson(
	answer: ProviderAnswer,
	context: OutputContext,
	cached: boolean,
	includeRaw: boolean,
): IDataObject {
	const { status, matched, billable } = classifyResult(answer.result);
	const json: IDataObject = {
		result: answer.result,
		status,
		matched,
		billable,
		description: answer.description,
		isp: answer.isp,
		resultDetail: answer.resultDetail,
		traceId: answer.traceId,
		cached,
		input: { ...context.input },
	};
	if (includeRaw) json.raw = answer.raw;
	return withKeptFields(json, context);
}

export function errorJson(
	message: string,
	status: 'invalid_input' | 'api_error',
	errorCode: string,
	httpCode: number | null,
	context: OutputContext,
): IDataObject {
	return withKeptFields(
		{ error: message, status, errorCode, httpCode, billable: false, matched: false, input: { ...context.maskedInput } },
		context,
	);
}
