import { classifyResult, RESULT_CODES } from '../../nodes/AceDataPhoneVerify/results';

// The table of api.md ("Result codes"), written out again here so that a change in the code is caught. Final:
// asking again would get the same answer, so it is kept for the execution (engine errors may pass on a retry).
const TABLE: Array<[string, string, boolean, boolean]> = [
	['0', 'match', true, true],
	['1', 'mismatch', true, true],
	['-1', 'no_record', false, true],
	['-2', 'engine_error', false, false],
	['-3', 'service_error', false, false],
	['-4', 'name_invalid', false, true],
	['-5', 'phone_invalid', false, true],
	['-6', 'daily_limit', false, true],
];

describe('classifyResult', () => {
	it.each(TABLE)('code %j → status %s, billable %s, final %s', (code, status, billable, final) => {
		expect(classifyResult(code)).toEqual({ status, matched: code === '0', billable, final });
	});

	it('is matched for code 0 only', () => {
		const matched = TABLE.filter(([code]) => classifyResult(code).matched).map(([code]) => code);
		expect(matched).toEqual(['0']);
	});

	it('bills exactly codes 0 and 1', () => {
		const billed = TABLE.filter(([code]) => classifyResult(code).billable).map(([code]) => code);
		expect(billed).toEqual(['0', '1']);
	});

	it.each([
		['-9', 'a code of the engine the seed table does not have'],
		['-7', 'just below the table'],
		['2', 'a positive code not in the table'],
		['', 'an empty code'],
		['abc', 'a word'],
		['00', 'a zero padded'],
		['+1', 'a signed one'],
		['-0', 'a negative zero'],
		['0.0', 'a decimal zero'],
		['constructor', 'a name every object inherits'],
		['__proto__', 'the prototype key'],
		['toString', 'another inherited name'],
	])('code %j (%s) → unknown, not billed, not matched', (code) => {
		expect(classifyResult(code)).toEqual({ status: 'unknown', matched: false, billable: false, final: false });
	});

	it.each([
		[' 0', 'match'],
		['0 ', 'match'],
		['\t1\n', 'mismatch'],
		['  -6  ', 'daily_limit'],
	])('ignores whitespace around %j', (code, status) => {
		expect(classifyResult(code).status).toBe(status);
	});

	it('keeps billing tied to the trimmed code', () => {
		expect(classifyResult(' 0 ')).toEqual({ status: 'match', matched: true, billable: true, final: true });
		expect(classifyResult(' -1 ')).toEqual({ status: 'no_record', matched: false, billable: false, final: true });
	});
});

describe('RESULT_CODES', () => {
	it('holds exactly the codes of the table', () => {
		expect(Object.keys(RESULT_CODES).sort()).toEqual(TABLE.map(([code]) => code).sort());
	});
});
