/**
 * An answer is bought once per execution, whatever n8n does around the node, in a real n8n (N8N_VERSION) with
 * the packed package, against the provider mock, which counts what it bills for each token:
 *
 * - Retry On Fail (Max Tries 3, no wait) × {stop the workflow, Continue (regular output), Continue (using error
 *   output)} × {Route by Result off, on} × {first item valid, invalid}, four distinct valid people that the
 *   provider bills: each case bills four, or nothing when an invalid item stops the run before anything is sent.
 *   The same cases with Retry On Fail off are the reference: they bill four today.
 * - Loop Over Items in batches of 2, the people coming again in later batches; and a second Verify node on the
 *   same credential after the first: one billed call per person, the later copies answered from the first.
 * - What an execution cost (custom data `billedCalls`, `reusedAnswers`) and the Retry On Fail hint, read from
 *   the execution n8n saved.
 *
 * Every case has its own credential (token): what an execution remembers is keyed by the token, so the cases
 * of one workflow do not answer each other, and the mock tells their bills apart. One workflow holds many
 * cases, so that n8n boots a few times per version, not once per case.
 */
import { SANDBOX_IDENTITIES } from '../support/sandboxIdentities';
import type { MockProvider } from '../support/mockProvider';
import { startMockProvider } from '../support/mockProvider';
import { FROM_ITEM } from '../support/identities';
import type { CredentialFixture, N8nRun, SavedExecution, TaskData } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, N8N_VERSION, N8nInstance, outputItems, ran } from './n8n';
import type { WorkflowNode } from './workflows';
import { code, loopOverItems, manualTrigger, noOp, onRow, verify, workflow } from './workflows';

const MATCHES = SANDBOX_IDENTITIES.filter((p) => p.result === '0').slice(0, 3);
const MISMATCH = SANDBOX_IDENTITIES.find((p) => p.result === '1')!;
/** Four distinct valid people, each answered with a billed code (three matches, a mismatch). */
const FOUR = [...MATCHES, MISMATCH];
/** The first person again, written another way: the same request after normalisation. */
const FIRST_AGAIN = { ...FOUR[0], phone: `+86 ${FOUR[0].phone}`, idCard: FOUR[0].idCard.toLowerCase() };
/** The last character should be X: fails the checksum rule, so it is never sent. */
const INVALID = { name: '张三', phone: '13800138000', idCard: '110105194912310021' };

const VALID_FIRST = [...FOUR, FIRST_AGAIN];
const INVALID_FIRST = [INVALID, ...FOUR];

type ErrorMode = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
const MODE_LABEL: Record<ErrorMode, string> = {
	stopWorkflow: 'stop',
	continueRegularOutput: 'continue',
	continueErrorOutput: 'error output',
};

interface RetryCase {
	/** The Verify node's name, which says the case. */
	node: string;
	retry: boolean;
	mode: ErrorMode;
	routed: boolean;
	invalidFirst: boolean;
	token: string;
	credential: { id: string; name: string };
	/** What the provider may bill: the four people, or nothing when the invalid item stops the run first. */
	billed: number;
}

const CASES: RetryCase[] = [];
for (const retry of [true, false]) {
	for (const mode of Object.keys(MODE_LABEL) as ErrorMode[]) {
		for (const routed of [false, true]) {
			for (const invalidFirst of [false, true]) {
				const stops = mode === 'stopWorkflow' && invalidFirst;
				// Without Retry On Fail a stopped run is only the reference's noise: the invalid item fails it either way.
				if (stops && !retry) continue;
				const index = CASES.length;
				const node = `${retry ? 'Retry' : 'Once'}, ${MODE_LABEL[mode]}, ${routed ? 'routed' : 'one output'}, ${invalidFirst ? 'invalid' : 'valid'} first`;
				CASES.push({
					node,
					retry,
					mode,
					routed,
					invalidFirst,
					token: `e2e-once-token-${String(index).padStart(2, '0')}`,
					credential: { id: `e2eOnceCred${String(index).padStart(4, '0')}`, name: `Ace Data (mock, ${node})` },
					billed: stops ? 0 : FOUR.length,
				});
			}
		}
	}
}
/** The cases that fail the run (an invalid item, no Continue On Fail): one per workflow, each as its last branch. */
const [FAILING_ONE_OUTPUT, FAILING_ROUTED] = CASES.filter((c) => c.billed === 0);

const LOOP_TOKEN = 'e2e-once-token-loop';
const TWICE_TOKEN = 'e2e-once-token-twice';
const LOOP = { id: 'e2eOnceCredLoop', name: 'Ace Data (mock, loop)' };
const TWICE = { id: 'e2eOnceCredTwice', name: 'Ace Data (mock, twice)' };
/** Batches of 2: [0 1] [2 0] [1 3] [0 2]: each person once new, then copies in later batches. */
const LOOP_LIST = [FOUR[0], FOUR[1], FOUR[2], FOUR[0], FOUR[1], FOUR[3], FOUR[0], FOUR[2]];

const IDS = { matrix: 'e2eOnceMatrix01', routedStop: 'e2eOnceMatrix02', reuse: 'e2eOnceReused01' };

function caseNode(c: RetryCase, row: number): WorkflowNode {
	return onRow(
		row,
		verify(c.node, c.credential, { ...FROM_ITEM, routeByResult: c.routed }, {
			onError: c.mode,
			...(c.retry ? { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 } : {}),
		}),
	);
}

/**
 * Two Code nodes (valid first, invalid first), each feeding its cases; `last` (a case that fails the run) on the
 * bottom row, so that every other case has run when it stops the execution.
 */
function matrixWorkflow(id: string, cases: RetryCase[], last: RetryCase) {
	const validFirst = cases.filter((c) => !c.invalidFirst);
	const invalidFirst = [...cases.filter((c) => c.invalidFirst), last];
	return workflow(
		id,
		`E2E: answered once, Retry On Fail (${last.node})`,
		[
			manualTrigger(),
			onRow(0, code('Valid first', VALID_FIRST)),
			onRow(validFirst.length + 1, code('Invalid first', INVALID_FIRST)),
			...validFirst.map((c, index) => caseNode(c, index)),
			...invalidFirst.map((c, index) => caseNode(c, validFirst.length + 1 + index)),
		],
		[
			['Start', 'Valid first'],
			['Start', 'Invalid first'],
			...validFirst.map((c): [string, string] => ['Valid first', c.node]),
			...invalidFirst.map((c): [string, string] => ['Invalid first', c.node]),
		],
	);
}

const WORKFLOWS = [
	matrixWorkflow(IDS.matrix, CASES.filter((c) => c.billed > 0), FAILING_ONE_OUTPUT),
	matrixWorkflow(IDS.routedStop, [], FAILING_ROUTED),
	// Loop Over Items with the Verify node inside the loop; and two Verify nodes in a row on one credential.
	workflow(
		IDS.reuse,
		'E2E: answered once, loop and a second node',
		[
			manualTrigger(),
			onRow(0, code('Loop list', LOOP_LIST)),
			onRow(0, loopOverItems('Loop', 2)),
			onRow(0, verify('Verify in loop', LOOP, FROM_ITEM)),
			onRow(0, noOp('Loop done')),
			onRow(1, code('Four people', FOUR)),
			onRow(1, verify('Verify first', TWICE, { ...FROM_ITEM, options: { keepInputFields: true } })),
			onRow(1, verify('Verify again', TWICE, FROM_ITEM)),
		],
		[
			['Start', 'Loop list'],
			['Loop list', 'Loop'],
			['Loop', 'Loop done', 0],
			['Loop', 'Verify in loop', 1],
			['Verify in loop', 'Loop'],
			['Start', 'Four people'],
			['Four people', 'Verify first'],
			['Verify first', 'Verify again'],
		],
	),
];

let provider: MockProvider;
let n8n: N8nInstance;

beforeAll(async () => {
	ensureN8n();
	const tokens = [...CASES.map((c) => c.token), LOOP_TOKEN, TWICE_TOKEN];
	provider = await startMockProvider({ tokens: Object.fromEntries(tokens.map((token) => [token, 'ok'])) });
	n8n = N8nInstance.create();
	const credential = (ref: { id: string; name: string }, apiToken: string): CredentialFixture => ({
		...ref,
		type: CREDENTIAL_TYPE,
		data: { apiToken, baseUrl: provider.url },
	});
	await n8n.importCredentials([
		...CASES.map((c) => credential(c.credential, c.token)),
		credential(LOOP, LOOP_TOKEN),
		credential(TWICE, TWICE_TOKEN),
	]);
	await n8n.importWorkflows(WORKFLOWS);
}, 30 * 60_000);

afterAll(async () => {
	await provider?.close();
	n8n?.remove();
});

/** Billed answers the provider gave this token. */
const billedFor = (token: string) => provider.requests.filter((r) => r.authorization === `Bearer ${token}` && r.billed).length;

/** The node's (only) run in the execution n8n saved last for this workflow. */
function savedTask(execution: SavedExecution, node: string, runIndex = 0): TaskData {
	const task = execution.data.resultData.runData[node]?.[runIndex];
	if (!task) throw new Error(`node "${node}" has no run ${runIndex} in saved execution ${execution.id}`);
	return task;
}

const hintsOf = (task: TaskData) => (task.hints ?? []).map((hint) => hint.message);

/** Every item a node put out in a run, across its outputs (routed ones, the error output). */
const allOutputItems = (run: N8nRun, node: string) =>
	(run.data.resultData.runData[node]?.[0]?.data?.main ?? []).flatMap((output) => (output ?? []).map((entry) => entry.json));

describe(`n8n ${N8N_VERSION}: Retry On Fail does not buy an answer again`, () => {
	let run: N8nRun;
	let routedStop: N8nRun;
	let saved: SavedExecution;
	beforeAll(async () => {
		provider.reset();
		run = (await n8n.execute(IDS.matrix)).run;
		routedStop = (await n8n.execute(IDS.routedStop)).run;
		saved = n8n.savedExecutions(IDS.matrix).at(-1)!;
	});

	test('every case ran; the one stopped by its invalid item ran last', () => {
		for (const c of CASES.filter((c) => c !== FAILING_ROUTED)) expect([c.node, ran(run, c.node)]).toEqual([c.node, true]);
		expect(run.status).toBe('error');
		expect(run.data.resultData.error?.node?.name).toBe(FAILING_ONE_OUTPUT.node);
		expect(routedStop.data.resultData.error?.node?.name).toBe(FAILING_ROUTED.node);
	});

	test('the answers are right whatever n8n re-ran', () => {
		const expected = (c: RetryCase) => (c.invalidFirst ? ['match', 'match', 'match', 'mismatch'] : ['match', 'match', 'match', 'mismatch', 'match']);
		for (const c of CASES.filter((c) => c.billed > 0)) {
			const statuses = allOutputItems(run, c.node)
				.map((item) => item.status)
				.filter((status) => status === 'match' || status === 'mismatch')
				.sort();
			expect([c.node, statuses]).toEqual([c.node, expected(c).sort()]);
		}
	});

	test.each(CASES.filter((c) => c.retry))('$node: billed once per person', (c) => {
		expect([c.node, billedFor(c.token)]).toEqual([c.node, c.billed]);
	});

	test.each(CASES.filter((c) => !c.retry))('$node (the reference, Retry On Fail off): billed once per person', (c) => {
		expect([c.node, billedFor(c.token)]).toEqual([c.node, c.billed]);
	});

	test('the saved execution (and the run n8n execute prints) holds, for each node with Retry On Fail, a hint that answered items are not sent again', () => {
		expect(saved.status).toBe('error');
		for (const c of CASES.filter((c) => c.billed > 0)) {
			const hints = hintsOf(savedTask(saved, c.node));
			expect(hintsOf(run.data.resultData.runData[c.node][0])).toEqual(hints);
			if (c.retry) expect([c.node, hints]).toEqual([c.node, expect.arrayContaining([expect.stringContaining('not sent again')])]);
			else expect([c.node, hints.filter((hint) => hint.includes('not sent again'))]).toEqual([c.node, []]);
		}
	});
});

describe(`n8n ${N8N_VERSION}: a loop and a second node reuse the execution's answers`, () => {
	let run: N8nRun;
	let saved: SavedExecution;
	beforeAll(async () => {
		provider.reset();
		run = (await n8n.execute(IDS.reuse)).run;
		saved = n8n.savedExecutions(IDS.reuse).at(-1)!;
	});

	test('the run succeeds', () => {
		expect(run.status).toBe('success');
	});

	test('Loop Over Items in batches of 2: one billed call per person, the copies in later batches answered from it', () => {
		expect(billedFor(LOOP_TOKEN)).toBe(FOUR.length);
		expect(provider.requests.filter((r) => r.authorization === `Bearer ${LOOP_TOKEN}`)).toHaveLength(FOUR.length);
		const batches = [0, 1, 2, 3].map((runIndex) => outputItems(run, 'Verify in loop', 0, runIndex));
		const fresh = { cached: false, billable: true, attempts: 1 };
		const reused = { cached: true, billable: false, attempts: 0 };
		expect(batches.map((items) => items.map(({ cached, billable, attempts }) => ({ cached, billable, attempts })))).toEqual([
			[fresh, fresh],
			[fresh, reused],
			[reused, fresh],
			[reused, reused],
		]);
		expect(batches.flat().map((item) => item.status)).toEqual(LOOP_LIST.map((p) => (p.result === '0' ? 'match' : 'mismatch')));
		expect(outputItems(run, 'Loop done')).toHaveLength(LOOP_LIST.length);
	});

	test('a second Verify node on the same credential sends nothing: every answer reused', () => {
		expect(billedFor(TWICE_TOKEN)).toBe(FOUR.length);
		expect(provider.requests.filter((r) => r.authorization === `Bearer ${TWICE_TOKEN}`)).toHaveLength(FOUR.length);
		expect(outputItems(run, 'Verify first').map((item) => item.cached)).toEqual([false, false, false, false]);
		expect(outputItems(run, 'Verify again')).toEqual(
			FOUR.map((p) =>
				expect.objectContaining({ status: p.result === '0' ? 'match' : 'mismatch', cached: true, billable: false, attempts: 0 }),
			),
		);
	});

	test('what the execution remembers holds no name, mobile or ID number, only keyed hashes', () => {
		const memory = (saved.data as { executionData?: { contextData?: { flow?: Record<string, unknown> } } }).executionData?.contextData?.flow
			?.aceDataPhoneVerify;
		expect(memory).toBeDefined();
		const text = JSON.stringify(memory);
		// Eight answers (four people, two tokens), each under its HMAC-SHA256 key.
		expect(new Set(text.match(/\b[0-9a-f]{64}\b/g))).toHaveProperty('size', 2 * FOUR.length);
		for (const p of FOUR) for (const value of [p.name, p.phone, p.idCard]) expect(text).not.toContain(value);
	});

	test('the saved execution says what it cost: billed calls and reused answers', () => {
		expect(saved.status).toBe('success');
		// Loop: 4 billed, 4 copies in later batches; the second node: 4 billed by the first, 4 reused.
		expect(saved.customData).toMatchObject({ billedCalls: '8', reusedAnswers: '8' });
		expect(run.data.resultData.metadata).toMatchObject({ billedCalls: '8', reusedAnswers: '8' });
	});
});
