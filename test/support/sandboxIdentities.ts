/**
 * Test identities the provider mock (and the `npm start` sandbox) answers. Every ID number here is
 * valid by GB 11643-1999, so local validation lets them through; none belongs to a real person.
 */
export interface SandboxIdentity {
	name: string;
	phone: string;
	idCard: string;
	result: string;
	isp: string;
}

export const SANDBOX_IDENTITIES: readonly SandboxIdentity[] = [
	{ name: '张三', phone: '13800138000', idCard: '11010519491231002X', result: '0', isp: '移动' },
	{ name: '欧阳娜娜', phone: '13900139000', idCard: '440524188001010014', result: '0', isp: '联通' },
	{ name: '阿依古丽·买买提', phone: '15000150000', idCard: '650102199003070013', result: '0', isp: '电信' },
	{ name: 'John Smith', phone: '18600186000', idCard: '110101199001010015', result: '0', isp: 'Mobile' },
	{ name: '李四', phone: '13700137000', idCard: '110101198001010010', result: '1', isp: '移动' },
	{ name: '王五', phone: '13600136000', idCard: '110101197001010016', result: '-1', isp: '' },
	{ name: '赵六', phone: '13500135000', idCard: '110101196001010011', result: '-2', isp: '' },
	{ name: '孙七', phone: '13400134000', idCard: '110101195001010017', result: '-3', isp: '' },
	{ name: '周八', phone: '13300133000', idCard: '110101194001010012', result: '-4', isp: '电信' },
	{ name: '吴九', phone: '13200132000', idCard: '110101193001010018', result: '-5', isp: '' },
	{ name: '郑十', phone: '13100131000', idCard: '110101192001010013', result: '-6', isp: '联通' },
	{ name: '钱十一', phone: '13000130000', idCard: '110101191001010019', result: '-9', isp: '' },
];

/** Mobile numbers that make the mock answer an HTTP error: `1700000` + HTTP status + variant. */
export const SANDBOX_ERROR_PHONES: Readonly<Record<string, { status: number; code: string; body?: string }>> = {
	'17000004000': { status: 400, code: 'token_mismatched' },
	'17000004001': { status: 400, code: 'api_not_implemented' },
	'17000004002': { status: 400, code: 'bad_request' },
	'17000004010': { status: 401, code: 'invalid_token' },
	'17000004011': { status: 401, code: 'token_expired' },
	'17000004030': { status: 403, code: 'used_up' },
	'17000004031': { status: 403, code: 'disabled' },
	'17000004040': { status: 404, code: 'no_api' },
	'17000004290': { status: 429, code: 'too_many_requests' },
	'17000005000': { status: 500, code: 'api_error' },
	'17000005020': { status: 502, code: 'bad_gateway', body: '<html>502 Bad Gateway</html>' },
	'17000005040': { status: 504, code: 'timeout' },
	'17000002000': { status: 200, code: 'no_result', body: '{"message":"ok"}' },
	'17000002001': { status: 200, code: 'not_json', body: 'upstream says hello' },
};

/**
 * The other checks' sandbox answers. Every value is made up: the ID numbers pass their check character, the bank
 * cards are of real lengths (one, the CCB debit card, fails the Luhn check as real Chinese debit cards may, and is
 * answered all the same).
 */

/** Phone status (check-1e): the mobile's state (`status_code`), or a result code without one. */
export const SANDBOX_MOBILE_STATES: Readonly<Record<string, { result: string; statusCode?: number }>> = {
	'13800138000': { result: '0', statusCode: 0 },
	'13900139000': { result: '0', statusCode: 0 },
	'15000150000': { result: '0', statusCode: 0 },
	'18600186000': { result: '0', statusCode: 0 },
	'13700137000': { result: '0', statusCode: 1 },
	'13600136000': { result: '0', statusCode: 2 },
	'13500135000': { result: '0', statusCode: 3 },
	'13400134000': { result: '0', statusCode: 4 },
	'13300133000': { result: '0', statusCode: 99 },
	'13200132000': { result: '-1' },
	'13100131000': { result: '-2' },
	'13000130000': { result: '-3' },
};

/** ID card two elements and the OCR without a photo: the ID number decides, with the holder's name and validity. */
export interface SandboxIdCard {
	idCard: string;
	/** The name that matches (code 0); any other name is a mismatch (-1). */
	name?: string;
	/** The validity that matches for two elements; another is a mismatch (-1). */
	validity?: [string, string];
	/** The code whatever the name (the ID numbers that never match). */
	result?: string;
}

export const SANDBOX_ID_CARDS: readonly SandboxIdCard[] = [
	{ idCard: '11010519491231002X', name: '张三', validity: ['20150101', '00000000'] },
	{ idCard: '440524188001010014', name: '欧阳娜娜', validity: ['20100801', '20300801'] },
	{ idCard: '650102199003070013', name: '阿依古丽·买买提', validity: ['20190307', '20390307'] },
	{ idCard: '110101199001010015', name: 'John Smith', validity: ['20200101', '20300101'] },
	{ idCard: '110101198001010010', result: '-1' },
	{ idCard: '110101197001010016', result: '-5' },
	{ idCard: '110101196001010011', result: '-4' },
	{ idCard: '110101195001010017', result: '-6' },
	{ idCard: '110101194001010012', result: '-3' },
	{ idCard: '110101193001010018', result: '-2' },
	{ idCard: '110101192001010013', result: '-7' },
	{ idCard: '110101191001010019', result: '-9' },
];

/** Photos of ID cards, by the last part of their URL (any host): what the card says, and how the checks answer. */
export interface SandboxPhoto {
	/** What the OCR reads; the OCR's result is the ID card table's for this name and number. */
	card?: { name: string; idCard: string; sex: string; nation: string; birth: string; address: string };
	/** The portrait check: the similarity to the authority's photo, or the warnings the photo raises when asked. */
	similarity?: number;
	warnings?: Readonly<Record<string, string>>;
	/** A code the checks answer instead. */
	result?: string;
}

export const SANDBOX_PORTRAIT_JPEG_BASE64 =
	'/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9PjsBCgsLDg0OHBAQHDsoIig7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7O//AABEIADwAMAMBEQACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/APUa0ICgAoAKACgAoAKAEZlRS7sFVRkknAAoA5TUPE11JORZMIolJAbAYvz15HH0rVQXUzcuxDZ+JL63dfOb7RGFxsbAP1zjOfrmm4ISkzroZo7iFZoXDxuMhhWJoSUDCgDN8QSGPRZ9pYFsLlc9yM59BjNVHcmWxxNbGQUAdb4VkLabIhLHZKcZzgAgcD8c/n71lPc0jsbdQWFAFTVbV73TJ4Iz87Llfcg5x+OMU07MTV0cGysjFHUqynBBGCDW5iJQB2vh+zkstMCzAq8jFypGCvQAfpn8axk7s1irI06koKACgDNvdBsb6USsrRPzuMWBu9zx1qlJolxTIrPw3Y2rrI+6dguCJMFc+uMfzzTc2wUUa9QUFABQAyWaKCMyzSJHGvVnYAD8TQBhS+NNKjkKItxKB0dEGD+ZB/Sr5GTzIZD42019glhuIy2Nx2gqvrznJH4fhRyMXMjdtbu3vYRNbTJLGe6npxnB9Dz0NS1YompDGTSpBC80rbY41LMcZwAMmgDzbWdZuNWu3ZpHFuG/dRdAAM4JHrg9ff0rdKxk3czqZIUAWtP1K60y4E1rKV5BZM/K/sR36mk0mNOx6ZZXkOoWcd1ASY5BkbhgjsQfxrFqxqncoeKHZPDt2UYqSFGQccFgCPypx3FLY84rYyCgAoAKAO78EuzaJIGYkJOwUE9BhTgfiT+dZT3NI7H/2Q==';

export const SANDBOX_PHOTOS: Readonly<Record<string, SandboxPhoto>> = {
	'zhang-san.jpg': {
		card: { name: '张三', idCard: '11010519491231002X', sex: '男', nation: '汉', birth: '1949/12/31', address: '北京市朝阳区建国路1号' },
		similarity: 92.4,
	},
	'ouyang-nana.jpg': {
		card: { name: '欧阳娜娜', idCard: '440524188001010014', sex: '女', nation: '汉', birth: '1880/01/01', address: '广东省汕头市潮阳区和平路8号' },
		similarity: 81.7,
	},
	'someone-else.jpg': {
		card: { name: '张三', idCard: '11010519491231002X', sex: '男', nation: '汉', birth: '1949/12/31', address: '北京市朝阳区建国路1号' },
		similarity: 31.2,
	},
	'li-si.jpg': {
		card: { name: '李四', idCard: '11010519491231002X', sex: '男', nation: '汉', birth: '1949/12/31', address: '北京市朝阳区建国路1号' },
		similarity: 12.5,
	},
	'wang-wu.jpg': {
		card: { name: '王五', idCard: '110101197001010016', sex: '男', nation: '汉', birth: '1970/01/01', address: '北京市东城区东长安街2号' },
		similarity: 0,
	},
	'photo-of-screen.jpg': {
		card: { name: '张三', idCard: '11010519491231002X', sex: '男', nation: '汉', birth: '1949/12/31', address: '北京市朝阳区建国路1号' },
		similarity: 90.1,
		warnings: { reshoot_warn: '-9103', copy_warn: '-9102' },
	},
};

/** A bank card: its issuer, and its holder (any check whose details all match answers 0, else -1). */
export interface SandboxBankCard {
	bankCard: string;
	bank: string;
	accountType: number;
	holder?: { name: string; idCard: string; phone: string };
	/** The code the holder checks answer whatever the details (a card's state), and the lookup, if it has one. */
	result?: string;
	lookup?: string;
}

export const SANDBOX_BANK_CARDS: readonly SandboxBankCard[] = [
	{ bankCard: '6222021234567890128', bank: '中国工商银行', accountType: 1, holder: { name: '张三', idCard: '11010519491231002X', phone: '13800138000' } },
	// A real kind of debit card number that fails the Luhn check: the provider answers it like any other.
	{ bankCard: '6217000010012345678', bank: '中国建设银行', accountType: 1, holder: { name: '欧阳娜娜', idCard: '440524188001010014', phone: '13900139000' } },
	{ bankCard: '4367421234567896', bank: '中国建设银行', accountType: 2, holder: { name: 'John Smith', idCard: '110101199001010015', phone: '18600186000' } },
	{ bankCard: '6259651234567890', bank: '招商银行', accountType: 4, holder: { name: '阿依古丽·买买提', idCard: '650102199003070013', phone: '15000150000' } },
	{ bankCard: '6230580000000000001', bank: '', accountType: 3, lookup: '-1', result: '-1' },
	...[-2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16, -17, -99].map(
		(code): SandboxBankCard => ({ bankCard: sandboxCardFor(code), bank: '', accountType: 1, result: String(code), lookup: ['-2', '-3'].includes(String(code)) ? String(code) : undefined }),
	),
];

/** The sandbox card whose holder checks all answer `code`: 62305800000000 and the code's digits, 19 in all. */
export function sandboxCardFor(code: number): string {
	return `62305800000000${String(Math.abs(code)).padStart(5, '0')}`;
}
