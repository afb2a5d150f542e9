/**
 * `npm start`: a local n8n with this package installed, a sandbox provider and the example workflows,
 * so that every branch of the node can be tried without a token or money.
 *
 *   npm start                      # http://localhost:5678
 *   npm start -- --fresh-examples  # re-import the example workflows over your edits of them
 *   N8N_PORT=5680 SANDBOX_PORT=8788 N8N_RUNNERS_BROKER_PORT=5681 npm start   # other ports
 *   N8N_LOCAL_USER_FOLDER=/tmp/n8n-try npm start   # another user folder (e.g. beside another checkout's)
 *
 * What it does, in order: build the package (its output shown only if it fails); install n8n 2.41.1 and
 * Node 24 into .cache/ (first run only, FIRST_INSTALL_TIME below, with a progress line every 15 s and npm's
 * output in a log file the installer names); install the packed package into the user folder .cache/n8n-user
 * (every start, so code changes are picked up); start the sandbox provider; import the sandbox credential
 * (every start) and the example workflows (those not there yet); record the package in n8n's database as its
 * community-package installer does (Settings → Community Nodes lists it); start `n8n start` (NODE_ENV=production); create the documented
 * local owner on the first run; print the URL. Ctrl-C (SIGINT) or SIGTERM stops n8n and the sandbox, each as a
 * process group.
 *
 * Delete .cache/n8n-user (or N8N_LOCAL_USER_FOLDER) to start over (database, encryption key, owner, executions).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { SANDBOX_PORT, SANDBOX_TOKEN } from './sandbox';

const ROOT = path.resolve(__dirname, '..');
/**
 * n8n's user folder. Not read from N8N_USER_FOLDER: that may point at your own n8n, which `npm start` would fill
 * with the sandbox credential and the examples.
 */
const USER_FOLDER = process.env.N8N_LOCAL_USER_FOLDER
	? path.resolve(process.env.N8N_LOCAL_USER_FOLDER)
	: path.join(ROOT, '.cache', 'n8n-user');
const N8N_LOG = path.join(USER_FOLDER, 'n8n.log');
const EXAMPLES_DIR = path.join(ROOT, 'examples');

/** The local owner created on the first run (documented in CONTRIBUTING.md, "Try it locally"). */
export const LOCAL_OWNER = {
	email: process.env.N8N_LOCAL_OWNER_EMAIL ?? 'owner@example.com',
	password: process.env.N8N_LOCAL_OWNER_PASSWORD ?? 'Sandbox-Owner-1',
	firstName: 'Local',
	lastName: 'Owner',
};

/** Where the sandbox's test identities are listed (test/package/docs.test.ts checks that the section is there). */
export const SANDBOX_IDENTITIES_DOC = { file: 'CONTRIBUTING.md', section: 'Sandbox identities' };

/** Fixed ids: workflows refer to the credential by this id, and re-imports update instead of duplicating. */
export const SANDBOX_CREDENTIAL = { id: 'aceSandboxCred01', name: 'Ace Data Cloud (sandbox)' };

/**
 * What the first install takes (npm installs n8n, then two native modules are compiled), measured on a 2-core
 * machine: 585 s with nothing else running, 1,352 s with other work sharing the cores (CONTRIBUTING.md, "Try it locally").
 */
const FIRST_INSTALL_TIME = 'about 10 minutes on a 2-core machine, 20 or more while other work shares its cores';
/** How scripts/n8n/install.sh starts its own lines. */
const INSTALLER_TAG = '[n8n-install] ';

const started = Date.now();

function log(message: string): void {
	const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
	process.stdout.write(`[start ${seconds}s] ${message}\n`);
}

function fail(message: string): void {
	process.stderr.write(`\n[start] ${message}\n`);
	void shutdown(1);
}

// ---- child processes ---------------------------------------------------------------------------------

/** Long-running children, each the leader of its own process group (killed as a group). */
const services: { name: string; child: ChildProcess }[] = [];
/** Short-lived steps (build, installer, CLI imports): process groups too, stopped on shutdown. */
const steps = new Set<ChildProcess>();
let stopping = false;
let stoppingSince = 0;

function isRunning(child: ChildProcess): boolean {
	return child.exitCode === null && child.signalCode === null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
	if (!isRunning(child)) return Promise.resolve(true);
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve(false), ms);
		child.once('exit', () => {
			clearTimeout(timer);
			resolve(true);
		});
	});
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// the group is gone already
	}
}

/** SIGTERM to the group, SIGKILL after `graceMs`; then SIGKILL again for grandchildren that outlived the leader. */
async function stopGroup(name: string, child: ChildProcess, graceMs: number): Promise<void> {
	killGroup(child, 'SIGTERM');
	if (!(await waitForExit(child, graceMs))) {
		log(`${name} did not stop within ${graceMs / 1000} s: killing it`);
		killGroup(child, 'SIGKILL');
		await waitForExit(child, 5_000);
	}
	killGroup(child, 'SIGKILL');
}

async function shutdown(code: number): Promise<void> {
	if (stopping) return;
	stopping = true;
	stoppingSince = Date.now();
	const running = services.filter((s) => isRunning(s.child));
	if (running.length > 0) log(`stopping ${running.map((s) => s.name).join(' and ')}…`);
	await Promise.all([
		// A step cut short (an import, the installer) has nothing worth waiting long for.
		...[...steps].map((step) => stopGroup(path.basename(String(step.spawnfile)), step, 5_000)),
		// n8n shuts down gracefully on SIGTERM (running executions get some time to finish).
		...services.map(({ name, child }) => stopGroup(name, child, 20_000)),
	]);
	if (running.length > 0) log('stopped');
	process.exit(code);
}

function onSignal(signal: NodeJS.Signals): void {
	if (stopping) {
		// Ctrl-C reaches npm and us at once, and npm passes its copy on: one keypress, two signals.
		if (Date.now() - stoppingSince < 3_000) return;
		// A second Ctrl-C later on: do not wait for graceful shutdown.
		for (const child of [...services.map((s) => s.child), ...steps]) killGroup(child, 'SIGKILL');
		process.exit(130);
	}
	process.stdout.write('\n');
	log(`${signal}: shutting down`);
	void shutdown(0);
}

/** Calls `onLine` with each complete line of a stream's chunks. */
function byLine(onLine: (line: string) => void): (chunk: Buffer) => void {
	let pending = '';
	return (chunk) => {
		const lines = (pending + chunk.toString()).split('\n');
		pending = lines.pop() ?? '';
		for (const line of lines) onLine(line);
	};
}

/**
 * Runs a short step to completion; rejects on a non-zero exit. Its output is shown as it comes, or captured
 * (resolved, and attached to the error so that a failure shows it), or handed over line by line (`onLine`).
 */
function run(
	command: string,
	args: string[],
	options: { env?: NodeJS.ProcessEnv; capture?: boolean; cwd?: string; onLine?: (line: string) => void } = {},
): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd ?? ROOT,
			env: options.env ?? process.env,
			stdio: options.capture || options.onLine ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
			// Its own process group, stopped by shutdown(): an n8n CLI command half-ignores a plain Ctrl-C.
			detached: true,
		});
		steps.add(child);
		let output = '';
		if (options.onLine) {
			child.stdout?.on('data', byLine(options.onLine));
			child.stderr?.on('data', byLine(options.onLine));
		} else {
			child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
			child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		}
		child.on('error', reject);
		child.on('exit', (code, signal) => {
			steps.delete(child);
			if (code === 0) resolve(output);
			else {
				const err = new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`);
				(err as Error & { output?: string }).output = output;
				reject(err);
			}
		});
	});
}

// ---- environment -------------------------------------------------------------------------------------

/** The environment scripts/n8n/env.sh sets up (one source of truth for n8n's headless settings). */
async function n8nEnvironment(): Promise<NodeJS.ProcessEnv> {
	const dump = await run('bash', ['-c', 'source scripts/n8n/env.sh >/dev/null 2>&1 && env -0'], { capture: true });
	const env: NodeJS.ProcessEnv = {};
	for (const entry of dump.split('\0')) {
		const eq = entry.indexOf('=');
		if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
	}
	env.N8N_USER_FOLDER = USER_FOLDER;
	// Outside production n8n talks to its staging servers (templates, licences), which fail offline.
	env.NODE_ENV = 'production';
	// Nor its production servers: the list of verified community nodes, and (n8n 2.x) the MCP server registry.
	env.N8N_VERIFIED_PACKAGES_ENABLED = 'false';
	if (Number(env.N8N_VERSION?.split('.')[0]) >= 2) env.N8N_DISABLED_MODULES = 'mcp-registry';
	// The editor is for this machine only.
	env.N8N_HOST = process.env.N8N_HOST ?? 'localhost';
	env.N8N_EDITOR_BASE_URL = `http://localhost:${env.N8N_PORT}`;
	env.WEBHOOK_URL = `http://localhost:${env.N8N_PORT}/`;
	env.N8N_RUNNERS_BROKER_PORT = process.env.N8N_RUNNERS_BROKER_PORT ?? '5679';
	return env;
}

function portFree(port: number, host: string): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, host, () => server.close(() => resolve(true)));
	});
}

/** A port nothing listens on now (for scripts that start n8n beside another). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** Every busy port at once, with one command that frees them all and the variables that move them. */
async function requirePortsFree(ports: { port: number; what: string; variable: string }[]): Promise<void> {
	const busy: typeof ports = [];
	for (const entry of ports) if (!(await portFree(entry.port, '127.0.0.1'))) busy.push(entry);
	if (busy.length === 0) return;
	throw new Error(
		[
			`${busy.length === 1 ? 'a port is' : 'ports are'} in use (another \`npm start\` or n8n may be running):`,
			...busy.map(({ port, what }) => `  ${port}  ${what}`),
			'Stop what holds them (this stops every process listening on them):',
			`  kill $(lsof -t -sTCP:LISTEN ${busy.map(({ port }) => `-iTCP:${port}`).join(' ')})`,
			'or start on other ports:',
			`  ${busy.map(({ port, variable }) => `${variable}=${port + 10}`).join(' ')} npm start`,
		].join('\n'),
	);
}

// ---- services ----------------------------------------------------------------------------------------

function startService(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, logFile?: string) {
	const out = logFile ? fs.openSync(logFile, 'a') : 'pipe';
	const child = spawn(command, args, {
		cwd: ROOT,
		env,
		// Its own process group: Ctrl-C reaches it through shutdown() only, and the group takes its children along.
		detached: true,
		stdio: ['ignore', out, out],
	});
	services.push({ name, child });
	child.on('exit', (code, signal) => {
		if (stopping) return;
		log(`${name} exited unexpectedly (${signal ?? `exit ${code}`})${logFile ? `; see ${path.relative(ROOT, logFile)}` : ''}`);
		void shutdown(1);
	});
	return child;
}

async function startSandbox(port: number): Promise<string> {
	const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
	const child = startService('sandbox provider', tsx, ['scripts/sandbox.ts', '--port', String(port)], process.env);
	return new Promise((resolve, reject) => {
		let buffer = '';
		const timer = setTimeout(() => reject(new Error(`the sandbox did not start within 30 s:\n${buffer}`)), 30_000);
		const onData = (chunk: Buffer) => {
			buffer += chunk.toString();
			const match = /sandbox provider on (\S+)/.exec(buffer);
			if (match) {
				clearTimeout(timer);
				// Keep echoing what it says (it says little), prefixed.
				child.stdout?.off('data', onData);
				child.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix('[sandbox] ', c)));
				resolve(match[1]);
			}
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix('[sandbox] ', c)));
	});
}

function prefix(tag: string, chunk: Buffer): string {
	return chunk
		.toString()
		.split('\n')
		.filter((line) => line.length > 0)
		.map((line) => `${tag}${line}\n`)
		.join('');
}

async function waitForHealthy(baseUrl: string, n8n: ChildProcess, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (!isRunning(n8n)) throw new Error('n8n exited during start-up');
		try {
			const res = await fetch(`${baseUrl}/healthz/readiness`);
			if (res.ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error(`n8n did not become ready within ${timeoutMs / 1000} s`);
}

// ---- n8n data ----------------------------------------------------------------------------------------

function n8nCli(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
	const [node, ...rest] = (env.N8N_BIN ?? '').split(' ');
	return run(node, [...rest, ...args], { env, capture: true });
}

interface ExampleNode {
	type: string;
	parameters: Record<string, unknown>;
}

export interface Example {
	file: string;
	id: string;
	name: string;
	/** The path of its Webhook trigger, if it has one. */
	webhookPath?: string;
	/** Data tables its "create table" nodes define (created through REST when missing). */
	tables: { name: string; columns: { name: string; type: string }[] }[];
}

export function exampleFiles(): Example[] {
	if (!fs.existsSync(EXAMPLES_DIR)) return [];
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => {
			const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as {
				id: string;
				name: string;
				nodes: ExampleNode[];
			};
			const webhook = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
			const tables = workflow.nodes
				.filter((n) => n.type === 'n8n-nodes-base.dataTable' && n.parameters.resource === 'table' && n.parameters.operation === 'create')
				.map((n) => ({
					name: String(n.parameters.tableName),
					columns: (n.parameters.columns as { column?: { name: string; type: string }[] } | undefined)?.column ?? [],
				}));
			return { file, id: workflow.id, name: workflow.name, webhookPath: webhook?.parameters.path as string | undefined, tables };
		});
}

async function importSandboxData(env: NodeJS.ProcessEnv, sandboxUrl: string): Promise<void> {
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'acedata-start-'));
	try {
		// The credential, every start: its Base URL follows the sandbox port.
		const credentialFile = path.join(scratch, 'credential.json');
		fs.writeFileSync(
			credentialFile,
			JSON.stringify([
				{
					...SANDBOX_CREDENTIAL,
					type: 'aceDataCloudApi',
					data: { apiToken: SANDBOX_TOKEN, baseUrl: sandboxUrl },
				},
			]),
		);
		await n8nCli(env, ['import:credentials', `--input=${credentialFile}`]);
		log(`credential "${SANDBOX_CREDENTIAL.name}" → ${sandboxUrl}`);

		// The examples: the ones not there yet (your edits of an imported example survive restarts).
		const examples = exampleFiles();
		const listed = await n8nCli(env, ['list:workflow']);
		const existing = new Set(listed.split('\n').map((line) => line.split('|')[0].trim()));
		const toImport = process.argv.includes('--fresh-examples') ? examples : examples.filter((e) => !existing.has(e.id));
		if (toImport.length === 0) {
			log(`example workflows already imported (${examples.length}); \`npm start -- --fresh-examples\` re-imports them`);
			return;
		}
		const dir = path.join(scratch, 'workflows');
		fs.mkdirSync(dir);
		for (const e of toImport) fs.copyFileSync(path.join(EXAMPLES_DIR, e.file), path.join(dir, e.file));
		await n8nCli(env, ['import:workflow', '--separate', `--input=${dir}`]);
		log(`imported ${toImport.length} example workflow(s): ${toImport.map((e) => e.name).join('; ')}`);
		// Webhook examples are published, so that their production URL answers at once (curl, see the hint).
		// An import unpublishes; publishing again only follows an import, so a workflow you unpublished stays so.
		for (const e of toImport.filter((w) => w.webhookPath)) {
			await n8nCli(env, ['publish:workflow', `--id=${e.id}`]);
			log(`published "${e.name}" (POST /webhook/${e.webhookPath})`);
		}
	} finally {
		fs.rmSync(scratch, { recursive: true, force: true });
	}
}

interface Settings {
	data?: { userManagement?: { showSetupOnFirstLoad?: boolean } };
}

/** Creates the documented local owner the first time (n8n would otherwise show its owner-setup screen). */
export async function ensureOwner(baseUrl: string): Promise<'created' | 'exists'> {
	const settings = (await (await fetch(`${baseUrl}/rest/settings`)).json()) as Settings;
	if (!settings.data?.userManagement?.showSetupOnFirstLoad) return 'exists';
	const res = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(LOCAL_OWNER),
	});
	if (!res.ok) throw new Error(`owner setup failed: HTTP ${res.status} ${await res.text()}`);
	return 'created';
}

/** A session cookie for the local owner, or undefined when its password is not the documented one. */
export async function ownerCookie(baseUrl: string): Promise<string | undefined> {
	const res = await fetch(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: LOCAL_OWNER.email, password: LOCAL_OWNER.password }),
	});
	if (!res.ok) return undefined;
	return res.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.join('; ');
}

/** Creates the data tables the examples write to, when missing (the examples also have a "create" branch). */
export async function ensureDataTables(baseUrl: string, examples: Example[]): Promise<void> {
	const tables = examples.flatMap((e) => e.tables);
	if (tables.length === 0) return;
	const cookie = await ownerCookie(baseUrl);
	if (!cookie) {
		log(`could not sign in as ${LOCAL_OWNER.email}: run "Create the table" in the data table example once`);
		return;
	}
	const headers = { cookie, 'content-type': 'application/json' };
	const project = (await (await fetch(`${baseUrl}/rest/projects/personal`, { headers })).json()) as { data: { id: string } };
	const api = `${baseUrl}/rest/projects/${project.data.id}/data-tables`;
	for (const table of tables) {
		const filter = encodeURIComponent(JSON.stringify({ name: table.name }));
		const found = (await (await fetch(`${api}?filter=${filter}`, { headers })).json()) as { data: { count: number } };
		if (found.data.count > 0) continue;
		const res = await fetch(api, { method: 'POST', headers, body: JSON.stringify(table) });
		if (!res.ok) throw new Error(`creating the data table ${table.name} failed: HTTP ${res.status} ${await res.text()}`);
		log(`created the data table "${table.name}"`);
	}
}

// ---- main --------------------------------------------------------------------------------------------

async function main(): Promise<void> {
	const env = await n8nEnvironment();
	const n8nPort = Number(env.N8N_PORT);
	const sandboxPort = Number(process.env.SANDBOX_PORT ?? SANDBOX_PORT);
	const brokerPort = Number(env.N8N_RUNNERS_BROKER_PORT);
	await requirePortsFree([
		{ port: n8nPort, what: 'n8n editor', variable: 'N8N_PORT' },
		{ port: brokerPort, what: "n8n's task broker", variable: 'N8N_RUNNERS_BROKER_PORT' },
		{ port: sandboxPort, what: 'sandbox provider', variable: 'SANDBOX_PORT' },
	]);

	log('building the package (npm run build)');
	// Quiet unless it fails (the error then carries tsc's and gulp's output).
	await run('npm', ['run', '--silent', 'build'], { capture: true });

	const installed = fs.existsSync(path.join(env.N8N_HOME_DIR ?? '', '.install-complete'));
	if (!installed) {
		log(
			`first run: n8n ${env.N8N_VERSION} and Node 24 are installed into .cache/ once (3 GB; ${FIRST_INSTALL_TIME}); ` +
				'later starts reuse them',
		);
	}
	// The installer's steps and progress lines read as ours; what else it prints (the end of its log, after a
	// failure) is passed on as it is. npm's own output goes to the installer's log file, which it names.
	await run('bash', [path.join(ROOT, 'scripts/n8n/install.sh')], {
		onLine: (line) =>
			line.startsWith(INSTALLER_TAG) ? log(line.slice(INSTALLER_TAG.length)) : process.stderr.write(`${line}\n`),
	});

	log(`installing this package into ${path.relative(ROOT, USER_FOLDER)} (as n8n's community-package installer does)`);
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	await run('bash', [path.join(ROOT, 'scripts/n8n/install-package.sh'), USER_FOLDER], {
		env: { ...process.env, SKIP_BUILD: '1' },
		capture: true,
	});

	log(`starting the sandbox provider on 127.0.0.1:${sandboxPort}`);
	const sandboxUrl = await startSandbox(sandboxPort);

	log('importing the sandbox credential and the example workflows');
	await importSandboxData(env, sandboxUrl);
	// Listed in Settings → Community Nodes, with its version, as n8n's own installer would have recorded it.
	await run(String(env.NODE24), [path.join(ROOT, 'scripts/n8n/record-package.js'), USER_FOLDER], {
		env: { ...env, NODE_PATH: path.join(String(env.N8N_HOME_DIR), 'node_modules') },
		capture: true,
	});

	const baseUrl = `http://localhost:${n8nPort}`;
	log(`starting n8n ${env.N8N_VERSION} (log: ${path.relative(ROOT, N8N_LOG)})`);
	fs.appendFileSync(N8N_LOG, `\n==== npm start ${new Date().toISOString()} ====\n`);
	const [node, ...n8nArgs] = (env.N8N_BIN ?? '').split(' ');
	const n8n = startService('n8n', node, [...n8nArgs, 'start'], env, N8N_LOG);
	const launched = Date.now();
	const localUrl = `http://127.0.0.1:${n8nPort}`;
	await waitForHealthy(localUrl, n8n, 180_000);
	log(`n8n ready after ${((Date.now() - launched) / 1000).toFixed(1)} s`);
	const owner = await ensureOwner(localUrl);
	if (owner === 'created') log(`created the local owner ${LOCAL_OWNER.email}`);
	const examples = exampleFiles();
	await ensureDataTables(localUrl, examples);

	const webhookExample = examples.find((e) => e.webhookPath);
	const lines = [
		'',
		`  n8n is running: ${baseUrl}`,
		owner === 'created' || (await ownerCookie(localUrl))
			? `  sign in as ${LOCAL_OWNER.email} / ${LOCAL_OWNER.password} (the local owner)`
			: '  sign in as the owner you set up',
		`  sandbox provider: ${sandboxUrl}, used by the credential "${SANDBOX_CREDENTIAL.name}" (no token, no money)`,
		'',
		'  Try this:',
		'  - open "Example: batch verification from a CSV file", click Execute workflow: 14 rows,',
		'    every result code, and a summary of billed calls and matches',
		...(webhookExample
			? [
					`  - curl -X POST ${baseUrl}/webhook/${webhookExample.webhookPath} -H 'content-type: application/json' \\`,
					`      -d '{"name":"张三","phone":"13800138000","idCard":"11010519491231002X","email":"zhang@example.com"}'`,
					'    then see the row in Overview → Data tables → verified_leads',
				]
			: []),
		`  - more test identities (every check, each answer, each error): ${SANDBOX_IDENTITIES_DOC.file}, "${SANDBOX_IDENTITIES_DOC.section}"`,
		...(examples.length > 0
			? ['', '  Example workflows:', ...examples.map((e) => `    ${baseUrl}/workflow/${e.id}  ${e.name}`)]
			: []),
		'',
		`  Your data: ${path.relative(ROOT, USER_FOLDER)} (delete it to start over). Ctrl-C stops n8n and the sandbox.`,
		'',
	];
	process.stdout.write(lines.join('\n') + '\n');
}

if (require.main === module) {
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);
	// Whoever started us died without a signal reaching us (e.g. npm killed with SIGKILL): stop, leave nothing.
	const parent = process.ppid;
	setInterval(() => {
		if (process.ppid !== parent && !stopping) {
			log('the parent process is gone: shutting down');
			void shutdown(1);
		}
	}, 1000).unref();
	main().catch((error: Error & { output?: string }) => {
		if (stopping) return;
		if (error.output) process.stderr.write(error.output);
		fail(error.message);
	});
}
