/**
 * n8n's queue mode, its own way to scale out: Redis, a main process that takes the webhook call and enqueues
 * the execution, and a worker (with the package installed in the same user folder) that runs it. A webhook
 * workflow verifies the posted identity and answers with the result; the answer must come from the worker.
 *
 * Needs Debian's redis-server (`apt-get install -y redis-server`); .ci/run installs it.
 * SQLite shared by main and worker is enough for a test (n8n warns it is unsupported; use Postgres in production).
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as net from 'node:net';

import type { MockProvider } from '../support/mockProvider';
import { startMockProvider } from '../support/mockProvider';
import { SANDBOX_IDENTITIES } from '../support/sandboxIdentities';
import type { Server } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, freePort, N8N_VERSION, N8nInstance, spawnGroup } from './n8n';
import { verify, workflow } from './workflows';
import type { WorkflowNode } from './workflows';

const TOKEN = 'e2e-queue-token-6f0c2d';
const CREDENTIAL = { id: 'e2eQueueCred001', name: 'Ace Data (mock)' };
const WORKFLOW_ID = 'e2eQueueHook001';
const WEBHOOK_PATH = 'acedata-verify-e2e';

const ZHANG = SANDBOX_IDENTITIES.find((p) => p.result === '0')!;
const LI = SANDBOX_IDENTITIES.find((p) => p.result === '1')!;

const webhookNode: WorkflowNode = {
	id: '10000000-0000-4000-8000-000000000001',
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2.1,
	position: [0, 0],
	parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'responseNode', options: {} },
	webhookId: '7c1e4f5a-3b2d-4e8f-9a6b-0d1c2e3f4a5b',
};
const respondNode: WorkflowNode = {
	id: '10000000-0000-4000-8000-000000000003',
	name: 'Respond',
	type: 'n8n-nodes-base.respondToWebhook',
	typeVersion: 1.5,
	position: [440, 0],
	parameters: { respondWith: 'firstIncomingItem', options: {} },
};
const WEBHOOK_WORKFLOW = workflow(
	WORKFLOW_ID,
	'E2E: webhook verify (queue mode)',
	[
		webhookNode,
		verify('Verify', CREDENTIAL, {
			name: '={{ $json.body.name }}',
			phone: '={{ $json.body.phone }}',
			idCard: '={{ $json.body.idCard }}',
		}),
		respondNode,
	],
	[
		['Webhook', 'Verify'],
		['Verify', 'Respond'],
	],
);

let provider: MockProvider;
let n8n: N8nInstance;
const servers: Server[] = [];
let mainUrl: string;
let main: Server;
let worker: Server;

async function canConnect(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.on('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.on('error', () => resolve(false));
	});
}

beforeAll(async () => {
	if (spawnSync('redis-server', ['--version']).status !== 0) {
		throw new Error('redis-server is missing: apt-get install -y redis-server');
	}
	ensureN8n();
	provider = await startMockProvider({ tokens: { [TOKEN]: 'ok' }, latencyMs: 50 });

	const redisPort = await freePort();
	const redis = spawnGroup('redis-server', 'redis-server', [
		'--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
	], process.env);
	servers.push(redis);
	await redis.waitFor(async () => await canConnect(redisPort), 'Redis listening');

	n8n = N8nInstance.create({
		env: {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			// Main and worker must share the key that encrypts the stored credential.
			N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('hex'),
		},
	});
	await n8n.importCredentials([
		{ ...CREDENTIAL, type: CREDENTIAL_TYPE, data: { apiToken: TOKEN, baseUrl: provider.url } },
	]);
	await n8n.importWorkflows([WEBHOOK_WORKFLOW]);
	await n8n.activateWorkflow(WORKFLOW_ID);

	const started = await n8n.start();
	servers.push(started.server);
	main = started.server;
	mainUrl = started.url;

	const healthPort = await freePort();
	worker = await n8n.spawn(['worker', '--concurrency=2'], {
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
	});
	servers.push(worker);
	await worker.waitFor(() => worker.output.includes('n8n worker is now ready'), 'worker ready');
}, 30 * 60_000);

afterAll(async () => {
	// Workers first, then main, then Redis: each by its own process group.
	for (const server of servers.reverse()) await server.stop();
	await provider?.close();
	n8n?.remove();
});

/** POSTs to the production webhook; a just-started main may need a moment to register it. */
async function callWebhook(body: object): Promise<{ status: number; json: Record<string, unknown> }> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const response = await fetch(`${mainUrl}/webhook/${WEBHOOK_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const text = await response.text();
		if (response.status !== 404 || Date.now() > deadline) {
			try {
				return { status: response.status, json: JSON.parse(text) };
			} catch {
				throw new Error(`webhook answered ${response.status}: ${text.slice(0, 500)}`);
			}
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

describe(`queue mode, n8n ${N8N_VERSION}`, () => {
	test('a webhook call to main is verified on the worker and answered with the result', async () => {
		const answer = await callWebhook({ name: ZHANG.name, phone: ZHANG.phone, idCard: ZHANG.idCard });
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({
			result: '0',
			status: 'match',
			matched: true,
			billable: true,
			cached: false,
			input: { name: '张*', phone: '138****8000', idCard: '110105**********2X' },
		});

		const mismatch = await callWebhook({ name: LI.name, phone: LI.phone, idCard: LI.idCard });
		expect(mismatch.json).toMatchObject({ status: 'mismatch', matched: false, billable: true });

		expect(provider.requests.map((r) => r.body?.phone)).toEqual([ZHANG.phone, LI.phone]);
		expect(provider.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
	});

	test('main enqueued the executions and the worker ran them', async () => {
		const ids = (server: Server, pattern: RegExp) => [...server.output.matchAll(pattern)].map((m) => m[1]);
		// The answer goes out before the worker has logged the end of the execution.
		await worker.waitFor(() => ids(worker, /Worker finished execution (\w+)/g).length >= 2, 'two finished executions', 15_000);
		const enqueued = ids(main, /Enqueued execution (\w+)/g);
		const startedOnWorker = ids(worker, /Worker started execution (\w+)/g);
		const finishedOnWorker = ids(worker, /Worker finished execution (\w+)/g);
		expect(enqueued).toHaveLength(2);
		expect(startedOnWorker).toEqual(enqueued);
		expect(finishedOnWorker).toEqual(enqueued);
		expect(main.output).not.toMatch(/Worker started execution/);
	});

	test('the token appears in no log line', () => {
		for (const server of [main, worker]) expect(server.output).not.toContain(TOKEN);
	});
});
