/**
 * The ten checks as tests meet them: the panel's values, a sandbox item each check answers with a match (and the
 * body the provider must receive for it), distinct valid items for batches, and what docs/checks.md says each result
 * code means — written out from the docs, so that a test holds the node to the contract, not to its own table.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { generateIdentities } from './identities';
import { seededRandom } from './mockProvider';
import { SANDBOX_BANK_CARDS } from './sandboxIdentities';

/** Every field the node may take, read from the item by expression, the way users map them. */
export const FIELDS_FROM_ITEM: INodeParameters = {
	name: '={{ $json.name }}',
	phone: '={{ $json.phone }}',
	idCard: '={{ $json.idCard }}',
	bankCard: '={{ $json.bankCard }}',
	validityBegin: '={{ $json.validityBegin }}',
	validityEnd: '={{ $json.validityEnd }}',
	imageUrl: '={{ $json.imageUrl }}',
};

/** Where the sandbox photos are (any host will do: the provider mock reads the file's name). */
export const PHOTO_BASE = 'https://example.com/sandbox/idcard';

const ZHANG_SAN = { name: '张三', phone: '13800138000', idCard: '11010519491231002X' };
const ZHANG_SAN_CARD = SANDBOX_BANK_CARDS[0].bankCard;

export type Route = 'match' | 'mismatch' | 'notVerified';

export interface CheckCase {
	/** `resource.operation`, as docs/checks.md names the check. */
	id: string;
	resource: string;
	operation: string;
	path: string;
	/** A sandbox item the check answers with its match (code 0, or Success above the similarity). */
	match: IDataObject;
	/** The body the provider receives for `match`: the provider's names, normalised values. */
	body: Record<string, unknown>;
	/** The field whose value tells generated items apart (and the mock's `resultFor` decides by). */
	decidingField: string;
	/** What docs/checks.md gives each code: status, route, billed. */
	codes: Record<string, { status: string; route: Route; billed: boolean }>;
}

const code = (status: string, route: Route, billed: boolean) => ({ status, route, billed });

const NAME_AND_MOBILE_CODES = {
	'0': code('match', 'match', true),
	'1': code('mismatch', 'mismatch', true),
	'-1': code('no_record', 'notVerified', false),
	'-2': code('engine_error', 'notVerified', false),
	'-3': code('service_error', 'notVerified', false),
	'-4': code('name_invalid', 'notVerified', false),
	'-5': code('phone_invalid', 'notVerified', false),
	'-6': code('daily_limit', 'notVerified', false),
};

const ID_CARD_CODES = {
	'0': code('match', 'match', true),
	'-1': code('mismatch', 'mismatch', true),
	'-2': code('id_card_invalid', 'notVerified', false),
	'-3': code('name_invalid', 'notVerified', false),
	'-4': code('database_error', 'notVerified', false),
	'-5': code('no_record', 'notVerified', false),
	'-6': code('system_upgrading', 'notVerified', false),
	'-7': code('daily_limit', 'notVerified', false),
};

const CARD_HOLDER_CODES = {
	'0': code('match', 'match', true),
	'-1': code('mismatch', 'mismatch', true),
	'-2': code('name_invalid', 'notVerified', false),
	'-3': code('card_number_wrong', 'notVerified', false),
	'-4': code('holder_info_wrong', 'mismatch', true),
	'-5': code('no_card_not_present_payment', 'mismatch', true),
	'-6': code('card_confiscated', 'mismatch', true),
	'-7': code('card_number_invalid', 'mismatch', true),
	'-8': code('no_issuing_bank', 'mismatch', true),
	'-9': code('card_dormant', 'mismatch', true),
	'-10': code('card_fraudulent', 'mismatch', true),
	'-11': code('card_reported_lost', 'mismatch', true),
	'-12': code('card_expired', 'mismatch', true),
	'-13': code('card_restricted', 'mismatch', true),
	'-14': code('password_attempts_exceeded', 'mismatch', true),
	'-15': code('transaction_not_supported', 'mismatch', true),
	'-16': code('service_busy', 'notVerified', false),
	'-17': code('daily_limit', 'notVerified', false),
};

const cardCase = (operation: string, path: string, fields: string[]): CheckCase => {
	const all: IDataObject = { name: ZHANG_SAN.name, bankCard: '6222 0212 3456 7890 128', idCard: ZHANG_SAN.idCard, phone: '+86 138-0013-8000' };
	const api: Record<string, [string, unknown]> = {
		name: ['name', ZHANG_SAN.name],
		bankCard: ['bank_card', ZHANG_SAN_CARD],
		idCard: ['id_card', ZHANG_SAN.idCard],
		phone: ['phone', ZHANG_SAN.phone],
	};
	return {
		id: `bankCard.${operation}`,
		resource: 'bankCard',
		operation,
		path,
		match: Object.fromEntries(fields.map((field) => [field, all[field]])),
		body: Object.fromEntries(fields.map((field) => api[field])),
		decidingField: 'bank_card',
		codes: CARD_HOLDER_CODES,
	};
};

export const CHECK_CASES: readonly CheckCase[] = [
	{
		id: 'phone.threeElements',
		resource: 'phone',
		operation: 'threeElements',
		path: '/identity/phone/check-3e',
		match: ZHANG_SAN,
		body: { name: '张三', phone: '13800138000', id_card: '11010519491231002X' },
		decidingField: 'phone',
		codes: NAME_AND_MOBILE_CODES,
	},
	{
		id: 'phone.twoElements',
		resource: 'phone',
		operation: 'twoElements',
		path: '/identity/phone/check-2e',
		match: { name: '张三', phone: '138 0013 8000' },
		body: { name: '张三', mobile: '13800138000' },
		decidingField: 'mobile',
		codes: NAME_AND_MOBILE_CODES,
	},
	{
		id: 'phone.status',
		resource: 'phone',
		operation: 'status',
		path: '/identity/phone/check-1e',
		match: { phone: '13800138000' },
		body: { mobile: '13800138000' },
		decidingField: 'mobile',
		codes: {
			// A number the provider found: the mobile's state decides (statusCode 0 here).
			'0': code('in_service', 'match', true),
			'-1': code('no_result', 'notVerified', false),
			'-2': code('phone_invalid', 'notVerified', false),
			'-3': code('service_busy', 'notVerified', false),
		},
	},
	{
		id: 'idCard.twoElements',
		resource: 'idCard',
		operation: 'twoElements',
		path: '/identity/idcard/check-2e',
		match: { name: '张三', idCard: '11010519491231002x', validityBegin: '2015-01-01', validityEnd: '长期' },
		body: { name: '张三', id_card: '11010519491231002X', validity_begin: '20150101', validity_end: '00000000' },
		decidingField: 'id_card',
		codes: ID_CARD_CODES,
	},
	{
		id: 'idCard.ocr',
		resource: 'idCard',
		operation: 'ocr',
		path: '/identity/idcard/ocr',
		match: { imageUrl: `${PHOTO_BASE}/zhang-san.jpg` },
		body: { image_url: `${PHOTO_BASE}/zhang-san.jpg` },
		decidingField: 'id_card',
		codes: ID_CARD_CODES,
	},
	{
		id: 'idCard.portrait',
		resource: 'idCard',
		operation: 'portrait',
		path: '/identity/idcard/check-1e',
		match: { imageUrl: `${PHOTO_BASE}/zhang-san.jpg` },
		body: { image_url: `${PHOTO_BASE}/zhang-san.jpg` },
		decidingField: 'image_url',
		codes: {
			// Compared: the similarity decides (92.4 here, above the default 70).
			Success: code('match', 'match', true),
			'FailedOperation.OcrWarningOccurred': code('photo_warning', 'notVerified', false),
		},
	},
	cardCase('fourElements', '/identity/bankcard/check-4e', ['name', 'bankCard', 'idCard', 'phone']),
	cardCase('threeElements', '/identity/bankcard/check-3e', ['name', 'bankCard', 'idCard']),
	cardCase('twoElements', '/identity/bankcard/check-2e', ['name', 'bankCard']),
	{
		id: 'bankCard.lookup',
		resource: 'bankCard',
		operation: 'lookup',
		path: '/identity/bankcard/check-1e',
		match: { bankCard: ZHANG_SAN_CARD },
		body: { bank_card: ZHANG_SAN_CARD },
		decidingField: 'bank_card',
		codes: {
			'0': code('found', 'match', true),
			'-1': code('no_information', 'notVerified', true),
			'-2': code('service_busy', 'notVerified', false),
			'-3': code('card_not_found', 'mismatch', false),
		},
	},
];

export function checkCase(id: string): CheckCase {
	const found = CHECK_CASES.find((c) => c.id === id);
	if (!found) throw new Error(`no check case ${id}`);
	return found;
}

/** The node's parameters for a check: its resource and operation, every field read from the item. */
export function checkParameters(c: CheckCase, more: INodeParameters = {}): INodeParameters {
	return { resource: c.resource, operation: c.operation, ...FIELDS_FROM_ITEM, options: {}, ...more };
}

/** A bank card number of `length` digits starting 6228, none the sandbox's. */
function generatedCard(random: () => number, length: number): string {
	return `6228${Array.from({ length: length - 4 }, () => Math.floor(random() * 10)).join('')}`;
}

/**
 * `count` distinct valid items for a check (distinct in its deciding field), none the sandbox's: generated people,
 * bank cards of 16 to 19 digits, validity periods, photo URLs.
 */
export function distinctItems(c: CheckCase, count: number, seed = 1): IDataObject[] {
	const random = seededRandom(seed * 7919);
	const cards = new Set<string>();
	return generateIdentities(count, seed).map((person, index) => {
		let bankCard = generatedCard(random, 16 + (index % 4));
		while (cards.has(bankCard)) bankCard = generatedCard(random, 16 + (index % 4));
		cards.add(bankCard);
		const item: IDataObject = {
			...person,
			bankCard,
			validityBegin: '20200101',
			validityEnd: index % 3 === 0 ? '00000000' : '20400101',
			imageUrl: `${PHOTO_BASE}/generated-${seed}-${index}.jpg`,
		};
		// The OCR is verified by name and number (no photo), so that the ID number tells its items apart.
		if (c.id === 'idCard.ocr') delete item.imageUrl;
		return item;
	});
}

/** The value of a generated item's deciding field, as the provider receives it. */
export function decidingValue(c: CheckCase, item: IDataObject): string {
	const node = { phone: 'phone', mobile: 'phone', id_card: 'idCard', bank_card: 'bankCard', image_url: 'imageUrl' }[c.decidingField]!;
	return String(item[node]);
}

/** For the mock's `resultFor`: the code of the item whose deciding field has this value. */
export function resultsByDecidingField(c: CheckCase, codes: ReadonlyMap<string, string>) {
	return (fields: Record<string, string>) => codes.get(fields[c.decidingField]);
}
