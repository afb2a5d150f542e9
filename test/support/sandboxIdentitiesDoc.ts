/**
 * CONTRIBUTING.md's tables of sandbox identities, written from what the sandbox answers: each input of
 * sandboxIdentities.ts sent through the provider mock's own answer (mockChecks.ts) and read by the node's result
 * tables (status, output, billed). test/package/docs.test.ts fails when the page holds anything else;
 *
 *   npx tsx test/support/sandboxIdentitiesDoc.ts    # rewrites the tables in CONTRIBUTING.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { CheckDefinition, CheckSettings } from '../../nodes/AceDataPhoneVerify/checks';
import { CHECKS, classify, DEFAULT_MIN_SIMILARITY, readAnswer } from '../../nodes/AceDataPhoneVerify/checks';
import { OUTPUT_NAMES, properties } from '../../nodes/AceDataPhoneVerify/description';
import { ROUTE_OUTPUT } from '../../nodes/AceDataPhoneVerify/output';
import { PHOTO_BASE } from './checkCases';
import type { Fields } from './mockChecks';
import { mockCheckAt } from './mockChecks';
import {
	SANDBOX_BANK_CARDS,
	SANDBOX_ERROR_PHONES,
	SANDBOX_ID_CARDS,
	SANDBOX_IDENTITIES,
	SANDBOX_MOBILE_STATES,
	SANDBOX_PHOTOS,
} from './sandboxIdentities';

export const CONTRIBUTING = join(__dirname, '..', '..', 'CONTRIBUTING.md');
const BEGIN = '<!-- The tables up to the end marker are written by `npx tsx test/support/sandboxIdentitiesDoc.ts`. -->';
const END = '<!-- End of the written tables. -->';

const SETTINGS: CheckSettings = { verifyMode: 'default', minSimilarity: DEFAULT_MIN_SIMILARITY, photoWarnings: {} };

const check = (id: string): CheckDefinition => CHECKS.find((c) => c.id === id)!;

/** What the node makes of the mock's answer to these fields: the answer, its status, its output, whether billed. */
function answered(id: string, fields: Fields, settings: CheckSettings = SETTINGS) {
	const definition = check(id);
	const body = definition.body?.(settings) ?? {};
	const answer = readAnswer(definition, mockCheckAt(definition.path)!.answer(fields, body));
	const { status, route, billable } = classify(definition, answer, settings);
	return { answer, status, cell: `\`${answer.result}\` ${status}, ${OUTPUT_NAMES[ROUTE_OUTPUT[route]]}${billable ? ', billed' : ''}` };
}

const outcome = (id: string, fields: Fields, settings?: CheckSettings) => answered(id, fields, settings).cell;

/** One cell for checks that should answer alike, naming each when they do not. */
function alike(cells: Record<string, string>): string {
	const distinct = new Set(Object.values(cells));
	return distinct.size === 1 ? [...distinct][0] : Object.entries(cells).map(([what, cell]) => `${what}: ${cell}`).join('; ');
}

function table(header: string[], rows: string[][]): string {
	return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

const ANY_OTHER_ID_CARD = '110101200001010018';
const ANY_OTHER_MOBILE = '13912345678';
const ANY_OTHER_CARD = '6212260000000000000';

function phoneSection(): string {
	const match = SANDBOX_IDENTITIES.find((p) => p.result === '0')!;
	const rows = SANDBOX_IDENTITIES.map((p) => [
		p.name,
		p.phone,
		p.idCard,
		alike({
			'three elements': outcome('phone.threeElements', { name: p.name, phone: p.phone, id_card: p.idCard }),
			'two elements': outcome('phone.twoElements', { name: p.name, mobile: p.phone }),
		}),
	]);
	const states = Object.entries(SANDBOX_MOBILE_STATES).map(([mobile, state]) => {
		const { answer, cell } = answered('phone.status', { mobile });
		return [mobile, state.statusCode === undefined ? '' : `${answer.fields.statusCode} ${answer.fields.statusName}`, cell];
	});
	return [
		'### Phone: three elements and two elements',
		'',
		table(['name', 'mobile', 'ID number', 'answer (three elements; two elements, without the ID number)'], rows),
		'',
		`Another name with the ID number of a match (three elements) or its mobile (two elements): ${alike({
			'three elements': outcome('phone.threeElements', { name: '某人', phone: match.phone, id_card: match.idCard }),
			'two elements': outcome('phone.twoElements', { name: '某人', mobile: match.phone }),
		})}; anything else ${outcome('phone.threeElements', { name: '某人', phone: ANY_OTHER_MOBILE, id_card: ANY_OTHER_ID_CARD })}.`,
		'',
		'### Phone: status',
		'',
		table(['mobile', 'statusCode', 'answer'], states),
		'',
		`Any other mobile: ${outcome('phone.status', { mobile: ANY_OTHER_MOBILE })}.`,
	].join('\n');
}

function idCardSection(): string {
	const rows = SANDBOX_ID_CARDS.map((card) => {
		const validity = card.validity ?? ['20200101', '20300101'];
		const fields = { name: card.name ?? '某人', id_card: card.idCard, validity_begin: validity[0], validity_end: validity[1] };
		return [card.name ?? 'any', card.idCard, card.validity ? `${validity[0]} – ${validity[1]}` : 'any', outcome('idCard.twoElements', fields)];
	});
	const holder = SANDBOX_ID_CARDS.find((card) => card.name)!;
	const [begin, end] = holder.validity!;
	return [
		'### ID card: two elements (name, ID number, validity)',
		'',
		table(['name', 'ID number', 'validity', 'answer'], rows),
		'',
		`A holder's card with another name: ${outcome('idCard.twoElements', { name: '某人', id_card: holder.idCard, validity_begin: begin, validity_end: end })}; ` +
			`with another validity: ${outcome('idCard.twoElements', { name: holder.name!, id_card: holder.idCard, validity_begin: '20200101', validity_end: end })}; ` +
			`any other number: ${outcome('idCard.twoElements', { name: '某人', id_card: ANY_OTHER_ID_CARD, validity_begin: begin, validity_end: end })}. ` +
			'The OCR given a name and an ID number instead of a photo answers as this table, validity aside.',
	].join('\n');
}

function photoSection(): string {
	const warningOptions = (properties.find((p) => p.name === 'photoWarnings')?.options ?? []) as Array<{ name: string; displayName: string; type: string }>;
	const rows = Object.entries(SANDBOX_PHOTOS).map(([file, photo]) => {
		const image_url = `${PHOTO_BASE}/${file}`;
		const portrait = answered('idCard.portrait', { image_url });
		const warned = warningOptions
			.filter((option) => option.type === 'boolean')
			.map((option) => ({ option, outcome: answered('idCard.portrait', { image_url }, { ...SETTINGS, photoWarnings: { [option.name]: true } }) }))
			.filter(({ outcome }) => outcome.status !== portrait.status);
		const warnings = warned.map(({ option, outcome }) => `*${option.displayName}*: ${outcome.cell} (${(outcome.answer.fields.warnings as string[]).join(', ')})`);
		return [
			`\`${file}\``,
			photo.card ? `${photo.card.name}, ${photo.card.idCard}` : '',
			outcome('idCard.ocr', { image_url }),
			[`${portrait.answer.fields.similarity}: ${portrait.cell}`, ...warnings.map((w) => `with ${w}`)].join('; '),
		];
	});
	return [
		'### ID card: photos (OCR, portrait)',
		'',
		`Found by file name on any host, e.g. \`${PHOTO_BASE}/${Object.keys(SANDBOX_PHOTOS)[0]}\`. The portrait check compares with the`,
		`default *Minimum Similarity*, ${DEFAULT_MIN_SIMILARITY}; a warning answers only when it is turned on in *Photo Warnings*.`,
		'',
		table(['photo', 'the card reads', 'OCR', 'portrait: similarity, answer'], rows),
		'',
		`Any other file: OCR ${outcome('idCard.ocr', { image_url: `${PHOTO_BASE}/not-a-sandbox-photo.jpg` })}; portrait ${outcome('idCard.portrait', { image_url: `${PHOTO_BASE}/not-a-sandbox-photo.jpg` })}.`,
	].join('\n');
}

function bankCardSection(): string {
	const holderChecks = (bankCard: string, holder: { name: string; idCard: string; phone: string }) =>
		alike({
			'four elements': outcome('bankCard.fourElements', { name: holder.name, bank_card: bankCard, id_card: holder.idCard, phone: holder.phone }),
			'three elements': outcome('bankCard.threeElements', { name: holder.name, bank_card: bankCard, id_card: holder.idCard }),
			'two elements': outcome('bankCard.twoElements', { name: holder.name, bank_card: bankCard }),
		});
	const lookup = (bankCard: string) => {
		const { answer, cell } = answered('bankCard.lookup', { bank_card: bankCard });
		return answer.fields.accountBank ? `${cell} (${answer.fields.accountBank}, ${answer.fields.accountTypeName})` : cell;
	};
	const owned = SANDBOX_BANK_CARDS.filter((card) => card.holder);
	const states = SANDBOX_BANK_CARDS.filter((card) => !card.holder);
	const someone = SANDBOX_IDENTITIES.find((p) => p.result === '1')!;
	const other = { name: someone.name, idCard: someone.idCard, phone: someone.phone };
	return [
		'### Bank cards: two, three and four elements, issuing bank',
		'',
		table(
			['card', 'holder: name, ID number, mobile', 'two, three, four elements with the holder’s details', 'issuing bank'],
			owned.map(({ bankCard, holder }) => [bankCard, `${holder!.name}, ${holder!.idCard}, ${holder!.phone}`, holderChecks(bankCard, holder!), lookup(bankCard)]),
		),
		'',
		`With another holder's details: ${holderChecks(owned[0].bankCard, other)}. Any other card: ${holderChecks(ANY_OTHER_CARD, other)}; issuing bank ${lookup(ANY_OTHER_CARD)}.`,
		'',
		'Cards in a state (62305800000000 and a code’s digits, 19 in all) answer that code to the two, three and four',
		'elements checks, whatever the details:',
		'',
		table(
			['card', 'two, three, four elements (any details)', 'issuing bank'],
			states.map(({ bankCard }) => [bankCard, holderChecks(bankCard, other), lookup(bankCard)]),
		),
	].join('\n');
}

function errorSection(): string {
	const rows = Object.entries(SANDBOX_ERROR_PHONES).map(([mobile, error]) => {
		let answer = `\`${error.code}\``;
		if (error.body !== undefined) {
			const parsed = (() => {
				try {
					return JSON.parse(error.body) as unknown;
				} catch {
					return undefined;
				}
			})();
			answer = parsed === undefined ? 'not JSON' : 'JSON without a result';
		}
		return [mobile, String(error.status), answer];
	});
	const [example] = Object.keys(SANDBOX_ERROR_PHONES).filter((mobile) => SANDBOX_ERROR_PHONES[mobile].status === 500);
	return [
		'### HTTP errors (the checks that take a mobile, a bank card or a photo)',
		'',
		table(['mobile', 'HTTP status', 'answer'], rows),
		'',
		`The same error for a bank card that starts with one of these (\`${example.padEnd(19, '0')}\`) and a photo named \`error-\` and`,
		`its last four digits (\`${PHOTO_BASE}/error-${example.slice(7)}.jpg\`).`,
	].join('\n');
}

/** The tables, as CONTRIBUTING.md holds them between its markers. */
export function sandboxIdentitiesTables(): string {
	return [BEGIN, phoneSection(), idCardSection(), photoSection(), bankCardSection(), errorSection(), END].join('\n\n');
}

/** What CONTRIBUTING.md holds from the start marker to the end marker (empty without them). */
export function writtenTables(page: string): string {
	const begin = page.indexOf(BEGIN);
	const end = page.indexOf(END);
	return begin === -1 || end === -1 ? '' : page.slice(begin, end + END.length);
}

if (require.main === module) {
	const page = readFileSync(CONTRIBUTING, 'utf8');
	const written = writtenTables(page);
	if (!written) throw new Error(`CONTRIBUTING.md has no markers:\n${BEGIN}\n${END}`);
	writeFileSync(CONTRIBUTING, page.replace(written, sandboxIdentitiesTables()));
}
