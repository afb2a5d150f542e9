/**
 * The provider's ten checks as the provider mock plays them, written from the provider's guides (docs/checks.md),
 * apart from the node's own tables: which fields each path reads and requires, which encryption form it takes,
 * which codes it bills, and how it answers the sandbox's identities, cards and photos. A test that compares what
 * the node says was billed with what this mock billed checks the node against the guides, not against itself.
 */
import type { SandboxIdCard } from './sandboxIdentities';
import {
	SANDBOX_BANK_CARDS,
	SANDBOX_ID_CARDS,
	SANDBOX_IDENTITIES,
	SANDBOX_MOBILE_STATES,
	SANDBOX_PHOTOS,
	SANDBOX_PORTRAIT_JPEG_BASE64,
} from './sandboxIdentities';

/** The plaintext fields of a request, by the provider's names. */
export type Fields = Record<string, string>;

/** What the mock answers: the result code, and the answer's other fields. */
export interface CheckAnswer {
	result: string;
	[field: string]: unknown;
}

export interface MockCheck {
	path: string;
	/** The fields it reads, by the provider's names, in the key's order. */
	fields: readonly string[];
	/** Groups of fields of which one must be complete (most checks: one group, every required field). */
	required: ReadonlyArray<readonly string[]>;
	/** `flat` (phone three elements, as the seed sends it), `list` (the specs' `encryption`), or none at all. */
	encryption: 'flat' | 'list' | 'none';
	/** The codes the guide bills. */
	billed: readonly string[];
	descriptions: Readonly<Record<string, string>>;
	/** The answer for a request's fields; `body` for settings such as the portrait check's `config`. */
	answer: (fields: Fields, body: Record<string, unknown>, resultFor?: (fields: Fields, path: string) => string | undefined) => CheckAnswer;
}

const PHONE_DESCRIPTIONS = {
	'0': '认证通过',
	'1': '认证未通过',
	'-1': '查无记录',
	'-2': '引擎未知错误',
	'-3': '服务繁忙',
	'-4': '姓名格式错误',
	'-5': '手机号格式错误',
	'-6': '今日查询次数超限',
};

const ID_CARD_DESCRIPTIONS = {
	'0': '姓名和身份证号一致',
	'-1': '姓名和身份证号不一致',
	'-2': '非法身份证号',
	'-3': '非法姓名',
	'-4': '证件库服务异常',
	'-5': '证件库中无此身份证记录',
	'-6': '权威比对系统升级中，请稍后再试',
	'-7': '认证次数超过当日限制',
};

const CARD_DESCRIPTIONS = {
	'0': '认证通过',
	'-1': '认证未通过',
	'-2': '姓名校验不通过',
	'-3': '银行卡号码有误',
	'-4': '持卡人信息有误',
	'-5': '未开通无卡支付',
	'-6': '此卡被没收',
	'-7': '无效卡号',
	'-8': '此卡无对应发卡行',
	'-9': '该卡未初始化或睡眠卡',
	'-10': '作弊卡、吞卡',
	'-11': '此卡已挂失',
	'-12': '该卡已过期',
	'-13': '受限制的卡',
	'-14': '密码错误次数超限',
	'-15': '发卡行不支持此交易',
	'-16': '验证中心服务繁忙',
	'-17': '验证次数超限，请次日重试',
};

const STATUS_DESCRIPTIONS = { '0': '成功', '-1': '未查询到结果', '-2': '手机号格式不正确', '-3': '验证中心服务繁忙' };

const LOOKUP_DESCRIPTIONS = { '0': '查询成功', '-1': '未查到信息', '-2': '验证中心服务繁忙', '-3': '银行卡不存在' };

/** Phone three and two elements: the sandbox person with this name and mobile, else by the mobile's owner. */
function byNameAndMobile(fields: Fields, mobile: string, idCard?: string): string {
	const exact = SANDBOX_IDENTITIES.find((p) => p.name === fields.name && p.phone === mobile && (idCard === undefined || p.idCard === idCard));
	if (exact) return exact.result;
	const samePerson = SANDBOX_IDENTITIES.find((p) => p.result === '0' && (idCard === undefined ? p.phone === mobile : p.idCard === idCard));
	return samePerson ? '1' : '-1';
}

/** ID card checks by name and number: the card's own code, a match for its holder, a mismatch for anyone else. */
function byIdCard(fields: Fields, validityMatters: boolean): string {
	const card: SandboxIdCard | undefined = SANDBOX_ID_CARDS.find((c) => c.idCard === fields.id_card);
	if (!card) return '-5';
	if (card.result) return card.result;
	const validity = validityMatters ? card.validity?.[0] === fields.validity_begin && card.validity?.[1] === fields.validity_end : true;
	return card.name === fields.name && validity ? '0' : '-1';
}

/** The sandbox photo a URL names (its last part), whatever the host. */
function photoAt(url: string): (typeof SANDBOX_PHOTOS)[string] | undefined {
	const file = url.split('?')[0].split('/').pop() ?? '';
	return Object.hasOwn(SANDBOX_PHOTOS, file) ? SANDBOX_PHOTOS[file] : undefined;
}

function bankCard(number: string) {
	return SANDBOX_BANK_CARDS.find((card) => card.bankCard === number);
}

/** Bank card two to four elements: the card's state, or whether every detail given matches its holder. */
function byCardHolder(fields: Fields): string {
	const card = bankCard(fields.bank_card);
	if (!card) return '-1';
	if (card.result) return card.result;
	const holder = card.holder!;
	const given: Array<[string | undefined, string]> = [
		[fields.name, holder.name],
		[fields.id_card, holder.idCard],
		[fields.phone, holder.phone],
	];
	return given.every(([value, own]) => value === undefined || value === own) ? '0' : '-1';
}

const describe = (descriptions: Readonly<Record<string, string>>, result: string) => descriptions[result] ?? `engine code ${result}`;

export const MOCK_CHECKS: readonly MockCheck[] = [
	{
		path: '/identity/phone/check-3e',
		fields: ['name', 'phone', 'id_card'],
		required: [['name', 'phone', 'id_card']],
		encryption: 'flat',
		billed: ['0', '1'],
		descriptions: PHONE_DESCRIPTIONS,
		answer: (fields, body, resultFor) => {
			const exact = SANDBOX_IDENTITIES.find((p) => p.name === fields.name && p.phone === fields.phone && p.idCard === fields.id_card);
			const samePerson = SANDBOX_IDENTITIES.find((p) => p.idCard === fields.id_card && p.result === '0');
			const result = exact ? exact.result : (resultFor?.(fields, '/identity/phone/check-3e') ?? (samePerson ? '1' : '-1'));
			let detail: string | null = null;
			if (result === '1' && body.verify_mode === '1') {
				detail = samePerson && samePerson.name !== fields.name ? 'PhoneNameMismatch' : 'PhoneIdCardMismatch';
			}
			return { result, description: describe(PHONE_DESCRIPTIONS, result), isp: exact?.isp ?? '', result_detail: detail };
		},
	},
	{
		path: '/identity/phone/check-2e',
		fields: ['name', 'mobile'],
		required: [['name', 'mobile']],
		encryption: 'list',
		billed: ['0', '1'],
		descriptions: PHONE_DESCRIPTIONS,
		answer: (fields, _body, resultFor) => {
			const result = resultFor?.(fields, '/identity/phone/check-2e') ?? byNameAndMobile(fields, fields.mobile);
			return { result, description: describe(PHONE_DESCRIPTIONS, result) };
		},
	},
	{
		path: '/identity/phone/check-1e',
		fields: ['mobile'],
		required: [['mobile']],
		encryption: 'list',
		billed: ['0'],
		descriptions: STATUS_DESCRIPTIONS,
		answer: (fields, _body, resultFor) => {
			const forced = resultFor?.(fields, '/identity/phone/check-1e');
			const state = SANDBOX_MOBILE_STATES[fields.mobile] ?? { result: forced ?? '-1', statusCode: forced === '0' ? 0 : undefined };
			// The guide's example sends the state as a number.
			const status = state.statusCode === undefined ? {} : { status_code: state.statusCode };
			return { result: state.result, description: describe(STATUS_DESCRIPTIONS, state.result), ...status };
		},
	},
	{
		path: '/identity/idcard/check-2e',
		fields: ['name', 'id_card', 'validity_begin', 'validity_end'],
		required: [['name', 'id_card', 'validity_begin', 'validity_end']],
		encryption: 'list',
		billed: ['0', '-1'],
		descriptions: ID_CARD_DESCRIPTIONS,
		answer: (fields, _body, resultFor) => {
			const result = resultFor?.(fields, '/identity/idcard/check-2e') ?? byIdCard(fields, true);
			return { result, description: describe(ID_CARD_DESCRIPTIONS, result) };
		},
	},
	{
		path: '/identity/idcard/ocr',
		fields: ['image_url', 'name', 'id_card'],
		required: [['image_url'], ['name', 'id_card']],
		encryption: 'list',
		billed: ['0', '-1'],
		descriptions: ID_CARD_DESCRIPTIONS,
		answer: (fields, _body, resultFor) => {
			// The engine reads a name and number when both are given, else the photo.
			const card = fields.name && fields.id_card ? undefined : photoAt(fields.image_url ?? '')?.card;
			const read = card ? { name: card.name, id_card: card.idCard } : { name: fields.name ?? '', id_card: fields.id_card ?? '' };
			const result = resultFor?.(fields, '/identity/idcard/ocr') ?? (read.id_card ? byIdCard(read, false) : '-2');
			return {
				result,
				description: describe(ID_CARD_DESCRIPTIONS, result),
				...read,
				sex: card?.sex ?? '',
				nation: card?.nation ?? '',
				birth: card?.birth ?? '',
				address: card?.address ?? '',
			};
		},
	},
	{
		path: '/identity/idcard/check-1e',
		fields: ['image_url'],
		required: [['image_url']],
		encryption: 'none',
		billed: ['Success'],
		descriptions: { Success: '成功' },
		answer: (fields, body) => {
			const photo = photoAt(fields.image_url);
			if (!photo?.card) return { result: 'FailedOperation.ImageDecodeFailed', description: '图片解码失败' };
			const asked = (body.config ?? {}) as Record<string, unknown>;
			const warnings = Object.entries(photo.warnings ?? {})
				.filter(([flag]) => asked[flag] === true)
				.map(([, code]) => code);
			const text = { name: photo.card.name, sex: photo.card.sex, nation: photo.card.nation, birth: photo.card.birth, address: photo.card.address, id_num: photo.card.idCard };
			if (warnings.length) {
				return { result: 'FailedOperation.OcrWarningOccurred', description: '告警', sim: 0, ...text, portrait: '', warnings: warnings.join('|'), quality: 0, encryption: null };
			}
			return { result: 'Success', description: '成功', sim: photo.similarity, ...text, portrait: SANDBOX_PORTRAIT_JPEG_BASE64, warnings: '', quality: 0, encryption: null };
		},
	},
	...[
		{ path: '/identity/bankcard/check-2e', fields: ['name', 'bank_card'] },
		{ path: '/identity/bankcard/check-3e', fields: ['name', 'bank_card', 'id_card'] },
		{ path: '/identity/bankcard/check-4e', fields: ['name', 'bank_card', 'id_card', 'phone'] },
	].map(
		({ path, fields }): MockCheck => ({
			path,
			fields,
			required: [fields],
			encryption: 'list',
			// The guide: the answer, and most refusals of the card or its holder, are billed.
			billed: ['0', '-1', '-4', '-5', '-6', '-7', '-8', '-9', '-10', '-11', '-12', '-13', '-14', '-15'],
			descriptions: CARD_DESCRIPTIONS,
			answer: (given, _body, resultFor) => {
				const result = resultFor?.(given, path) ?? byCardHolder(given);
				return { result, description: describe(CARD_DESCRIPTIONS, result) };
			},
		}),
	),
	{
		path: '/identity/bankcard/check-1e',
		fields: ['bank_card'],
		required: [['bank_card']],
		encryption: 'list',
		billed: ['0', '-1'],
		descriptions: LOOKUP_DESCRIPTIONS,
		answer: (fields, _body, resultFor) => {
			const card = bankCard(fields.bank_card);
			const result = resultFor?.(fields, '/identity/bankcard/check-1e') ?? (card ? (card.lookup ?? '0') : '-3');
			if (result !== '0') return { result, description: describe(LOOKUP_DESCRIPTIONS, result) };
			// The guide's example sends the type as a number.
			return { result, description: '查询成功', account_bank: card?.bank || '中国银行', account_type: card?.accountType ?? 1 };
		},
	},
];

export function mockCheckAt(path: string): MockCheck | undefined {
	return MOCK_CHECKS.find((check) => check.path === path);
}
