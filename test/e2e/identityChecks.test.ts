/**
 * The ten identity checks of version 3 in a real n8n (N8N_VERSION) with the packed package, against the provider
 * mock on 127.0.0.1. One workflow per check (Webhook → Code → Verify, most with Route by Result), all published in
 * one `n8n start` and each run by a call to its webhook. Each check gets a sandbox item it matches, one it refuses
 * and one it cannot verify (the phone status one more); the test reads the execution n8n saved and judges every
 * item against what the mock received and billed, and against the contract's keys (test/support/contract.ts).
 */
import { isDeepStrictEqual } from 'node:util';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { CheckCase, Route } from '../support/checkCases';
import { CHECK_CASES, PHOTO_BASE } from '../support/checkCases';
import { FAMILY_ANSWER_KEYS, FAMILY_OUTPUT_KEYS } from '../support/contract';
import type { MockProvider } from '../support/mockProvider';
import { startMockProvider } from '../support/mockProvider';
import { SANDBOX_IDENTITIES, SANDBOX_PORTRAIT_JPEG_BASE64, sandboxCardFor } from '../support/sandboxIdentities';
import type { SavedExecution } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, itemsByInput, N8N_VERSION, N8nInstance, outputEntries } from './n8n';
import { PublishedWorkflows } from './publishedWorkflows';
import { code, routeEnds, verifyCheck, webhook, workflow } from './workflows';

/** An item of a check's workflow: what the provider must receive for it, and what the node must make of it. */
interface Expected {
	item: IDataObject;
	/** The request body: the provider's field names, the values normalised. */
	body: Record<string, unknown>;
	status: string;
	route: Route;
	/** Some of the check's own answer fields, as the item must show them. */
	answer?: IDataObject;
	/** Whether the item carries the cropped portrait in its binary data. */
	portrait?: boolean;
}

interface CheckWorkflow {
	/** Route by Result: on for most checks; the others show the single output keeps the input's order. */
	routed: boolean;
	/** The check's own answer keys (the contract's: `null` on every other check). */
	own: string[];
	more?: INodeParameters;
	items: Expected[];
}

const person = (name: string) => SANDBOX_IDENTITIES.find((p) => p.name === name)!;
const LI = person('李四');
const WANG = person('王五');
const photo = (file: string) => `${PHOTO_BASE}/${file}`;
const OCR_KEYS = ['ocrName', 'ocrIdCard', 'ocrSex', 'ocrNation', 'ocrBirth', 'ocrAddress'];
const ZHANG_SAN_CARD_TEXT = {
	ocrName: '张三',
	ocrIdCard: '11010519491231002X',
	ocrSex: '男',
	ocrNation: '汉',
	ocrBirth: '1949/12/31',
	ocrAddress: '北京市朝阳区建国路1号',
};

/** A bank card check's sandbox item with the card swapped for one whose every holder check answers `code`. */
const cardInState = (c: CheckCase, code: number, status: string, route: Route): Expected => ({
	item: { ...c.match, bankCard: sandboxCardFor(code) },
	body: { ...c.body, bank_card: sandboxCardFor(code) },
	status,
	route,
});

/** Bank card two to four elements: the holder's own card, a card in a state the provider refuses, one it cannot verify. */
function cardHolderWorkflow(routed: boolean, [refused, refusedStatus]: [number, string], [unverified, unverifiedStatus]: [number, string]) {
	return (c: CheckCase): CheckWorkflow => ({
		routed,
		own: [],
		items: [
			{ item: c.match, body: c.body, status: 'match', route: 'match' },
			cardInState(c, refused, refusedStatus, 'mismatch'),
			cardInState(c, unverified, unverifiedStatus, 'notVerified'),
		],
	});
}

/** Each check's workflow, by the check's id: its sandbox items and their statuses and routes as docs/checks.md gives them. */
const WORKFLOWS: Record<string, (c: CheckCase) => CheckWorkflow> = {
	'phone.threeElements': (c) => ({
		routed: false,
		own: ['isp', 'resultDetail'],
		items: [
			{ item: c.match, body: c.body, status: 'match', route: 'match', answer: { isp: '移动', resultDetail: null } },
			{ item: { ...LI }, body: { name: LI.name, phone: LI.phone, id_card: LI.idCard }, status: 'mismatch', route: 'mismatch', answer: { isp: '移动' } },
			{ item: { ...WANG }, body: { name: WANG.name, phone: WANG.phone, id_card: WANG.idCard }, status: 'no_record', route: 'notVerified', answer: { isp: null } },
		],
	}),
	'phone.twoElements': (c) => ({
		routed: true,
		own: [],
		items: [
			{ item: c.match, body: c.body, status: 'match', route: 'match' },
			{ item: { name: LI.name, phone: LI.phone }, body: { name: LI.name, mobile: LI.phone }, status: 'mismatch', route: 'mismatch' },
			{ item: { name: WANG.name, phone: WANG.phone }, body: { name: WANG.name, mobile: WANG.phone }, status: 'no_record', route: 'notVerified' },
		],
	}),
	'phone.status': (c) => ({
		routed: true,
		own: ['statusCode', 'statusName'],
		items: [
			{ item: c.match, body: c.body, status: 'in_service', route: 'match', answer: { statusCode: 0, statusName: 'normal' } },
			{ item: { phone: '13700137000' }, body: { mobile: '13700137000' }, status: 'not_in_service', route: 'mismatch', answer: { statusCode: 1, statusName: 'suspended' } },
			{ item: { phone: '13300133000' }, body: { mobile: '13300133000' }, status: 'status_unknown', route: 'notVerified', answer: { statusCode: 99, statusName: 'unknown' } },
			{ item: { phone: '13200132000' }, body: { mobile: '13200132000' }, status: 'no_result', route: 'notVerified', answer: { statusCode: null, statusName: null } },
		],
	}),
	'idCard.twoElements': (c) => ({
		routed: false,
		own: [],
		items: [
			{ item: c.match, body: c.body, status: 'match', route: 'match' },
			{ item: { ...c.match, name: LI.name }, body: { ...c.body, name: LI.name }, status: 'mismatch', route: 'mismatch' },
			{
				item: { name: WANG.name, idCard: WANG.idCard, validityBegin: '2020-01-01', validityEnd: '2040.01.01' },
				body: { name: WANG.name, id_card: WANG.idCard, validity_begin: '20200101', validity_end: '20400101' },
				status: 'no_record',
				route: 'notVerified',
			},
		],
	}),
	'idCard.ocr': (c) => ({
		routed: true,
		own: OCR_KEYS,
		items: [
			{ item: c.match, body: c.body, status: 'match', route: 'match', answer: ZHANG_SAN_CARD_TEXT },
			// The photo reads 李四 with 张三's number.
			{ item: { imageUrl: photo('li-si.jpg') }, body: { image_url: photo('li-si.jpg') }, status: 'mismatch', route: 'mismatch', answer: { ocrName: '李四', ocrIdCard: '11010519491231002X' } },
			{ item: { imageUrl: photo('wang-wu.jpg') }, body: { image_url: photo('wang-wu.jpg') }, status: 'no_record', route: 'notVerified', answer: { ocrName: '王五', ocrIdCard: WANG.idCard } },
		],
	}),
	'idCard.portrait': (c) => {
		// Asked for on the node, the warning goes with every photo's request.
		const body = (file: string) => ({ image_url: photo(file), config: { reshoot_warn: true } });
		return {
			routed: true,
			own: ['similarity', 'warnings', 'quality', ...OCR_KEYS],
			more: { photoWarnings: { reshootWarn: true } },
			items: [
				{ item: c.match, body: body('zhang-san.jpg'), status: 'match', route: 'match', answer: { similarity: 92.4, warnings: [], quality: 0, ...ZHANG_SAN_CARD_TEXT }, portrait: true },
				{ item: { imageUrl: photo('someone-else.jpg') }, body: body('someone-else.jpg'), status: 'mismatch', route: 'mismatch', answer: { similarity: 31.2 }, portrait: true },
				{ item: { imageUrl: photo('photo-of-screen.jpg') }, body: body('photo-of-screen.jpg'), status: 'photo_warning', route: 'notVerified', answer: { warnings: ['screen_reshoot'] } },
			],
		};
	},
	'bankCard.fourElements': cardHolderWorkflow(true, [-11, 'card_reported_lost'], [-16, 'service_busy']),
	'bankCard.threeElements': cardHolderWorkflow(false, [-12, 'card_expired'], [-2, 'name_invalid']),
	'bankCard.twoElements': cardHolderWorkflow(true, [-13, 'card_restricted'], [-17, 'daily_limit']),
	'bankCard.lookup': (c) => ({
		routed: true,
		own: ['accountBank', 'accountType', 'accountTypeName'],
		items: [
			{ item: c.match, body: c.body, status: 'found', route: 'match', answer: { accountBank: '中国工商银行', accountType: 1, accountTypeName: 'debit' } },
			{ item: { bankCard: sandboxCardFor(-3) }, body: { bank_card: sandboxCardFor(-3) }, status: 'card_not_found', route: 'mismatch', answer: { accountBank: null, accountType: null } },
			// A billed answer that verifies nothing.
			{ item: { bankCard: '6230580000000000001' }, body: { bank_card: '6230580000000000001' }, status: 'no_information', route: 'notVerified' },
		],
	}),
};

const ROUTES: Route[] = ['match', 'mismatch', 'notVerified'];

const CHECKS = CHECK_CASES.map((check, index) => {
	const slug = String(index).padStart(4, '0');
	return {
		check,
		...WORKFLOWS[check.id](check),
		token: `e2e-family-token-${check.id}`,
		credential: { id: `e2eFamilyCr${slug}`, name: `Ace Data (mock, ${check.id})` },
		workflowId: `e2eFamilyWf${slug}`,
	};
});
type Check = (typeof CHECKS)[number];

function checkWorkflow(c: Check) {
	const verify = verifyCheck('Verify', c.credential, c.check, { routeByResult: c.routed, ...c.more });
	const routes = c.routed ? routeEnds('Verify') : { nodes: [], edges: [] };
	return workflow(
		c.workflowId,
		`E2E: ${c.check.id}`,
		[webhook('Webhook', `e2e-family-${c.check.id.replace('.', '-')}`, 'lastNode'), code('Items', c.items.map((e) => e.item)), verify, ...routes.nodes],
		[['Webhook', 'Items'], ['Items', 'Verify'], ...routes.edges],
	);
}

let provider: MockProvider;
let n8n: N8nInstance;
let published: PublishedWorkflows | undefined;
const executions = new Map<string, SavedExecution>();

beforeAll(async () => {
	ensureN8n();
	provider = await startMockProvider({ tokens: Object.fromEntries(CHECKS.map((c) => [c.token, 'ok'])) });
	n8n = N8nInstance.create();
	await n8n.importCredentials(CHECKS.map((c) => ({ ...c.credential, type: CREDENTIAL_TYPE, data: { apiToken: c.token, baseUrl: provider.url } })));
	const workflows = CHECKS.map(checkWorkflow);
	published = await PublishedWorkflows.start(n8n, workflows);
	for (const [index, c] of CHECKS.entries()) executions.set(c.check.id, await published.run(workflows[index]));
}, 30 * 60_000);

afterAll(async () => {
	await published?.stop();
	await provider?.close();
	n8n?.remove();
});

/** The Verify node's items in a check's saved execution, in input order, each with its route (when routed). */
const verifyItems = (c: Check) =>
	itemsByInput(executions.get(c.check.id)!, 'Verify').map((entry) => ({
		json: entry.json,
		binary: entry.binary,
		route: c.routed ? ROUTES[entry.output] : undefined,
		expected: c.items[entry.input],
	}));

const requestsOf = (c: Check) => provider.requests.filter((r) => r.authorization === `Bearer ${c.token}`);
const sortedBodies = (bodies: unknown[]) => bodies.map((body) => JSON.stringify(body)).sort();

describe.each(CHECKS)(`n8n ${N8N_VERSION}: $check.id in its own workflow`, (c) => {
	test('the execution succeeds, one output item per input item', () => {
		expect(executions.get(c.check.id)?.status).toBe('success');
		expect(verifyItems(c)).toHaveLength(c.items.length);
	});

	test(`each request reaches ${c.check.path} with the provider's field names, the values normalised`, () => {
		const requests = requestsOf(c);
		expect(requests.map((r) => r.path)).toEqual(c.items.map(() => c.check.path));
		expect(sortedBodies(requests.map((r) => r.body))).toEqual(sortedBodies(c.items.map((e) => e.body)));
	});

	test('each item gets its status and route; billable is what the mock billed', () => {
		const items = verifyItems(c);
		for (const { json, route, expected } of items) {
			const request = requestsOf(c).find((r) => isDeepStrictEqual(r.body, expected.body));
			const label = JSON.stringify(expected.item);
			expect([label, json.status, json.matched, route]).toEqual([label, expected.status, expected.route === 'match', c.routed ? expected.route : undefined]);
			expect([label, json.billable, json.cached, json.attempts]).toEqual([label, request?.billed, false, 1]);
		}
		// Unrouted, the one output keeps the input's order.
		if (!c.routed) expect(outputEntries(executions.get(c.check.id)!, 'Verify').map((entry) => entry.pairedItem)).toEqual(c.items.map((_, item) => ({ item })));
		// The sandbox gives each check billed and unbilled answers: billable cannot pass by being always the same.
		expect(new Set(items.map((i) => i.json.billable))).toEqual(new Set([true, false]));
	});

	test("every item has the version-3 keys in order: the check's own answer fields filled, the other checks' null", () => {
		const others = FAMILY_ANSWER_KEYS.filter((key) => !c.own.includes(key));
		for (const { json, expected } of verifyItems(c)) {
			expect(Object.keys(json)).toEqual(FAMILY_OUTPUT_KEYS);
			expect(json).toMatchObject({ ...expected.answer, ...Object.fromEntries(others.map((key) => [key, null])) });
		}
	});

	test('the cropped portrait is binary data (a JPEG) where the check compared a photo, and nowhere else', () => {
		for (const { json, binary, expected } of verifyItems(c)) {
			if (!expected.portrait) {
				expect([json.status, binary]).toEqual([json.status, undefined]);
				continue;
			}
			const portrait = binary?.portrait;
			expect(portrait).toMatchObject({ mimeType: 'image/jpeg', fileName: 'portrait.jpg' });
			expect(n8n.savedBinaryBytes(portrait!).toString('base64')).toBe(SANDBOX_PORTRAIT_JPEG_BASE64);
		}
	});
});
