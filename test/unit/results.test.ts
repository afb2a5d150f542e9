import { classifyResult, RESULT_CODES } from '../../nodes/AceDataPhoneVerify/results';

// The table of api.md ("Result codes"), written out again here so that a change in the code is caught.
const TABLE: Array<[string, string, boolean]> = [
	['0', 'match', true],
	['1', 'mismatch', true],
	['-1', 'no_record', false],
	['-2', 'engine_error', false],
	['-3', 'service_error', false],
	['-4', 'name_invalid', false],
	['-5', 'phone_invalid', false],
	['-6', 'daily_limit', false],
];

describe('classifyResult', () => {
	it.each(TABLE)('code %j → status %s, billable %s', (code, status, billable) => {
		expect(classifyResult(code)).toEqual({ status, matched: code === '0', billable });
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
		expect(classifyResult(code)).toEqual({ status: 'unknown', matched: false, billable: false });
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
		expect(classifyResult(' 0 ')).toEqual({ status: 'match', matched: true, billable: true });
		expect(classifyResult(' -1 ')).toEqual({ status: 'no_record', matched: false, billable: false });
	});
});

describe('RESULT_CODES', () => {
	it('holds exactly the codes of the table', () => {
		expect(Object.keys(RESULT_CODES).sort()).toEqual(TABLE.map(([code]) => code).sort());
	});
});
