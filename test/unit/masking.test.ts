import type { FieldName } from '../../nodes/AceDataPhoneVerify/fields';
import { ENCRYPTED_MARK, maskFields, maskValue, scrubPersonalData } from '../../nodes/AceDataPhoneVerify/masking';

describe('maskValue: name', () => {
	it.each([
		['张三', '张*'],
		['王小明', '王**'],
		['欧阳娜娜', '欧阳**'],
		['司马相如', '司马**'],
		['诸葛亮', '诸葛*'],
		['阿依古丽·买买提', '阿*******'],
	])('%s → %s', (name, masked) => {
		expect(maskValue('name', name)).toBe(masked);
	});

	it('does not take the first two characters of a two-character name for a compound surname', () => {
		// "欧阳" alone is a person with surname 欧 and given name 阳: keep only one character.
		expect(maskValue('name', '欧阳')).toBe('欧*');
	});

	it('does not treat ordinary surnames as compound', () => {
		expect(maskValue('name', '欧文华')).toBe('欧**');
	});

	it('masks Latin names after the first letter, spaces included', () => {
		expect(maskValue('name', 'John Smith')).toBe('J*********');
		expect(maskValue('name', 'Li')).toBe('L*');
	});

	it('hides a one-character name entirely, since its surname is all of it', () => {
		expect(maskValue('name', '张')).toBe('*');
	});

	it('counts characters, not UTF-16 units', () => {
		expect(maskValue('name', '𠀀三')).toBe('𠀀*');
		expect(maskValue('name', '张𠀀𠀀')).toBe('张**');
	});
});

describe('maskValue: phone', () => {
	it('keeps the first 3 and last 4 digits', () => {
		expect(maskValue('phone', '13812345678')).toBe('138****5678');
	});

	it.each([
		['7 characters or fewer are hidden entirely', '1381234', '*******'],
		['a very short value', '138', '***'],
		['a single character', '1', '*'],
	])('%s', (_label, phone, masked) => {
		expect(maskValue('phone', phone)).toBe(masked);
	});

	it('masks odd lengths with the same rule', () => {
		expect(maskValue('phone', '12345678')).toBe('123*5678');
		expect(maskValue('phone', '1380013800')).toBe('138***3800');
	});
});

describe('maskValue: ID card number', () => {
	it('keeps the first 6 and last 2 characters', () => {
		expect(maskValue('idCard', '11010519491231002X')).toBe('110105**********2X');
		expect(maskValue('idCard', '440524188001010014')).toBe('440524**********14');
	});

	it('hides the whole birth date', () => {
		expect(maskValue('idCard', '11010519491231002X')).not.toContain('1949');
		expect(maskValue('idCard', '11010519491231002X').slice(6, 14)).toBe('********');
	});

	it.each([
		['8 characters', '12345678', '********'],
		['3 characters', '123', '***'],
	])('hides a value of %s entirely', (_label, id, masked) => {
		expect(maskValue('idCard', id)).toBe(masked);
	});

	it('masks a 15-character (old format) number with the same rule', () => {
		expect(maskValue('idCard', '110105491231002')).toBe('110105*******02');
	});
});

describe('maskValue: empty values', () => {
	it.each<FieldName>(['name', 'phone', 'idCard'])('leaves an empty %s empty', (field) => {
		expect(maskValue(field, '')).toBe('');
	});
});

describe('maskFields', () => {
	const identity = { name: '张三', phone: '13812345678', idCard: '11010519491231002X' };

	it('masks every field', () => {
		expect(maskFields(identity)).toEqual({ name: '张*', phone: '138****5678', idCard: '110105**********2X' });
	});

	it('shows [encrypted] for encrypted fields and masks the others', () => {
		expect(ENCRYPTED_MARK).toBe('[encrypted]');
		expect(maskFields(identity, new Set<FieldName>(['phone', 'idCard']))).toEqual({
			name: '张*',
			phone: '[encrypted]',
			idCard: '[encrypted]',
		});
		expect(maskFields(identity, new Set<FieldName>(['name', 'phone', 'idCard']))).toEqual({
			name: '[encrypted]',
			phone: '[encrypted]',
			idCard: '[encrypted]',
		});
	});

	it('does not change the identity it is given', () => {
		const copy = { ...identity };
		maskFields(identity, new Set<FieldName>(['name']));
		expect(identity).toEqual(copy);
	});
});

describe('maskValue: cards, dates and photos', () => {
	it('keeps a bank card’s first 6 and last 4 digits, as card receipts do', () => {
		expect(maskValue('bankCard', '6222021234567890128')).toBe('622202*********0128');
		expect(maskValue('bankCard', '622202123456')).toBe('622202**3456');
	});

	it('keeps only the origin of an image URL: its path or signed query may name the person or open the photo', () => {
		expect(maskValue('imageUrl', 'https://cdn.example.com/kyc/zhang-san.jpg?sig=abc')).toBe('https://cdn.example.com/…');
		expect(maskValue('imageUrl', 'not a url')).toBe('********');
	});

	it('shows validity dates as they are', () => {
		expect(maskValue('validityBegin', '20200101')).toBe('20200101');
		expect(maskValue('validityEnd', '00000000')).toBe('00000000');
	});
});

describe('scrubPersonalData', () => {
	it('masks a bank card number a provider repeats, its own or any other of card length', () => {
		const own = { bankCard: '6222021234567890128' };
		expect(scrubPersonalData('card 6222021234567890128 refused', own)).toBe('card 622202*********0128 refused');
		expect(scrubPersonalData('card 4111111111111111 refused', {})).toBe('card 411111******1111 refused');
	});

	it('leaves a trace ID alone', () => {
		const trace = '2cf86e86-22a4-46e1-ac2f-032c0f2a4e89';
		expect(scrubPersonalData(trace, {})).toBe(trace);
	});
});
