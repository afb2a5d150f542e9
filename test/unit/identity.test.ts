import { PHONE_THREE_ELEMENTS } from '../../nodes/AceDataPhoneVerify/checks';
import type { FieldName, PrepareOptions, RawValues } from '../../nodes/AceDataPhoneVerify/fields';
import { maskRawFields, prepareFields } from '../../nodes/AceDataPhoneVerify/fields';
import {
	FIELD_LABELS,
	idCardCheckCharacter,
	InvalidIdentityError,
	normaliseIdCard,
	normaliseName,
	normalisePhone,
	toText,
	validateIdCard,
	validateName,
	validatePhone,
} from '../../nodes/AceDataPhoneVerify/identity';

/** Phone three elements' fields, as the node prepares them. */
const prepareIdentity = (raw: RawValues, options: PrepareOptions) => prepareFields(PHONE_THREE_ELEMENTS, raw, options);
const maskRawIdentity = (raw: RawValues, encrypted?: ReadonlySet<FieldName>) => maskRawFields(PHONE_THREE_ELEMENTS, raw, encrypted);

/** Runs `fn`, insists it throws an InvalidIdentityError, and hands the error back. */
function invalid(fn: () => unknown): InvalidIdentityError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidIdentityError);
		return error as InvalidIdentityError;
	}
	throw new Error('expected an InvalidIdentityError, but nothing was thrown');
}

const MIDDLE_DOT = '\u00B7';

// Check characters below were worked out by hand with GB 11643-1999 (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
// sum mod 11 indexes "1 0 X 9 8 7 6 5 4 3 2"); the sums are noted next to each number.
const HAND_COMPUTED_IDS: Array<[string, string]> = [
	['11010519491231002X', 'example from the spec, sum 167, 167 mod 11 = 2 → X'],
	['440524188001010014', 'example from the spec, sum 195, mod 11 = 8 → 4'],
	['110101200001010010', 'sum 45, mod 11 = 1 → 0'],
	['110101200001010061', 'sum 55, mod 11 = 0 → 1'],
	['310104200002291236', 'born 2000-02-29 (leap year), sum 160, mod 11 = 6 → 6'],
	['830000199001010012', 'Taiwan residence-permit prefix 83, sum 164, mod 11 = 10 → 2'],
];

describe('normaliseName', () => {
	it('trims and collapses inner whitespace', () => {
		expect(normaliseName('  张三 \t')).toBe('张三');
		expect(normaliseName(' John   Smith\n')).toBe('John Smith');
	});

	it('composes decomposed characters (NFC)', () => {
		const decomposed = 'Jose\u0301'; // e + combining acute accent
		expect(decomposed).toHaveLength(5);
		expect(normaliseName(decomposed)).toBe('Jos\u00E9');
		expect(normaliseName(decomposed)).toHaveLength(4);
		// Hangul written as conjoining jamo becomes the precomposed syllable.
		expect(normaliseName('\u1112\u1161\u11AB')).toBe('\uD55C');
		// Already composed text is left as it is.
		expect(normaliseName('Jos\u00E9')).toBe('Jos\u00E9');
	});

	it.each([
		['bullet U+2022', '\u2022'],
		['katakana middle dot U+30FB', '\u30FB'],
		['halfwidth katakana middle dot U+FF65', '\uFF65'],
		['middle dot U+00B7 itself', '\u00B7'],
	])('maps the %s to the middle dot U+00B7', (_label, dot) => {
		expect(normaliseName(`阿依古丽${dot}买买提`)).toBe(`阿依古丽${MIDDLE_DOT}买买提`);
	});

	it('maps every dot in a long minority name', () => {
		expect(normaliseName('爱新觉罗\u2022溥\u30FB仪')).toBe(`爱新觉罗${MIDDLE_DOT}溥${MIDDLE_DOT}仪`);
	});
});

describe('normalisePhone', () => {
	it.each([
		['13800138000', '13800138000'],
		['138 0013 8000', '13800138000'],
		['138-0013-8000', '13800138000'],
		['+86 138-0013-8000', '13800138000'],
		['+8613800138000', '13800138000'],
		['8613800138000', '13800138000'],
		['86 138 0013 8000', '13800138000'],
		['+86-138-0013-8000', '13800138000'],
		[' 13800138000 ', '13800138000'],
	])('%j → %j', (input, expected) => {
		expect(normalisePhone(input)).toBe(expected);
	});

	it('does not strip 86 from a number that is not a mobile number behind it', () => {
		// "86" followed by 9 digits is not +86 and a mobile number: keep it, so validation rejects it.
		expect(normalisePhone('86123456789')).toBe('86123456789');
	});
});

describe('normaliseIdCard', () => {
	it('upper-cases the x check character and removes whitespace', () => {
		expect(normaliseIdCard('11010519491231002x')).toBe('11010519491231002X');
		expect(normaliseIdCard(' 110105 19491231 002x ')).toBe('11010519491231002X');
	});
});

describe('idCardCheckCharacter', () => {
	it.each(HAND_COMPUTED_IDS)('gives the hand-computed check character of %s (%s)', (id) => {
		expect(idCardCheckCharacter(id)).toBe(id[17]);
	});
});

describe('validateIdCard', () => {
	const today = new Date(2024, 5, 1);

	it.each(HAND_COMPUTED_IDS)('accepts %s (%s)', (id) => {
		expect(() => validateIdCard(id, today)).not.toThrow();
	});

	it('accepts the x check character once normalised', () => {
		expect(() => validateIdCard(normaliseIdCard('11010519491231002x'), today)).not.toThrow();
	});

	it.each([
		['810000199001010019', 'Hong Kong residence permit (81), sum 146, mod 11 = 3 → 9'],
		['820000199001010010', 'Macao residence permit (82), sum 155, mod 11 = 1 → 0'],
		['830000199001010012', 'Taiwan residence permit (83), sum 164, mod 11 = 10 → 2'],
		['990000199001010017', 'an unassigned prefix 99, sum 225, mod 11 = 5 → 7'],
	])('does not reject the region code of %s (%s)', (id) => {
		expect(() => validateIdCard(id, today)).not.toThrow();
	});

	it('rejects a wrong check character', () => {
		const error = invalid(() => validateIdCard('110105194912310021', today));
		expect(error.code).toBe('idCard.checksum');
	});

	it('rejects every check character but the right one', () => {
		const base = '11010519491231002';
		const right = idCardCheckCharacter(base);
		const wrong = [...'0123456789X'].filter((c) => c !== right);
		expect(wrong).toHaveLength(10);
		for (const check of wrong) {
			expect(invalid(() => validateIdCard(base + check, today)).code).toBe('idCard.checksum');
		}
		expect(() => validateIdCard(base + right, today)).not.toThrow();
	});

	it('rejects 30 February even with a correct checksum', () => {
		// 310104200002301238: sum 125, mod 11 = 4 → 8, so only the date is wrong.
		expect(invalid(() => validateIdCard('310104200002301238', today)).code).toBe('idCard.birth_date');
	});

	it('rejects 29 February in a non-leap year and accepts it in a leap year', () => {
		// 2001 is not a leap year: 310104200102291233 (sum 163, mod 11 = 9 → 3) has a correct checksum.
		expect(invalid(() => validateIdCard('310104200102291233', today)).code).toBe('idCard.birth_date');
		// 1900 is divisible by 100 but not by 400: not a leap year. 31010419000229123X: sum 167 → X.
		expect(invalid(() => validateIdCard('31010419000229123X', today)).code).toBe('idCard.birth_date');
		// 2000 is divisible by 400: a leap year.
		expect(() => validateIdCard('310104200002291236', today)).not.toThrow();
	});

	it('rejects month 13 and day 00', () => {
		// Only the date is under test here, so the checksum of each is corrected by idCardCheckCharacter,
		// whose results are checked by hand above.
		for (const body of ['11010519491331002', '11010519491200002']) {
			const id = body + idCardCheckCharacter(body);
			expect(invalid(() => validateIdCard(id, today)).code).toBe('idCard.birth_date');
		}
	});

	it('rejects a birth date after `today`, and accepts one born on `today`', () => {
		// 110101200001010010: born 2000-01-01, checksum verified by hand (sum 45 → 0).
		expect(invalid(() => validateIdCard('110101200001010010', new Date(1999, 11, 31))).code).toBe(
			'idCard.birth_date',
		);
		expect(() => validateIdCard('110101200001010010', new Date(2000, 0, 1))).not.toThrow();
		expect(() => validateIdCard('110101200001010010', new Date(2000, 0, 2))).not.toThrow();
	});

	it.each([
		['17 characters', '11010519491231002'],
		['19 characters', '11010519491231002X0'],
		['15 characters (old first-generation format)', '110105491231002'],
		['letters inside', '1101051949A231002X'],
		['X not at the end', '1101051949123100X2'],
		['another letter as check character', '11010519491231002Y'],
		['lowercase x not normalised', '11010519491231002x'],
		['full-width digits', '１１０１０５１９４９１２３１００２X'],
	])('rejects %s', (_label, id) => {
		expect(invalid(() => validateIdCard(id, today)).code).toBe('idCard.format');
	});

	it('rejects an empty value as required', () => {
		expect(invalid(() => validateIdCard('', today)).code).toBe('idCard.required');
	});
});

describe('validatePhone', () => {
	it.each(['13012345678', '13800138000', '14512345678', '15000150000', '16612345678', '17712345678', '18600186000', '19912345678'])(
		'accepts %s',
		(phone) => {
			expect(() => validatePhone(phone)).not.toThrow();
		},
	);

	it.each([
		['starts with 12', '12345678901'],
		['starts with 10', '10345678901'],
		['starts with 11', '11345678901'],
		['10 digits', '1380013800'],
		['12 digits', '138001380001'],
		['letters', '1380013800a'],
		['not normalised', '138-0013-8000'],
		['landline', '01012345678'],
	])('rejects %s', (_label, phone) => {
		expect(invalid(() => validatePhone(phone)).code).toBe('phone.format');
	});

	it('rejects an empty value as required', () => {
		expect(invalid(() => validatePhone('')).code).toBe('phone.required');
	});
});

describe('validateName', () => {
	it.each([
		'张三',
		'欧阳娜娜',
		`阿依古丽${MIDDLE_DOT}买买提`,
		'John Smith',
		"Mary-Jane O'Neil",
		'Jos\u00E9 Garc\u00EDa',
		'𠀀三', // a CJK Extension B character (outside the BMP)
	])('accepts %s', (name) => {
		expect(() => validateName(name)).not.toThrow();
	});

	it.each([
		['ASCII digits', '张三3', 'name.digits'],
		['full-width digits', '张三３', 'name.digits'],
		['a control character', '张\u0007三', 'name.control'],
		['a NUL character', '张三\u0000', 'name.control'],
		['only punctuation', '···', 'name.letters'],
		['only dashes', '--', 'name.letters'],
		['empty', '', 'name.required'],
	])('rejects %s', (_label, name, code) => {
		expect(invalid(() => validateName(name)).code).toBe(code);
	});

	it('rejects a too long name, and accepts one just under the limit', () => {
		expect(() => validateName('a'.repeat(64))).not.toThrow();
		expect(invalid(() => validateName('a'.repeat(65))).code).toBe('name.length');
		// Counted in characters, not UTF-16 units: 64 supplementary-plane characters are fine.
		expect(() => validateName('𠀀'.repeat(64))).not.toThrow();
		expect(invalid(() => validateName('张'.repeat(200))).code).toBe('name.length');
	});
});

describe('toText', () => {
	it('passes strings through untouched', () => {
		expect(toText('name', ' 张三 ')).toBe(' 张三 ');
	});

	it('turns a phone number given as a number into text', () => {
		expect(toText('phone', 13800138000)).toBe('13800138000');
		expect(toText('phone', 8613800138000)).toBe('8613800138000');
	});

	it('turns an exact bigint into text', () => {
		expect(toText('idCard', BigInt('440524188001010014'))).toBe('440524188001010014');
	});

	it('refuses an 18-digit ID number that arrived as a number, telling to pass text', () => {
		// 440524188001010014 is above 2^53: as a JavaScript number its last digits are already wrong.
		const asNumber = Number('440524188001010014');
		expect(String(asNumber)).not.toBe('440524188001010014');
		const error = invalid(() => toText('idCard', asNumber));
		expect(error.code).toBe('idCard.type');
		expect(error.message).toContain('ID Card Number');
		expect(error.message).toMatch(/as text/i);
	});

	it('refuses non-finite and fractional numbers', () => {
		expect(invalid(() => toText('phone', Number.NaN)).code).toBe('phone.type');
		expect(invalid(() => toText('phone', 1.5)).code).toBe('phone.type');
	});

	it.each([
		['an object', { value: '张三' }, /an object/],
		['a list', ['张三'], /a list/],
		['a boolean', true, /a boolean/],
	])('refuses %s clearly', (_label, value, pattern) => {
		const error = invalid(() => toText('name', value));
		expect(error.code).toBe('name.type');
		expect(error.message).toContain('Name');
		expect(error.message).toMatch(/expected text/);
		expect(error.message).toMatch(pattern);
	});

	it('turns null and undefined into an empty string, which prepareIdentity reports as required', () => {
		expect(toText('name', null)).toBe('');
		expect(toText('name', undefined)).toBe('');
		const error = invalid(() =>
			prepareIdentity({ name: null, phone: '13800138000', idCard: '11010519491231002X' }, { validate: true }),
		);
		expect(error.code).toBe('name.required');
		expect(error.message).toMatch(/Name.*required/);
	});
});

describe('prepareIdentity', () => {
	it('normalises and validates all three fields', () => {
		expect(
			prepareIdentity(
				{ name: ' 阿依古丽\u2022买买提 ', phone: '+86 150-0015-0000', idCard: '11010519491231002x' },
				{ validate: true },
			),
		).toEqual({ name: `阿依古丽${MIDDLE_DOT}买买提`, phone: '15000150000', idCard: '11010519491231002X' });
	});

	it('accepts a phone given as a number', () => {
		const identity = prepareIdentity(
			{ name: '张三', phone: 13800138000, idCard: '11010519491231002X' },
			{ validate: true },
		);
		expect(identity.phone).toBe('13800138000');
	});

	it('rejects an invalid field when validating', () => {
		expect(
			invalid(() =>
				prepareIdentity({ name: '张三', phone: '12345678901', idCard: '11010519491231002X' }, { validate: true }),
			).code,
		).toBe('phone.format');
	});

	it('with validate false still normalises, and lets values the rules would reject through', () => {
		expect(
			prepareIdentity(
				{ name: ' 张三3 ', phone: '+86 123-4567-8901', idCard: '110105194912310021 ' },
				{ validate: false },
			),
		).toEqual({ name: '张三3', phone: '12345678901', idCard: '110105194912310021' });
	});

	it('with validate false still insists the fields are not empty', () => {
		expect(
			invalid(() => prepareIdentity({ name: '张三', phone: '  ', idCard: '11010519491231002X' }, { validate: false }))
				.code,
		).toBe('phone.required');
	});

	it('leaves pre-encrypted fields as given (only trimmed) and does not validate them', () => {
		const cipherName = 'q83v+/JkQ1o=';
		const cipherId = 'ab+CDefGhIJkl/mn==';
		const identity = prepareIdentity(
			{ name: ` ${cipherName} `, phone: '+86 138-0013-8000', idCard: cipherId },
			{ validate: true, preEncrypted: new Set<FieldName>(['name', 'idCard']) },
		);
		// Neither NFC, dot mapping nor upper-casing touches a ciphertext; the plain phone is still normalised.
		expect(identity).toEqual({ name: cipherName, phone: '13800138000', idCard: cipherId });
	});

	it('still requires a pre-encrypted field to be present', () => {
		expect(
			invalid(() =>
				prepareIdentity(
					{ name: '张三', phone: '13800138000', idCard: '' },
					{ validate: true, preEncrypted: new Set<FieldName>(['idCard']) },
				),
			).code,
		).toBe('idCard.required');
	});

	it('still validates the plain fields next to pre-encrypted ones', () => {
		expect(
			invalid(() =>
				prepareIdentity(
					{ name: 'bm90LWEtbmFtZQ==', phone: '12345678901', idCard: 'c2VjcmV0' },
					{ validate: true, preEncrypted: new Set<FieldName>(['name', 'idCard']) },
				),
			).code,
		).toBe('phone.format');
	});
});

describe('InvalidIdentityError', () => {
	it('has a code made of field and rule', () => {
		const error = invalid(() => validateIdCard('110105194912310021'));
		expect(error.field).toBe('idCard');
		expect(error.rule).toBe('checksum');
		expect(error.code).toBe('idCard.checksum');
		expect(error.name).toBe('InvalidIdentityError');
		expect(error).toBeInstanceOf(Error);
	});

	it('names the field and the rule and shows the ID number masked, never in full', () => {
		const error = invalid(() => validateIdCard('110105194912310021'));
		expect(error.message).toContain(FIELD_LABELS.idCard);
		expect(error.message).toMatch(/checksum/i);
		expect(error.message).toContain('110105**********21');
		expect(error.message).not.toContain('110105194912310021');
		expect(error.message).not.toContain('1949123100');
	});

	it('shows a phone masked', () => {
		const error = invalid(() => validatePhone('12345678901'));
		expect(error.message).toContain('Mobile Number');
		expect(error.message).toMatch(/13.19|mainland/);
		expect(error.message).toContain('123****8901');
		expect(error.message).not.toContain('12345678901');
	});

	it('shows a name masked', () => {
		const error = invalid(() => validateName('张三丰3'));
		expect(error.message).toContain('Name');
		expect(error.message).toMatch(/digits/);
		expect(error.message).toContain('张***');
		expect(error.message).not.toContain('张三丰');
	});

	it('masks what prepareIdentity rejects, as normalised', () => {
		const error = invalid(() =>
			prepareIdentity(
				{ name: '张三', phone: '13800138000', idCard: '31010419000229123x' },
				{ validate: true },
			),
		);
		expect(error.code).toBe('idCard.birth_date');
		// 1900-02-29 does not exist; the lowercase x is upper-cased before masking.
		expect(error.message).toContain('310104**********3X');
		expect(error.message).not.toContain('19000229');
	});
});

describe('maskRawIdentity', () => {
	it('masks the normalised values', () => {
		expect(
			maskRawIdentity({ name: ' 欧阳娜娜 ', phone: '+86 138-1234-5678', idCard: '11010519491231002x' }),
		).toEqual({ name: '欧阳**', phone: '138****5678', idCard: '110105**********2X' });
	});

	it('masks invalid values too, and empties what cannot be read as text', () => {
		expect(
			maskRawIdentity({ name: { first: '张' }, phone: 13800138000, idCard: Number('440524188001010014') }),
		).toEqual({ name: '', phone: '138****8000', idCard: '' });
		expect(maskRawIdentity({ name: null, phone: undefined, idCard: '' })).toEqual({ name: '', phone: '', idCard: '' });
	});

	it('marks encrypted fields instead of masking them', () => {
		expect(
			maskRawIdentity(
				{ name: 'q83v+/JkQ1o=', phone: '13800138000', idCard: 'c2VjcmV0' },
				new Set<FieldName>(['name', 'idCard']),
			),
		).toEqual({ name: '[encrypted]', phone: '138****8000', idCard: '[encrypted]' });
	});
});
