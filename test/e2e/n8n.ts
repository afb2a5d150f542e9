/**
 * Drives a real n8n (installed by scripts/n8n/install.sh into .cache/) for the end-to-end tests: a scratch
 * user folder with this package installed the way users install it, credentials and workflows imported with
 * n8n's CLI, workflows run with `n8n execute`, and `n8n start` / `n8n worker` as servers.
 *
 * N8N_VERSION picks the n8n (default 2.41.1); the environment comes from scripts/n8n/env.sh. Every n8n process
 * gets its own free ports (the task broker's default 5679 is shared by all of them otherwise) and its own
 * process group, so that stopping it also stops the task runners it spawned.
 */
import { spawn, spawnSync } from 'node:child_process';
import { parse as parseFlatted } from 'flatted';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const N8N_VERSION = process.env.N8N_VERSION || '2.41.1';
export const N8N_MAJOR = Number(N8N_VERSION.split('.')[0]);
export const VERIFY_TYPE = 'n8n-nodes-acedata-phone-verify.aceDataPhoneVerify';
export const CREDENTIAL_TYPE = 'aceDataCloudApi';

/** Installs n8n N8N_VERSION unless it is there already (a finished install is reused at once). */
export function ensureN8n(): void {
	const result = spawnSync('bash', [path.join(ROOT, 'scripts/n8n/install.sh')], {
		cwd: ROOT,
		env: { ...process.env, N8N_VERSION },
		encoding: 'utf8',
	});
	if (result.status !== 0) {
		throw new Error(`scripts/n8n/install.sh failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
	}
}

let baseEnv: NodeJS.ProcessEnv | undefined;

/** The environment scripts/n8n/env.sh sets up (Node 24, the n8n binary, headless settings). */
function n8nBaseEnv(): NodeJS.ProcessEnv {
	if (!baseEnv) {
		// Jest sets NODE_ENV=test, which silences n8n's logger (and with it the run JSON of `execute`).
		const { NODE_ENV: _jestNodeEnv, JEST_WORKER_ID: _jestWorker, ...inherited } = process.env;
		const result = spawnSync('bash', ['-c', 'source scripts/n8n/env.sh >/dev/null && env -0'], {
			cwd: ROOT,
			env: { ...inherited, N8N_VERSION },
			encoding: 'utf8',
		});
		if (result.status !== 0) throw new Error(`sourcing scripts/n8n/env.sh failed:\n${result.stderr}`);
		baseEnv = Object.fromEntries(
			result.stdout
				.split('\0')
				.filter(Boolean)
				.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
		);
	}
	return baseEnv;
}

/** `preferred` if nothing listens on it, else (or when it is 0) any free port. */
export async function freePort(preferred = 0): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', (error: NodeJS.ErrnoException) =>
			preferred && error.code === 'EADDRINUSE' ? resolve(freePort()) : reject(error),
		);
		server.listen(preferred, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

export interface CommandResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** Process groups started and not yet stopped: killed if the test process exits without stopping them. */
const liveGroups = new Set<number>();
process.once('exit', () => {
	for (const group of liveGroups) {
		try {
			process.kill(-group, 'SIGKILL');
		} catch {
			// already gone
		}
	}
});

/** A long-running n8n (or Redis) process in its own process group, its output kept for assertions. */
export class Server {
	stdout = '';
	stderr = '';
	private exited: Promise<void>;

	constructor(
		readonly name: string,
		readonly child: ChildProcess,
	) {
		child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
		child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
		this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
		if (child.pid !== undefined) liveGroups.add(child.pid);
	}

	get output(): string {
		return this.stdout + this.stderr;
	}

	get running(): boolean {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	/** Waits until `ready()` holds, failing early if the process dies. */
	async waitFor(ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (await ready()) return;
			if (!this.running) throw new Error(`${this.name} exited before ${what}:\n${this.output.slice(-4000)}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		throw new Error(`${this.name}: no ${what} after ${timeoutMs} ms:\n${this.output.slice(-4000)}`);
	}

	/** Stops the whole process group: SIGTERM, then SIGKILL if it lingers. */
	async stop(): Promise<void> {
		if (this.child.pid === undefined) return;
		const group = -this.child.pid;
		const signal = (name: NodeJS.Signals) => {
			try {
				process.kill(group, name);
			} catch {
				// already gone
			}
		};
		signal('SIGTERM');
		const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
		if ((await Promise.race([this.exited, timeout])) === 'timeout') signal('SIGKILL');
		// Task runners live in the same group and may outlive their parent by a moment.
		await new Promise((resolve) => setTimeout(resolve, 200));
		signal('SIGKILL');
		liveGroups.delete(this.child.pid);
	}
}

/** Spawns a command in its own process group (so it can be stopped with everything it started). */
export function spawnGroup(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Server {
	const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	return new Server(name, child);
}

export interface ExecuteResult extends CommandResult {
	/** The run as `n8n execute --rawOutput` prints it. */
	run: N8nRun;
}

/** What `n8n execute --rawOutput` prints (the parts the tests read). */
export interface N8nRun {
	status: string;
	finished?: boolean;
	data: {
		resultData: {
			runData: Record<string, TaskData[]>;
			error?: { message: string; description?: string; httpCode?: string | number; node?: { name: string } };
			lastNodeExecuted?: string;
			/** The execution's custom data (`this.customData` in a node, `$execution.customData` in expressions). */
			metadata?: Record<string, string>;
		};
	};
}

export interface TaskData {
	executionStatus?: string;
	executionTime: number;
	error?: { message: string; description?: string; httpCode?: string | number };
	/** The execution hints a node added (the notice above its output in the editor). */
	hints?: Array<{ message: string; location?: string }>;
	data?: { main: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown; error?: unknown; binary?: Record<string, SavedBinary> }> | null> };
}

/** A file in an item's binary data as n8n saves it: base64 in `data`, or (filesystem mode) a reference in `id`. */
export interface SavedBinary {
	mimeType: string;
	fileName?: string;
	data: string;
	id?: string;
}

/**
 * The run JSON from `execute --rawOutput`: n8n logs it at info level, after other log lines, from the first
 * line that is exactly `{` to the last line that is exactly `}`.
 */
export function parseRun(stdout: string): N8nRun {
	const lines = stdout.split('\n');
	const first = lines.indexOf('{');
	const last = lines.lastIndexOf('}');
	if (first === -1 || last < first) throw new Error(`no run JSON in the output of n8n execute:\n${stdout.slice(-4000)}`);
	return JSON.parse(lines.slice(first, last + 1).join('\n')) as N8nRun;
}

/** The items a node put on one of its outputs in a run (its first by default; `[]` when the output stayed empty). */
export function outputItems(run: N8nRun, node: string, output = 0, runIndex = 0): Array<Record<string, unknown>> {
	return outputEntries(run, node, output, runIndex).map((entry) => entry.json);
}

/** Like `outputItems`, with each item's `pairedItem` (and `error`, if n8n kept one). */
export function outputEntries(run: N8nRun, node: string, output = 0, runIndex = 0) {
	const task = run.data.resultData.runData[node]?.[runIndex];
	if (!task) throw new Error(`node "${node}" did not run; ran: ${Object.keys(run.data.resultData.runData).join(', ')}`);
	return task.data?.main[output] ?? [];
}

/** Every item a node put out in a run, across its outputs (routed ones): each with its output and input item, in input order. */
export function itemsByInput(run: N8nRun, node: string, runIndex = 0) {
	const task = run.data.resultData.runData[node]?.[runIndex];
	if (!task) throw new Error(`node "${node}" has no run ${runIndex}`);
	return (task.data?.main ?? [])
		.flatMap((entries, output) => (entries ?? []).map((entry) => ({ ...entry, output, input: (entry.pairedItem as { item: number }).item })))
		.sort((a, b) => a.input - b.input);
}

export function ran(run: N8nRun, node: string): boolean {
	return run.data.resultData.runData[node] !== undefined;
}

/** An execution as n8n saved it: its status, run data and custom data. */
export interface SavedExecution {
	id: string;
	status: string;
	data: N8nRun['data'];
	customData: Record<string, string>;
}

export interface CredentialFixture {
	id: string;
	name: string;
	type: string;
	/** Plaintext: `n8n import:credentials` encrypts an object with the instance key as it stores it. */
	data: Record<string, unknown>;
}

/** A scratch n8n user folder with this package installed into `.n8n/nodes/node_modules`. */
export class N8nInstance {
	readonly env: NodeJS.ProcessEnv;

	private constructor(
		readonly userFolder: string,
		env: NodeJS.ProcessEnv,
	) {
		this.env = env;
	}

	/**
	 * Makes the user folder and installs the package (built first, unless `build: false`), or lets `install`
	 * install it into the user folder. `env` adds to or overrides the n8n environment (e.g. N8N_ENCRYPTION_KEY,
	 * queue settings) for every command.
	 */
	static create({
		build = true,
		env = {},
		install,
	}: { build?: boolean; env?: NodeJS.ProcessEnv; install?: (userFolder: string) => void } = {}): N8nInstance {
		const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `n8n-e2e-${N8N_VERSION}-`));
		if (install) {
			try {
				install(userFolder);
			} catch (error) {
				fs.rmSync(userFolder, { recursive: true, force: true });
				throw error;
			}
			return new N8nInstance(userFolder, { ...n8nBaseEnv(), N8N_USER_FOLDER: userFolder, ...env });
		}
		const result = spawnSync('bash', [path.join(ROOT, 'scripts/n8n/install-package.sh'), userFolder], {
			cwd: ROOT,
			env: { ...process.env, SKIP_BUILD: build ? '0' : '1' },
			encoding: 'utf8',
		});
		if (result.status !== 0) {
			fs.rmSync(userFolder, { recursive: true, force: true });
			throw new Error(`installing the package failed:\n${result.stdout}\n${result.stderr}`);
		}
		return new N8nInstance(userFolder, { ...n8nBaseEnv(), N8N_USER_FOLDER: userFolder, ...env });
	}

	/** The package as n8n sees it. */
	get packageDir(): string {
		return path.join(this.userFolder, '.n8n/nodes/node_modules/n8n-nodes-acedata-phone-verify');
	}

	private command(): { bin: string; args: string[] } {
		const [bin, ...args] = String(this.env.N8N_BIN).split(' ');
		return { bin, args };
	}

	/** Runs one n8n CLI command to its end (with a free task-broker port). */
	async run(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CommandResult> {
		const { bin, args: binArgs } = this.command();
		const server = spawnGroup(`n8n ${args[0]}`, bin, [...binArgs, ...args], {
			...this.env,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			...env,
		});
		const timer = setTimeout(() => void server.stop(), timeoutMs);
		const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
			server.child.on('close', (c, s) => resolve([c, s])),
		);
		clearTimeout(timer);
		// The command is done; make sure no task runner of its group outlives it.
		await server.stop();
		return { code, signal, stdout: server.stdout, stderr: server.stderr };
	}

	/** Runs a command that must succeed. */
	async runOk(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
		const result = await this.run(args, env);
		if (result.code !== 0) {
			throw new Error(`n8n ${args.join(' ')} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`.slice(-6000));
		}
		return result;
	}

	private writeJson(name: string, value: unknown): string {
		const file = path.join(this.userFolder, name);
		fs.writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}

	async importCredentials(credentials: CredentialFixture[]): Promise<void> {
		const file = this.writeJson('e2e-credentials.json', credentials);
		const result = await this.runOk(['import:credentials', `--input=${file}`]);
		expectLine(result, /Successfully imported \d+ credential/);
	}

	/** Imports workflows (each with a fixed `id`) in one go. */
	async importWorkflows(workflows: object[]): Promise<void> {
		const file = this.writeJson('e2e-workflows.json', workflows);
		const result = await this.runOk(['import:workflow', `--input=${file}`]);
		expectLine(result, /Successfully imported \d+ workflow/);
	}

	/** Activates a workflow so its triggers (webhooks) listen: `publish:workflow` on 2.x, `update:workflow` on 1.x. */
	async activateWorkflow(id: string): Promise<void> {
		await this.runOk(
			N8N_MAJOR >= 2 ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true'],
		);
	}

	/**
	 * `n8n execute --id X --rawOutput`: exit code 1 when the workflow fails, and now and then a crash on exit
	 * after a complete run, so callers judge by the run's `status`.
	 */
	async execute(id: string): Promise<ExecuteResult> {
		const result = await this.run(['execute', `--id=${id}`, '--rawOutput']);
		return { ...result, run: parseRun(result.stdout) };
	}

	/**
	 * `execute`, then a check that no secret (a token) appears in anything n8n printed: the run data, its logs.
	 * Throws naming the secret's position, never the secret itself.
	 */
	async executeWithout(secrets: string[], id: string): Promise<ExecuteResult> {
		const result = await this.execute(id);
		const everything = result.stdout + result.stderr;
		secrets.forEach((secret, index) => {
			if (everything.includes(secret)) throw new Error(`secret #${index} appears in the output of n8n execute --id=${id}`);
		});
		return result;
	}

	/** A workflow as n8n stored it (`n8n export:workflow --id`). */
	async exportWorkflow(id: string): Promise<{ id: string; nodes: Array<{ name: string; typeVersion: number; parameters: unknown }> }> {
		const file = path.join(this.userFolder, `e2e-export-${id}.json`);
		await this.runOk(['export:workflow', `--id=${id}`, `--output=${file}`]);
		const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
		return Array.isArray(exported) ? exported[0] : exported;
	}

	/**
	 * The executions of a workflow as n8n saved them in its database, oldest first: the run data and the custom
	 * data (`execution_metadata`). Read with Node 24's built-in SQLite, so no n8n has to boot for it; while an
	 * n8n runs (1.x writes without a write-ahead log), a read waits for its writes.
	 */
	savedExecutions(workflowId: string): SavedExecution[] {
		const script = `
			const { DatabaseSync } = require('node:sqlite');
			const db = new DatabaseSync(process.argv[1], { readOnly: true, timeout: 10000 });
			const rows = db.prepare('SELECT e.id, e.status, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id').all(process.argv[2]);
			for (const row of rows) {
				row.customData = Object.fromEntries(db.prepare('SELECT key, value FROM execution_metadata WHERE executionId = ?').all(row.id).map((m) => [m.key, m.value]));
			}
			process.stdout.write(JSON.stringify(rows));`;
		const result = spawnSync(String(this.env.NODE24), ['-e', script, path.join(this.userFolder, '.n8n/database.sqlite'), workflowId], {
			encoding: 'utf8',
			env: { ...this.env, NODE_NO_WARNINGS: '1' },
		});
		if (result.status !== 0) throw new Error(`reading the saved executions failed:\n${result.stderr}`);
		const rows = JSON.parse(result.stdout) as Array<{ id: number; status: string; data: string; customData: Record<string, string> }>;
		return rows.map((row) => ({ ...row, id: String(row.id), data: parseFlatted(row.data) as N8nRun['data'] }));
	}

	/** The bytes of a file in a saved execution: from the run data itself, or from n8n's storage folder. */
	savedBinaryBytes(binary: SavedBinary): Buffer {
		const reference = /^filesystem(?:-v2)?:(.+)$/.exec(binary.id ?? '');
		if (!reference) return Buffer.from(binary.data, 'base64');
		// 2.x keeps execution files under .n8n/storage, 1.x under .n8n/binaryData.
		const file = ['storage', 'binaryData'].map((folder) => path.join(this.userFolder, '.n8n', folder, reference[1])).find((candidate) => fs.existsSync(candidate));
		if (!file) throw new Error(`no file for ${binary.id} in ${this.userFolder}/.n8n`);
		return fs.readFileSync(file);
	}

	/** The node types n8n loaded (`n8n export:nodes`). */
	async exportNodes(): Promise<Array<{ name: string; displayName: string; version: number | number[]; credentials?: Array<{ name: string }> }>> {
		const file = path.join(this.userFolder, 'e2e-nodes.json');
		await this.runOk(['export:nodes', `--output=${file}`]);
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	}

	/** Starts a long-running n8n command (`start`, `worker`) with the given extra environment. */
	async spawn(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Server> {
		const { bin, args: binArgs } = this.command();
		return spawnGroup(`n8n ${args.join(' ')}`, bin, [...binArgs, ...args], {
			...this.env,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			...env,
		});
	}

	/** `n8n start` on a free port, resolved once it answers its readiness check. */
	async start(env: NodeJS.ProcessEnv = {}): Promise<{ server: Server; url: string }> {
		const port = await freePort();
		const server = await this.spawn(['start'], { N8N_PORT: String(port), ...env });
		const url = `http://127.0.0.1:${port}`;
		try {
			await server.waitFor(async () => await isReady(url), 'readiness');
		} catch (error) {
			await server.stop();
			throw error;
		}
		return { server, url };
	}

	remove(): void {
		fs.rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/**
 * Ready for the editor's calls: n8n 1.x answers /healthz/readiness before it has mounted its REST routes,
 * so the public settings route must answer too.
 */
async function isReady(url: string): Promise<boolean> {
	try {
		for (const route of ['/healthz/readiness', '/rest/settings']) {
			// A booting n8n may accept the connection and answer late: do not wait on it.
			if ((await fetch(`${url}${route}`, { signal: AbortSignal.timeout(2_000) })).status !== 200) return false;
		}
		return true;
	} catch {
		return false;
	}
}

function expectLine(result: CommandResult, pattern: RegExp): void {
	if (!pattern.test(result.stdout + result.stderr)) {
		throw new Error(`expected ${pattern} in the output:\n${result.stdout}\n${result.stderr}`.slice(-6000));
	}
}

/**
 * A logged-in session against n8n's REST API (the calls the editor makes): the owner account is set up on
 * first use, and the auth cookie is carried by hand.
 */
export class RestSession {
	private cookie = '';

	constructor(readonly url: string) {}

	static async setUpOwner(url: string): Promise<RestSession> {
		const session = new RestSession(url);
		const owner = { email: 'e2e@example.com', firstName: 'End', lastName: 'ToEnd', password: 'E2e-Passw0rd' };
		await session.request('POST', '/rest/owner/setup', owner);
		await session.request('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		return session;
	}

	async request<T = unknown>(method: string, route: string, body?: unknown): Promise<T> {
		const send = async () =>
			await fetch(`${this.url}${route}`, {
				method,
				headers: {
					'content-type': 'application/json',
					'browser-id': 'e2e-browser',
					...(this.cookie ? { cookie: this.cookie } : {}),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(30_000),
			});
		// A busy n8n now and then drops the connection of a large answer (/types/nodes.json): a read is asked again.
		const response = await send().catch(async (error: unknown) => {
			if (method !== 'GET') throw error;
			await new Promise((resolve) => setTimeout(resolve, 1_000));
			return await send();
		});
		const setCookie = response.headers.getSetCookie?.() ?? [];
		const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth;
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status} ${text.slice(0, 500)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	}
}
