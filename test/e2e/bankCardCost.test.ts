/**
 * What a bank card run costs in a real n8n (N8N_VERSION) with the packed package, where most refusals are billed:
 * three workflows on bank card four elements, published in one `n8n start`, each with its own token so that the
 * provider mock's bills tell them apart.
 *
 * - Retry On Fail: the provider fails one card with HTTP 500, so n8n runs the node again (Max Tries 3); the other
 *   people, some of them twice, are billed once each.
 * - Loop Over Items in batches of 2, people coming again in later batches: billed once each.
 * - Max Billed Calls: distinct people whose cards the provider mostly refuses, and bills: it bills exactly the cap,
 *   the people left unsent are budget_reached on Not Verified.
 * What the mock billed is also what the saved execution's custom data says (billedCalls).
 */
import { isDeepStrictEqual } from 'node:util';

import type { IDataObject } from 'n8n-workflow';

import { checkCase } from '../support/checkCases';
import { generateIdentities } from '../support/identities';
import type { MockProvider } from '../support/mockProvider';
import { startMockProvider } from '../support/mockProvider';
import { SANDBOX_BANK_CARDS, sandboxCardFor } from '../support/sandboxIdentities';
import { total } from './expected';
import type { SavedExecution } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, itemsByInput, N8N_VERSION, N8nInstance, outputItems } from './n8n';
import { PublishedWorkflows } from './publishedWorkflows';
import { code, loopOverItems, noOp, routeEnds, verifyCheck, webhook, workflow } from './workflows';

const FOUR_ELEMENTS = checkCase('bankCard.fourElements');

/** Four people the provider bills: two cards of their holders, two cards it refuses (reported lost, expired). */
const [ZHANG, OUYANG] = SANDBOX_BANK_CARDS.slice(0, 2).map((card) => ({ ...card.holder, bankCard: card.bankCard }));
const LOST = { ...ZHANG, bankCard: sandboxCardFor(-11) };
const EXPIRED = { ...ZHANG, bankCard: sandboxCardFor(-12) };
const FOUR = [ZHANG, OUYANG, LOST, EXPIRED];
/** What the provider answers each of the four. */
const STATUS = new Map<object, string>([
	[ZHANG, 'match'],
	[OUYANG, 'match'],
	[LOST, 'card_reported_lost'],
	[EXPIRED, 'card_expired'],
]);
/** The provider answers a card starting with 17000005000 with HTTP 500. */
const FAILING = { ...ZHANG, bankCard: '1700000500012345678' };

const MAX_TRIES = 3;
/** First the card that fails (its error item first makes n8n run the node again), then the four, two of them twice. */
const RETRY_ITEMS = [FAILING, ZHANG, OUYANG, ZHANG, LOST, EXPIRED, OUYANG];
/** Batches of 2: [Z O] [L Z] [O E] [Z L]: each person new once, then copies in later batches. */
const LOOP_ITEMS = [ZHANG, OUYANG, LOST, ZHANG, OUYANG, EXPIRED, ZHANG, LOST];

const CAP = 5;
/** Card states cycled over distinct people: six of eight billed refusals, two unbilled (busy, name invalid). */
const CAP_STATES = [-11, -12, -13, -4, -16, -14, -2, -15];
const CAPPED_ITEMS = generateIdentities(24, 29).map((person, index) => ({ ...person, bankCard: sandboxCardFor(CAP_STATES[index % CAP_STATES.length]) }));

/** The request body for an item: the provider's names. */
const bodyOf = (p: IDataObject) => ({ name: p.name, bank_card: p.bankCard, id_card: p.idCard, phone: p.phone });

const CASES = ['retry', 'loop', 'cap'].map((name, index) => ({
	name,
	token: `e2e-card-cost-token-${name}`,
	credential: { id: `e2eCardCostCr00${index}`, name: `Ace Data (mock, ${name})` },
	workflowId: `e2eCardCostWf00${index}`,
}));
const [RETRY, LOOP, CAPPED] = CASES;

const WORKFLOWS = {
	retry: workflow(
		RETRY.workflowId,
		'E2E: bank card, Retry On Fail',
		[
			webhook('Webhook', 'e2e-card-cost-retry', 'lastNode'),
			code('Items', RETRY_ITEMS),
			verifyCheck('Verify', RETRY.credential, FOUR_ELEMENTS, { options: { maxRetries: 0 } }, {
				onError: 'continueRegularOutput',
				retryOnFail: true,
				maxTries: MAX_TRIES,
				waitBetweenTries: 0,
			}),
			noOp('After'),
		],
		[
			['Webhook', 'Items'],
			['Items', 'Verify'],
			['Verify', 'After'],
		],
	),
	loop: workflow(
		LOOP.workflowId,
		'E2E: bank card, Loop Over Items',
		[
			webhook('Webhook', 'e2e-card-cost-loop', 'lastNode'),
			code('Items', LOOP_ITEMS),
			loopOverItems('Loop', 2),
			verifyCheck('Verify', LOOP.credential, FOUR_ELEMENTS),
			noOp('Loop done'),
		],
		[
			['Webhook', 'Items'],
			['Items', 'Loop'],
			['Loop', 'Loop done', 0],
			['Loop', 'Verify', 1],
			['Verify', 'Loop'],
		],
	),
	cap: workflow(
		CAPPED.workflowId,
		'E2E: bank card, Max Billed Calls',
		[
			webhook('Webhook', 'e2e-card-cost-cap', 'lastNode'),
			code('Items', CAPPED_ITEMS),
			verifyCheck('Verify', CAPPED.credential, FOUR_ELEMENTS, { routeByResult: true, options: { maxBilledCalls: CAP } }),
			...routeEnds('Verify').nodes,
		],
		[['Webhook', 'Items'], ['Items', 'Verify'], ...routeEnds('Verify').edges],
	),
};

let provider: MockProvider;
let n8n: N8nInstance;
let published: PublishedWorkflows | undefined;
const saved: Record<string, SavedExecution> = {};

beforeAll(async () => {
	ensureN8n();
	provider = await startMockProvider({ tokens: Object.fromEntries(CASES.map((c) => [c.token, 'ok'])), latencyMs: 20 });
	n8n = N8nInstance.create();
	await n8n.importCredentials(CASES.map((c) => ({ ...c.credential, type: CREDENTIAL_TYPE, data: { apiToken: c.token, baseUrl: provider.url } })));
	published = await PublishedWorkflows.start(n8n, Object.values(WORKFLOWS));
	for (const [name, definition] of Object.entries(WORKFLOWS)) saved[name] = await published.run(definition);
}, 30 * 60_000);

afterAll(async () => {
	await published?.stop();
	await provider?.close();
	n8n?.remove();
});

const requestsOf = (c: (typeof CASES)[number]) => provider.requests.filter((r) => r.authorization === `Bearer ${c.token}`);
/** Requests the provider received for this person's body. */
const sentFor = (c: (typeof CASES)[number], p: IDataObject) => requestsOf(c).filter((r) => isDeepStrictEqual(r.body, bodyOf(p)));

describe(`n8n ${N8N_VERSION}: bank card four elements with Retry On Fail`, () => {
	test('the provider failed the card on every try: n8n ran the node three times', () => {
		expect(saved.retry.status).toBe('success');
		expect(sentFor(RETRY, FAILING).map((r) => r.status)).toEqual(Array(MAX_TRIES).fill(500));
	});

	test('billed calls at the mock: one per distinct person, each sent once over the tries', () => {
		expect(requestsOf(RETRY).filter((r) => r.billed).length).toBe(FOUR.length);
		expect(FOUR.map((p) => sentFor(RETRY, p).length)).toEqual(FOUR.map(() => 1));
	});

	test('the last try answers every person; billable adds up to what the mock billed', () => {
		const items = outputItems(saved.retry, 'Verify');
		expect(items.map((item) => item.status)).toEqual(['api_error', ...RETRY_ITEMS.slice(1).map((p) => STATUS.get(p))]);
		expect(total(items, 'billable')).toBe(FOUR.length);
	});

	test("the saved execution's custom data says what the mock billed", () => {
		expect(saved.retry.customData).toMatchObject({ billedCalls: String(FOUR.length) });
	});
});

describe(`n8n ${N8N_VERSION}: bank card four elements in Loop Over Items`, () => {
	test('billed calls at the mock: one per distinct person, the copies in later batches not sent', () => {
		expect(saved.loop.status).toBe('success');
		expect(requestsOf(LOOP).filter((r) => r.billed).length).toBe(FOUR.length);
		expect(requestsOf(LOOP).length).toBe(FOUR.length);
	});

	test('every batch answers its people, the copies from the earlier answer', () => {
		const batches = [0, 1, 2, 3].map((runIndex) => outputItems(saved.loop, 'Verify', 0, runIndex));
		expect(batches.flat().map((item) => item.status)).toEqual(LOOP_ITEMS.map((p) => STATUS.get(p)));
		expect(batches.flat().map((item) => item.cached)).toEqual(LOOP_ITEMS.map((p, index) => LOOP_ITEMS.indexOf(p) < index));
		expect(outputItems(saved.loop, 'Loop done')).toHaveLength(LOOP_ITEMS.length);
	});

	test("the saved execution's custom data says what the mock billed, and the copies reused", () => {
		expect(saved.loop.customData).toMatchObject({ billedCalls: String(FOUR.length), reusedAnswers: String(LOOP_ITEMS.length - FOUR.length) });
	});
});

describe(`n8n ${N8N_VERSION}: Max Billed Calls on bank cards the provider mostly refuses, and bills`, () => {
	test('the mock billed exactly the cap, and more people were sent than billed', () => {
		expect(saved.cap.status).toBe('success');
		expect(requestsOf(CAPPED).filter((r) => r.billed).length).toBe(CAP);
		expect(requestsOf(CAPPED).length).toBeGreaterThan(CAP);
		expect(saved.cap.customData).toMatchObject({ billedCalls: String(CAP) });
	});

	test('each sent person gets the state of the card, billable as the mock billed; the others budget_reached on Not Verified', () => {
		const items = itemsByInput(saved.cap, 'Verify');
		expect(items.map((entry) => entry.input)).toEqual(CAPPED_ITEMS.map((_, index) => index));
		for (const { json, output, input } of items) {
			const person = CAPPED_ITEMS[input];
			const [request, ...again] = sentFor(CAPPED, person);
			expect([input, again]).toEqual([input, []]);
			const expected = request
				? { ...FOUR_ELEMENTS.codes[String(CAP_STATES[input % CAP_STATES.length])], billed: request.billed }
				: { status: 'budget_reached', route: 'notVerified', billed: false };
			expect([input, json.status, ['match', 'mismatch', 'notVerified'][output], json.billable]).toEqual([input, expected.status, expected.route, expected.billed]);
		}
		const unsent = items.filter((entry) => entry.json.status === 'budget_reached');
		expect(unsent.length).toBeGreaterThan(0);
		expect(unsent.length).toBe(CAPPED_ITEMS.length - requestsOf(CAPPED).length);
		expect(total(items.map((entry) => entry.json), 'billable')).toBe(CAP);
	});
});
