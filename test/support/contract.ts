/**
 * The output keys the node's contract (docs/checks.md, "Output") promises on every item of version 3, written
 * out by hand from the docs: a test comparing with these checks the code against the contract, not against itself.
 */

/** Every check's own answer keys, in their order, after `description`: `null` on checks that do not give them. */
export const FAMILY_ANSWER_KEYS = [
	'isp', 'resultDetail',
	'statusCode', 'statusName',
	'ocrName', 'ocrIdCard', 'ocrSex', 'ocrNation', 'ocrBirth', 'ocrAddress',
	'similarity', 'warnings', 'quality',
	'accountBank', 'accountType', 'accountTypeName',
];

/** The answer keys of an item without them (an error, an item not sent, a check that gives none). */
export const NO_ANSWER_FIELDS = Object.fromEntries(FAMILY_ANSWER_KEYS.map((key) => [key, null]));

/** Every key of a version-3 item that is not an error, in order; an error item has `error` before `errorCode`. */
export const FAMILY_OUTPUT_KEYS = [
	'result', 'status', 'matched', 'billable', 'description', ...FAMILY_ANSWER_KEYS, 'traceId', 'cached', 'attempts',
	'input', 'errorCode', 'httpCode',
];
