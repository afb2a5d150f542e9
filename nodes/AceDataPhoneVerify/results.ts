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
}

export const RESULT_CODES: Readonly<Record<string, ResultCode>> = {
	'0': { status: 'match', billable: true },
	'1': { status: 'mismatch', billable: true },
	'-1': { status: 'no_record', billable: false },
	'-2': { status: 'engine_error', billable: false },
	'-3': { status: 'service_error', billable: false },
	'-4': { status: 'name_invalid', billable: false },
	'-5': { status: 'phone_invalid', billable: false },
	'-6': { status: 'daily_limit', billable: false },
};

export interface Classification {
	status: VerificationStatus;
	matched: boolean;
	billable: boolean;
}

/** Codes outside the table are `unknown` and never counted as billed. */
export function classifyResult(code: string): Classification {
	const known = RESULT_CODES[code.trim()];
	const status = known?.status ?? 'unknown';
	return { status, matched: status === 'match', billable: known?.billable ?? false };
}
