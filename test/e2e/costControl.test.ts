/**
 * Cost control in a real n8n, against the provider mock on 127.0.0.1, which counts what it bills:
 *
 * - Max Billed Calls: more valid, distinct people than the cap, twenty requests at a time, and the provider bills
 *   exactly the cap. The people left unsent are `budget_reached` on Not Verified; a copy of a person answered
 *   before the cap costs nothing and is answered even after it.
 * - Dry Run: nothing reaches the provider, even with a token it would refuse; each item says whether a real run
 *   would send it.
 */
import type { GeneratedIdentity } from '../support/identities';
import { expectedResult, FROM_ITEM, generateIdentities, resultByLastDigit } from '../support/identities';
import type { MockProvider } from '../support/mockProvider';
import { startMockProvider, tripleKey } from '../support/mockProvider';
import { ERROR_ITEM_KEYS, OUTPUT_KEYS, total } from './expected';
import type { N8nRun } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, N8N_VERSION, N8nInstance, outputEntries, outputItems } from './n8n';
import { code, manualTrigger, noOp, verify, workflow } from './workflows';

const TOKEN = 'e2e-cost-token-0b5d2a';
const REFUSED_TOKEN = 'e2e-cost-refused-token-93c1';
const GOOD = { id: 'e2eCostGood0001', name: 'Ace Data (mock)' };
const REFUSED = { id: 'e2eCostRefused1', name: 'Ace Data (mock, token it refuses)' };
const IDS = { capped: 'e2eCostCapped01', dryRun: 'e2eCostDryRun01' };

const CAP = 10;
const PEOPLE: GeneratedIdentity[] = generateIdentities(40, 13);
const BILLABLE = (p: GeneratedIdentity) => ['0', '1'].includes(expectedResult(p));
/** After the people, a copy of the first: answered from it, whatever the cap. */
const CAPPED_ITEMS = [...PEOPLE, PEOPLE[0]].map((p) => ({ ...p }));

/** Five distinct people, a copy of the first (other spacing) and an ID number with a typo. */
const DRY_RUN_ITEMS = [
	...PEOPLE.slice(0, 5),
	{ ...PEOPLE[0], phone: `+86 ${PEOPLE[0].phone.slice(0, 3)} ${PEOPLE[0].phone.slice(3)}` },
	{ ...PEOPLE[1], idCard: `${PEOPLE[1].idCard.slice(0, 17)}${PEOPLE[1].idCard.endsWith('0') ? '1' : '0'}` },
];

const WORKFLOWS = [
	workflow(
		IDS.capped,
		'E2E: Max Billed Calls',
		[
			manualTrigger(),
			code('People', CAPPED_ITEMS),
			verify('Verify', GOOD, { ...FROM_ITEM, routeByResult: true, options: { maxBilledCalls: CAP, concurrency: 20 } }),
			noOp('Match'),
			noOp('Mismatch'),
			noOp('Not Verified'),
		],
		[
			['Start', 'People'],
			['People', 'Verify'],
			['Verify', 'Match', 0],
			['Verify', 'Mismatch', 1],
			['Verify', 'Not Verified', 2],
		],
	),
	workflow(
		IDS.dryRun,
		'E2E: Dry Run',
		[
			manualTrigger(),
			code('People', DRY_RUN_ITEMS),
			verify('Verify', REFUSED, { ...FROM_ITEM, options: { dryRun: true } }, { onError: 'continueRegularOutput' }),
		],
		[
			['Start', 'People'],
			['People', 'Verify'],
		],
	),
];

let provider: MockProvider;
let n8n: N8nInstance;

beforeAll(async () => {
	ensureN8n();
	provider = await startMockProvider({ tokens: { [TOKEN]: 'ok' }, resultFor: resultByLastDigit, latencyMs: 100 });
	n8n = N8nInstance.create();
	await n8n.importCredentials([
		{ ...GOOD, type: CREDENTIAL_TYPE, data: { apiToken: TOKEN, baseUrl: provider.url } },
		{ ...REFUSED, type: CREDENTIAL_TYPE, data: { apiToken: REFUSED_TOKEN, baseUrl: provider.url } },
	]);
	await n8n.importWorkflows(WORKFLOWS);
}, 30 * 60_000);

afterAll(async () => {
	await provider?.close();
	n8n?.remove();
});

async function execute(id: string): Promise<N8nRun> {
	provider.reset();
	const { run } = await n8n.executeWithout([TOKEN, REFUSED_TOKEN], id);
	expect(run.status).toBe('success');
	return run;
}


describe(`n8n ${N8N_VERSION}: Max Billed Calls`, () => {
	let run: N8nRun;
	/** Every output item with its input item's index, in input order. */
	let items: Array<Record<string, unknown> & { index: number }>;
	beforeAll(async () => {
		run = await execute(IDS.capped);
		items = [0, 1, 2]
			.flatMap((output) => outputEntries(run, 'Verify', output))
			.map((entry) => ({ ...entry.json, index: (entry.pairedItem as { item: number }).item }))
			.sort((a, b) => a.index - b.index);
	});

	test('there are more billable people than the cap', () => {
		expect(PEOPLE.filter(BILLABLE).length).toBeGreaterThan(2 * CAP);
		expect(new Set(PEOPLE.map((p) => p.phone)).size).toBe(PEOPLE.length);
	});

	test('the provider bills exactly the cap, each person at most once; billable says the same', () => {
		expect(provider.billedCalls).toBe(CAP);
		expect([...provider.billedAnswers.values()].every((count) => count === 1)).toBe(true);
		expect(total(items, 'billable')).toBe(CAP);
		expect(total(items, 'attempts')).toBe(provider.requests.length);
	});

	test('sent people get their answer; the others budget_reached, on Not Verified, saying why', () => {
		expect(items.map((item) => item.index)).toEqual(CAPPED_ITEMS.map((_, index) => index));
		const sent = new Set(provider.requests.map((r) => r.key));
		const unsent = PEOPLE.filter((p) => !sent.has(tripleKey({ name: p.name, phone: p.phone, id_card: p.idCard })));
		expect(unsent.length).toBeGreaterThan(0);
		for (const [index, person] of PEOPLE.entries()) {
			const item = items[index];
			expect(Object.keys(item).filter((key) => key !== 'index')).toEqual(OUTPUT_KEYS);
			if (unsent.includes(person)) {
				expect(item).toMatchObject({ status: 'budget_reached', result: null, matched: false, billable: false, attempts: 0 });
				expect(item.description).toMatch(new RegExp(`cap of ${CAP} billed calls .* ${CAP} calls billed`));
			} else {
				expect(item).toMatchObject({ result: expectedResult(person), attempts: 1, cached: false });
			}
		}
		const budgetReached = outputItems(run, 'Verify', 2).filter((item) => item.status === 'budget_reached');
		expect(budgetReached).toHaveLength(unsent.length);
	});

	test('a copy of a person answered before the cap is answered after it, and not billed again', () => {
		expect(items[PEOPLE.length]).toMatchObject({
			result: items[0].result,
			cached: true,
			billable: false,
			attempts: 0,
		});
	});
});

describe(`n8n ${N8N_VERSION}: Dry Run`, () => {
	let run: N8nRun;
	beforeAll(async () => {
		run = await execute(IDS.dryRun);
	});

	test('nothing reaches the provider, though the credential holds a token it would refuse', () => {
		expect(provider.requests).toHaveLength(0);
	});

	test('each item says whether a real run would send it; the typo is an error item as in a real run', () => {
		const items = outputItems(run, 'Verify');
		expect(items.map((item) => [item.status, item.wouldSend, item.cached])).toEqual([
			...Array(5).fill(['dry_run', true, false]),
			['dry_run', false, true],
			['invalid_input', false, false],
		]);
		for (const item of items) {
			expect(item).toMatchObject({ result: null, billable: false, attempts: 0 });
			expect(Object.keys(item)).toEqual([...(item.error === undefined ? OUTPUT_KEYS : ERROR_ITEM_KEYS), 'wouldSend']);
		}
		// The most a real run could bill.
		expect(items.filter((item) => item.wouldSend)).toHaveLength(5);
	});
});
