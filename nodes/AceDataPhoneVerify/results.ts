/**
 * The provider's result codes, in one table so that a change upstream is a change here only.
 * Source: the provider's guide (see README, "Result codes"); what each code means is in the README's table.
 */
export type VerificationStatus =
	| 'match'
	| 'mismatch'
	| 'no_record'
	| 'engine_error'
	| 'service_error'
	| 'name_invalid'
	| 'phone_invalid'
	| 'daily_limit'
	| 'unknown';

interface ResultCode {
	status: VerificationStatus;
	billable: boolean;
	/** Asking again would get the same answer: it is kept for the rest of the execution and not bought twice. */
	final: boolean;
}

export const RESULT_CODES: Readonly<Record<string, ResultCode>> = {
	'0': { status: 'match', billable: true, final: true },
	'1': { status: 'mismatch', billable: true, final: true },
	'-1': { status: 'no_record', billable: false, final: true },
	'-2': { status: 'engine_error', billable: false, final: false },
	'-3': { status: 'service_error', billable: false, final: false },
	'-4': { status: 'name_invalid', billable: false, final: true },
	'-5': { status: 'phone_invalid', billable: false, final: true },
	'-6': { status: 'daily_limit', billable: false, final: true },
};

export interface Classification {
	status: VerificationStatus;
	matched: boolean;
	billable: boolean;
	final: boolean;
}

/** Codes outside the table are `unknown`: never counted as billed, never final (a later try may be understood). */
export function classifyResult(code: string): Classification {
	const known = Object.hasOwn(RESULT_CODES, code.trim()) ? RESULT_CODES[code.trim()] : undefined;
	const status = known?.status ?? 'unknown';
	return { status, matched: status === 'match', billable: known?.billable ?? false, final: known?.final ?? false };
}
