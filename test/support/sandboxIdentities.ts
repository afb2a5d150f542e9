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
