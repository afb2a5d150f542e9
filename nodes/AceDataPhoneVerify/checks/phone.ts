/**
 * The phone checks. Result codes and billing as the provider's guides give them (docs/checks.md, with the
 * decisions where its sources disagree).
 */
import type { CheckDefinition, ResultCode, VerifyMode } from './definition';

/** `default` leaves the choice to the provider by omitting `verify_mode` (api.md's decision on its values). */
export const VERIFY_MODE_WIRE: Readonly<Record<VerifyMode, string | undefined>> = {
	default: undefined,
	short: '0',
	long: '1',
};

/** Phone three and two elements share the seed's table: 0 and 1 are billed, nothing else. */
const NAME_AND_MOBILE_RESULTS: Readonly<Record<string, ResultCode>> = {
	'0': { status: 'match', billable: true, final: true, route: 'match', meaning: 'they belong together' },
	'1': { status: 'mismatch', billable: true, final: true, route: 'mismatch', meaning: 'they do not belong together' },
	'-1': { status: 'no_record', billable: false, final: true, route: 'notVerified', meaning: 'no record found' },
	'-2': { status: 'engine_error', billable: false, final: false, route: 'notVerified', meaning: 'unknown engine error' },
	'-3': { status: 'service_error', billable: false, final: false, route: 'notVerified', meaning: 'engine service exception' },
	'-4': { status: 'name_invalid', billable: false, final: true, route: 'notVerified', meaning: 'name verification failed' },
	'-5': { status: 'phone_invalid', billable: false, final: true, route: 'notVerified', meaning: 'mobile number is invalid' },
	'-6': { status: 'daily_limit', billable: false, final: true, route: 'notVerified', meaning: 'daily attempt limit exceeded; try again tomorrow' },
};

export const PHONE_THREE_ELEMENTS: CheckDefinition = {
	id: 'phone.threeElements',
	resource: 'phone',
	operation: 'threeElements',
	name: 'Verify Name + Mobile + ID Number',
	description: 'Whether a name, a mainland China mobile number and an ID card number belong to the same person',
	path: '/identity/phone/check-3e',
	fields: [
		{ field: 'name', api: 'name', required: true },
		{ field: 'phone', api: 'phone', required: true },
		{ field: 'idCard', api: 'id_card', required: true },
	],
	encryption: 'flat',
	settings: ['verifyMode'],
	body: ({ verifyMode }) => (VERIFY_MODE_WIRE[verifyMode] === undefined ? {} : { verify_mode: VERIFY_MODE_WIRE[verifyMode] }),
	results: NAME_AND_MOBILE_RESULTS,
	answerFields: [
		{ output: 'isp', api: 'isp', type: 'text' },
		{ output: 'resultDetail', api: 'result_detail', type: 'text' },
	],
};

export const PHONE_TWO_ELEMENTS: CheckDefinition = {
	id: 'phone.twoElements',
	resource: 'phone',
	operation: 'twoElements',
	name: 'Verify Name + Mobile',
	description: 'Whether a name and a mainland China mobile number belong to the same person',
	path: '/identity/phone/check-2e',
	fields: [
		{ field: 'name', api: 'name', required: true },
		{ field: 'phone', api: 'mobile', required: true },
	],
	encryption: 'list',
	results: NAME_AND_MOBILE_RESULTS,
	answerFields: [],
};

/** What the carrier says of the number (`status_code`); 1 and 2 as the provider's Chinese guide has them. */
const MOBILE_STATES: Readonly<Record<string, string>> = {
	'0': 'normal',
	'1': 'suspended',
	'2': 'cancelled',
	'3': 'unassigned',
	'4': 'not_in_network',
	'99': 'unknown',
};

export const PHONE_STATUS: CheckDefinition = {
	id: 'phone.status',
	resource: 'phone',
	operation: 'status',
	name: 'Check Mobile Status',
	description: 'Whether a mainland China mobile number is in service (normal, suspended, cancelled, unassigned, not in the network)',
	path: '/identity/phone/check-1e',
	fields: [{ field: 'phone', api: 'mobile', required: true }],
	encryption: 'list',
	results: {
		// The carrier's answer is in statusCode: `refine` turns it into the verdict.
		'0': { status: 'in_service', billable: true, final: true, route: 'match', meaning: 'queried: statusCode says the number’s state' },
		'-1': { status: 'no_result', billable: false, final: true, route: 'notVerified', meaning: 'no result found' },
		'-2': { status: 'phone_invalid', billable: false, final: true, route: 'notVerified', meaning: 'mobile number format is wrong' },
		'-3': { status: 'service_busy', billable: false, final: false, route: 'notVerified', meaning: 'verification centre busy' },
	},
	answerFields: [{ output: 'statusCode', api: 'status_code', type: 'number', names: MOBILE_STATES, readableAs: 'statusName' }],
	refine: {
		code: '0',
		statuses: ['in_service', 'not_in_service', 'status_unknown'],
		verdict: ({ fields }) => {
			const state = fields.statusCode;
			if (state === 0) return { status: 'in_service', route: 'match' };
			if (state === 1 || state === 2 || state === 3 || state === 4) return { status: 'not_in_service', route: 'mismatch' };
			return { status: 'status_unknown', route: 'notVerified' };
		},
	},
};
