/**
 * The provider's result codes, in one table so that a change upstream is a change here only.
 * Source: the provider's guide (see README, "Result codes").
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
	meaning: string;
}

export const RESULT_CODES: Readonly<Record<string, ResultCode>> = {
	'0': { status: 'match', billable: true, meaning: 'The three elements are consistent' },
	'1': { status: 'mismatch', billable: true, meaning: 'The three elements are inconsistent' },
	'-1': { status: 'no_record', billable: false, meaning: 'No record found' },
	'-2': { status: 'engine_error', billable: false, meaning: 'Unknown engine error' },
	'-3': { status: 'service_error', billable: false, meaning: 'Engine service exception' },
	'-4': { status: 'name_invalid', billable: false, meaning: 'Name verification failed' },
	'-5': { status: 'phone_invalid', billable: false, meaning: 'Mobile number is invalid' },
	'-6': {
		status: 'daily_limit',
		billable: false,
		meaning: 'Daily attempt limit exceeded; try again the next day',
	},
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
