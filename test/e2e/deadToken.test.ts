/**
 * A dead token stops the run's sending, in a real n8n (N8N_VERSION) with the packed package: 200 valid, distinct
 * people, a token the provider does not know (401) and one whose balance is used up (403), with Continue On Fail
 * and without. After the first 401/403 comes back no new request starts: only requests already under way reach
 * the provider mock (with the default options on loopback, one or two). With Continue On Fail every item carries
 * the error (the items never sent with `attempts: 0`) and the saved execution holds a hint that says so;
 * without it the run fails with that error.
 */
import { FROM_ITEM, generateIdentities } from '../support/identities';
import type { MockProvider, RecordedRequest } from '../support/mockProvider';
import { startMockProvider } from '../support/mockProvider';
import { total } from './expected';
import type { N8nRun, SavedExecution } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, N8N_VERSION, N8nInstance, outputItems } from './n8n';
import { code, manualTrigger, onRow, verify, workflow } from './workflows';

const PEOPLE = generateIdentities(200, 21);
/** How much later than the first refusal was written a request may still arrive, if it was under way before. */
const UNDER_WAY_MS = 25;

interface DeadTokenCase {
	node: string;
	token: string;
	credential: { id: string; name: string };
	continueOnFail: boolean;
	errorCode: 'invalid_token' | 'used_up';
	httpCode: 401 | 403;
	/** What the hint and the message name. */
	about: RegExp;
}

const deadTokenCase = (index: number, kind: 'wrong' | 'used up', continueOnFail: boolean): DeadTokenCase => ({
	node: `${kind === 'wrong' ? 'Wrong token' : 'Balance used up'}, ${continueOnFail ? 'continue' : 'stop'}`,
	token: `e2e-dead-token-${index}-${kind === 'wrong' ? 'unknown' : 'used-up'}`,
	credential: { id: `e2eDeadCred000${index}`, name: `Ace Data (mock, dead token ${index})` },
	continueOnFail,
	errorCode: kind === 'wrong' ? 'invalid_token' : 'used_up',
	httpCode: kind === 'wrong' ? 401 : 403,
	about: kind === 'wrong' ? /token/ : /balance/,
});

const WRONG_CONTINUE = deadTokenCase(1, 'wrong', true);
const USED_UP_CONTINUE = deadTokenCase(2, 'used up', true);
const WRONG_STOP = deadTokenCase(3, 'wrong', false);
const USED_UP_STOP = deadTokenCase(4, 'used up', false);
const CASES = [WRONG_CONTINUE, USED_UP_CONTINUE, WRONG_STOP, USED_UP_STOP];

const IDS = { continueThenStop: 'e2eDeadToken001', stop: 'e2eDeadToken002' };

/** The people → one Verify node per case, top to bottom; a case that fails the run goes last. */
function deadTokenWorkflow(id: string, cases: DeadTokenCase[]) {
	return workflow(
		id,
		`E2E: dead token (${cases.map((c) => c.node).join('; ')})`,
		[
			manualTrigger(),
			code('People', PEOPLE),
			...cases.map((c, row) =>
				onRow(row, verify(c.node, c.credential, FROM_ITEM, { onError: c.continueOnFail ? 'continueRegularOutput' : 'stopWorkflow' })),
			),
		],
		[['Start', 'People'], ...cases.map((c): [string, string] => ['People', c.node])],
	);
}

let provider: MockProvider;
let n8n: N8nInstance;

beforeAll(async () => {
	ensureN8n();
	provider = await startMockProvider({
		tokens: { [USED_UP_CONTINUE.token]: 'used_up', [USED_UP_STOP.token]: 'used_up' },
	});
	n8n = N8nInstance.create();
	await n8n.importCredentials(
		CASES.map((c) => ({ ...c.credential, type: CREDENTIAL_TYPE, data: { apiToken: c.token, baseUrl: provider.url } })),
	);
	await n8n.importWorkflows([
		deadTokenWorkflow(IDS.continueThenStop, [WRONG_CONTINUE, USED_UP_CONTINUE, WRONG_STOP]),
		deadTokenWorkflow(IDS.stop, [USED_UP_STOP]),
	]);
}, 30 * 60_000);

afterAll(async () => {
	await provider?.close();
	n8n?.remove();
});

const requestsOf = (c: DeadTokenCase): RecordedRequest[] => provider.requests.filter((r) => r.authorization === `Bearer ${c.token}`);

/** Requests that reached the provider later than a request under way when the first refusal came back could. */
function startedAfterTheFirstRefusal(c: DeadTokenCase): RecordedRequest[] {
	const requests = requestsOf(c);
	const firstRefusal = Math.min(...requests.map((r) => r.closedAt ?? Infinity));
	return requests.filter((r) => r.at > firstRefusal + UNDER_WAY_MS);
}

describe(`n8n ${N8N_VERSION}: a dead token stops the run's sending`, () => {
	let runs: Map<string, N8nRun>;
	let saved: SavedExecution;
	beforeAll(async () => {
		provider.reset();
		const continueThenStop = (await n8n.execute(IDS.continueThenStop)).run;
		const stop = (await n8n.execute(IDS.stop)).run;
		runs = new Map(CASES.map((c) => [c.node, c === USED_UP_STOP ? stop : continueThenStop]));
		saved = n8n.savedExecutions(IDS.continueThenStop).at(-1)!;
	});

	test.each(CASES)('$node: nothing new is sent after the first refusal came back', (c) => {
		const requests = requestsOf(c);
		expect(requests.length).toBeGreaterThanOrEqual(1);
		expect(requests.every((r) => r.status === c.httpCode)).toBe(true);
		expect({ sent: requests.length, startedAfterTheFirstRefusal: startedAfterTheFirstRefusal(c).length }).toEqual({
			sent: requests.length,
			startedAfterTheFirstRefusal: 0,
		});
	});

	test.each([WRONG_CONTINUE, USED_UP_CONTINUE])('$node: every item carries the error; the items never sent, attempts 0', (c) => {
		const items = outputItems(runs.get(c.node)!, c.node);
		expect(items).toHaveLength(PEOPLE.length);
		for (const item of items) {
			expect(item).toMatchObject({
				status: 'api_error',
				errorCode: c.errorCode,
				httpCode: c.httpCode,
				billable: false,
				error: expect.stringMatching(c.about),
			});
		}
		// Over the run, attempts add up to the requests the provider received; the rest were never sent.
		expect(total(items, 'attempts')).toBe(requestsOf(c).length);
		expect(items.filter((item) => item.attempts === 0)).toHaveLength(PEOPLE.length - requestsOf(c).length);
	});

	test.each([WRONG_CONTINUE, USED_UP_CONTINUE])('$node: the saved execution holds a hint that the rest was not sent', (c) => {
		const hints = (saved.data.resultData.runData[c.node]?.[0]?.hints ?? []).map((hint) => hint.message);
		expect(hints).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`not sent[\\s\\S]*${c.about.source}|${c.about.source}[\\s\\S]*not sent`))]));
	});

	test.each([WRONG_STOP, USED_UP_STOP])('$node: the run fails with the error and what to do', (c) => {
		const run = runs.get(c.node)!;
		expect(run.status).toBe('error');
		const error = run.data.resultData.error!;
		expect(error.node?.name).toBe(c.node);
		expect(String(error.httpCode)).toBe(String(c.httpCode));
		expect(`${error.message} ${error.description ?? ''}`).toMatch(c.about);
	});
});
