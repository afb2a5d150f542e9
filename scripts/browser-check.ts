/// <reference lib="dom" />
/**
 * The examples as a newcomer meets them, in a real browser: headless Chromium (Debian's) driven by
 * playwright-core signs in to `npm start`'s n8n, opens each example, runs it the way its sticky note says, and
 * checks that the run ends without a red node and with the figures the note states (scripts/exampleFigures.ts).
 * With --screenshots it also takes the README's pictures into docs/images/: each example after its run, the
 * batch example's Summary and Cost estimate, and the Verify node's panel and options.
 *
 *   npx tsx scripts/browser-check.ts                  # starts `npm start` on free ports in a scratch folder
 *   npx tsx scripts/browser-check.ts --screenshots    # the same, and retakes docs/images/*.png
 *   N8N_URL=http://localhost:5678 npx tsx scripts/browser-check.ts   # against an `npm start` already running
 *
 * Needs Debian's Chromium and a CJK font (the examples hold Chinese names): apt-get install chromium
 * fonts-noto-cjk. CHROMIUM names another binary. Exit code 0 when every check passes.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { PHOTO_BASE } from '../test/support/checkCases';
import {
	AGENT_ID,
	BATCH_EXPECTED,
	BATCH_ID,
	BATCH_ROUTED,
	CRM_ID,
	ESTIMATE_EXPECTED,
	ONBOARDING_CASES,
	ONBOARDING_ID,
	onboardingRunFigures,
	PAYOUT_BILLED,
	PAYOUT_ID,
	PAYOUT_ROUTED,
	PAYOUT_STATUSES,
	payoutRunFigures,
	WEBHOOK_ID,
	ZHANG,
} from './exampleFigures';
import type { RunData, SavedRun } from './savedRuns';
import { failedNodes, items, lastRun } from './savedRuns';
import { freePort, LOCAL_OWNER, SANDBOX_CREDENTIAL } from './start';

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'docs', 'images');
const SCREENSHOTS = process.argv.includes('--screenshots');
const WIDTH = 1400;
const HEIGHT = 800;
/**
 * Taller pictures: the node panel (every parameter of the encryption panel fits), and a canvas whose note stands
 * above three rows of nodes (fit to a wide picture, its note would be too small to read).
 */
const TALL_HEIGHT = 1000;
const VERIFY_TYPE = 'n8n-nodes-acedata-phone-verify.aceDataPhoneVerify';
/** Debian's Chromium on a machine without network: the flags keep it from calling home. */
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--hide-scrollbars',
];

let failures = 0;
function check(ok: boolean, message: string): void {
	if (!ok) failures++;
	process.stdout.write(`${ok ? '  ok  ' : '  FAIL'} ${message}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the sandbox -------------------------------------------------------------------------------------

/** `npm start` in a scratch user folder on free ports; resolves once it prints its URL. */
async function startSandbox(): Promise<{ url: string; stop: () => Promise<void> }> {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'acedata-browser-'));
	const port = await freePort();
	const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
		cwd: ROOT,
		env: {
			...process.env,
			N8N_LOCAL_USER_FOLDER: userFolder,
			N8N_PORT: String(port),
			SANDBOX_PORT: String(await freePort()),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		},
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
	child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
	const stop = async () => {
		if (child.exitCode === null && child.pid !== undefined) {
			// start.ts stops n8n and the sandbox on SIGTERM.
			process.kill(child.pid, 'SIGTERM');
			await new Promise((resolve) => child.once('exit', resolve));
		}
		fs.rmSync(userFolder, { recursive: true, force: true });
	};
	for (let waited = 0; waited < 240_000; waited += 250) {
		if (output.includes('n8n is running:')) {
			process.stdout.write(`npm start ready on port ${port} (${userFolder})\n`);
			return { url: `http://localhost:${port}`, stop };
		}
		if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output.slice(-3000)}`);
		await sleep(250);
	}
	await stop();
	throw new Error(`npm start did not get ready within 240 s:\n${output.slice(-3000)}`);
}

// ---- the editor --------------------------------------------------------------------------------------

class Editor {
	constructor(
		readonly page: Page,
		readonly url: string,
	) {}

	/** Signs in through the sign-in form, as a person does. */
	async signIn(): Promise<void> {
		await this.page.goto(`${this.url}/signin`);
		await this.page.locator('input[type=email]').fill(LOCAL_OWNER.email);
		await this.page.locator('input[type=password]').fill(LOCAL_OWNER.password);
		await this.page.locator('button[type=submit], [data-test-id="form-submit-button"]').first().click();
		await this.page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30_000 });
	}

	/** Opens a workflow and waits for its canvas (fit to view, icons loaded, pop-ups closed). */
	async open(id: string, nodes: number): Promise<void> {
		await this.page.goto(`${this.url}/workflow/${id}`);
		await this.page.waitForFunction((n) => document.querySelectorAll('.vue-flow__node').length >= n, nodes, { timeout: 30_000 });
		await sleep(2000);
		// A published workflow opens its production checklist over the canvas.
		await this.page.locator('[data-test-id="suggested-actions-close"]').click({ timeout: 1000 }).catch(() => undefined);
	}

	/** Clicks "Execute workflow" (with several triggers, it names the one it starts from). */
	async executeWorkflow(from?: string): Promise<void> {
		const button = this.page.locator('[data-test-id="execute-workflow-button"]');
		if (from) {
			const label = (await button.textContent()) ?? '';
			check(label.includes(from), `"Execute workflow" starts from ${from} (it says ${JSON.stringify(label)})`);
		}
		await button.click();
	}

	/** Waits until the run ends: a node on the canvas shows success, and none is still running. */
	async waitForRunEnd(what: string, ms = 60_000): Promise<void> {
		await this.page.waitForFunction(
			() =>
				document.querySelectorAll('[data-test-id="canvas-node-status-success"]').length > 0 &&
				document.querySelectorAll('[data-test-id="canvas-node-status-running"]').length === 0 &&
				!document.querySelector('[data-test-id="stop-execution-button"]'),
			undefined,
			{ timeout: ms },
		).catch(() => check(false, `${what}: the run ended within ${ms / 1000} s`));
		await sleep(1000);
	}

	/** The names of the nodes the canvas flags red (the editor's issue marker: an error, a missing credential). */
	async redNodes(): Promise<string[]> {
		return await this.page.evaluate(() =>
			Array.from(document.querySelectorAll('[data-test-id="node-issues"]')).map(
				(el) => el.closest('[data-node-name]')?.getAttribute('data-node-name') ?? '?',
			),
		);
	}

	/** Double-clicks a node, as a person opens it. */
	async openNode(name: string): Promise<void> {
		await this.page.locator(`[data-node-name=${JSON.stringify(name)}]`).first().dblclick();
		await this.page.locator('[data-test-id="ndv"]').waitFor({ timeout: 15_000 });
		await sleep(1000);
	}

	async closeNode(): Promise<void> {
		await this.page.locator('[data-test-id="ndv-close-button"], [data-test-id="back-to-canvas"]').first().click();
		await this.page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden', timeout: 15_000 });
		await sleep(500);
	}

	/** A call to n8n's REST API with the page's session. */
	async rest<T>(method: string, route: string, body?: unknown): Promise<T> {
		return (await this.page.evaluate(
			async ({ method, route, body }) => {
				const response = await fetch(route, {
					method,
					credentials: 'include',
					headers: { 'content-type': 'application/json', 'browser-id': localStorage.getItem('n8n-browserId') ?? '' },
					body: body === undefined ? undefined : JSON.stringify(body),
				});
				if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status}`);
				return await response.json();
			},
			{ method, route, body },
		)) as T;
	}

	/** The run data of the workflow's latest execution, as n8n saved it. */
	async lastRun(workflowId: string): Promise<Omit<SavedRun, 'id'>> {
		return (await lastRun((method, route) => this.rest(method, route), workflowId)) ?? { status: 'none', runData: {} };
	}

	async shoot(file: string): Promise<void> {
		if (!SCREENSHOTS) return;
		// Out of the way: no hover controls, no focus ring, no toast over the corner.
		await this.page.mouse.move(WIDTH - 5, HEIGHT / 2);
		await this.page.evaluate(() => {
			document.querySelectorAll<HTMLElement>('.el-notification__closeBtn').forEach((b) => b.click());
			(document.activeElement as HTMLElement | null)?.blur?.();
			getSelection()?.removeAllRanges();
		});
		await sleep(800);
		await this.page.screenshot({ path: path.join(OUT_DIR, file) });
		process.stdout.write(`  → docs/images/${file}\n`);
	}

	/** Runs the steps in a picture of this height, then goes back to the usual one. */
	async withHeight(height: number, steps: () => Promise<void>): Promise<void> {
		await this.page.setViewportSize({ width: WIDTH, height });
		try {
			await steps();
		} finally {
			await this.page.setViewportSize({ width: WIDTH, height: HEIGHT });
		}
	}

	/** One step out from "fit view", so the floating Execute button does not cover the lowest nodes. */
	async zoomOut(): Promise<void> {
		await this.page.locator('[data-test-id="zoom-out-button"]').click({ timeout: 2000 }).catch(() => undefined);
	}
}

/** Every node that ran ended well. */
function checkEveryNodeSucceeded(what: string, runData: RunData): void {
	const failed = failedNodes(runData);
	check(Object.keys(runData).length > 0 && failed.length === 0, `${what}: every node that ran succeeded${failed.length ? ` (not: ${failed.join(', ')})` : ''}`);
}

/** Figures equal, each checked on its own line. */
function checkFigures(what: string, got: Record<string, unknown>, want: Record<string, unknown>): void {
	for (const [key, value] of Object.entries(want)) check(got[key] === value, `${what}.${key} = ${value} (got ${JSON.stringify(got[key])})`);
}

/**
 * No node flagged red, except an enabled one the example marks on the canvas as needing the user's own account
 * (the AI agent's chat model, which has no credential in the sandbox; the run of its tool does not use it).
 */
async function checkNoRed(editor: Editor, what: string, file: string): Promise<void> {
	const marked = new Set(
		exampleNodes(file)
			.filter((n) => n.notesInFlow && /credential/i.test(n.notes ?? '') && !n.disabled)
			.map((n) => n.name),
	);
	const red = (await editor.redNodes()).filter((name) => !marked.has(name));
	check(red.length === 0, `${what}: no red node${marked.size ? ` but ${[...marked].join(', ')}` : ''}${red.length ? ` (red: ${red.join(', ')})` : ''}`);
}

// ---- the examples ------------------------------------------------------------------------------------

interface ExampleNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	notes?: string;
	notesInFlow?: boolean;
	disabled?: boolean;
}

function exampleNodes(file: string): ExampleNode[] {
	return (JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as { nodes: ExampleNode[] }).nodes;
}

async function batchExample(editor: Editor): Promise<void> {
	process.stdout.write('batch-from-csv.json: Execute workflow\n');
	await editor.open(BATCH_ID, exampleNodes('batch-from-csv.json').length);
	await editor.executeWorkflow();
	await editor.waitForRunEnd('batch');
	await checkNoRed(editor, 'batch', 'batch-from-csv.json');
	const { status, runData } = await editor.lastRun(BATCH_ID);
	check(status === 'success', `batch: the execution succeeded (got ${status})`);
	checkEveryNodeSucceeded('batch', runData);
	const routed = Object.keys(BATCH_ROUTED).map((_, output) => items(runData, 'Verify every row', output).length);
	check(
		JSON.stringify(routed) === JSON.stringify(Object.values(BATCH_ROUTED)),
		`batch: Verify every row routes ${JSON.stringify(BATCH_ROUTED)} (got ${JSON.stringify(routed)})`,
	);
	checkFigures('Summary', items(runData, 'Summary')[0] ?? {}, BATCH_EXPECTED);
	checkFigures('Cost estimate', items(runData, 'Cost estimate')[0] ?? {}, ESTIMATE_EXPECTED);
	await editor.zoomOut();
	await editor.shoot('batch-from-csv.png');
	if (SCREENSHOTS) {
		for (const [node, suffix] of [['Summary', 'summary'], ['Cost estimate', 'estimate']]) {
			await editor.openNode(node);
			await editor.page
				.locator('[data-test-id="output-panel"]')
				.getByText('JSON', { exact: true })
				.first()
				.click()
				.catch(() => undefined);
			await sleep(800);
			await editor.shoot(`batch-from-csv-${suffix}.png`);
			await editor.closeNode();
		}
	}
}

async function webhookExample(editor: Editor): Promise<void> {
	process.stdout.write('verify-lead-to-database.json: Execute workflow, then POST to /webhook-test/…\n');
	await editor.open(WEBHOOK_ID, exampleNodes('verify-lead-to-database.json').length);
	await editor.executeWorkflow('New lead (POST)');
	const lead = { ...ZHANG, email: 'zhang@example.com' };
	let answer: Record<string, unknown> = {};
	let status = 0;
	// The editor registers the test webhook a moment after the click.
	for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
		await sleep(500);
		const response = await fetch(`${editor.url}/webhook-test/acedata-verify-lead`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(lead),
		});
		status = response.status;
		answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
	}
	check(status === 200 && answer.status === 'match' && answer.matched === true, `webhook: /webhook-test/ answers match (got HTTP ${status} ${JSON.stringify(answer)})`);
	await editor.waitForRunEnd('webhook');
	await checkNoRed(editor, 'webhook', 'verify-lead-to-database.json');
	const run = await editor.lastRun(WEBHOOK_ID);
	check(run.status === 'success', `webhook: the execution succeeded (got ${run.status})`);
	checkEveryNodeSucceeded('webhook', run.runData);
	check(items(run.runData, 'Upsert into verified_leads').length === 1, 'webhook: the lead is stored in verified_leads');
	await editor.zoomOut();
	await editor.shoot('verify-lead-to-database.png');
}

/**
 * Clicks "Execute workflow", which opens the test form in a new tab, and submits it with these values (by each
 * field's name in the example, typed into the field its label names).
 */
async function submitTestForm(editor: Editor, what: string, file: string, values: Record<string, string>, from?: string): Promise<void> {
	const [form] = await Promise.all([editor.page.context().waitForEvent('page', { timeout: 30_000 }), editor.executeWorkflow(from)]);
	await form.waitForLoadState();
	check(new URL(form.url()).pathname.startsWith('/form-test/'), `${what}: the form opens at /form-test/… (got ${form.url()})`);
	const trigger = exampleNodes(file).find((n) => n.type === 'n8n-nodes-base.formTrigger');
	const fields = (trigger?.parameters.formFields as { values: Array<{ fieldLabel: string; fieldName: string }> } | undefined)?.values ?? [];
	for (const { fieldLabel, fieldName } of fields) await form.getByLabel(fieldLabel).fill(values[fieldName]);
	await form.locator('button[type=submit], #submit-btn').first().click();
	await sleep(1500);
	await form.close();
	await editor.waitForRunEnd(what);
	await checkNoRed(editor, what, file);
}

async function crmExample(editor: Editor): Promise<void> {
	process.stdout.write('verify-lead-to-crm.json: Execute workflow, then submit the form\n');
	await editor.open(CRM_ID, exampleNodes('verify-lead-to-crm.json').length);
	await submitTestForm(editor, 'crm', 'verify-lead-to-crm.json', { ...ZHANG, email: 'zhang@example.com' });
	const run = await editor.lastRun(CRM_ID);
	check(run.status === 'success', `crm: the execution succeeded (got ${run.status})`);
	checkEveryNodeSucceeded('crm', run.runData);
	const routed = [0, 1, 2].map((output) => items(run.runData, 'Verify identity', output).length);
	check(JSON.stringify(routed) === '[1,0,0]', `crm: 张三 is routed to Match (got ${JSON.stringify(routed)} on Match, Mismatch, Not Verified)`);
	await editor.zoomOut();
	await editor.shoot('verify-lead-to-crm.png');
}

async function onboardingExample(editor: Editor): Promise<void> {
	// A note above three rows of nodes: a taller picture keeps it readable.
	await editor.withHeight(TALL_HEIGHT, async () => {
		const file = 'onboarding-id-card-photo.json';
		process.stdout.write(`${file}: Execute workflow, then submit the form with the photo of 张三's ID card\n`);
		await editor.open(ONBOARDING_ID, exampleNodes(file).length);
		const submission = ONBOARDING_CASES[0];
		const values = { name: ZHANG.name, mobile: submission.mobile, idCardPhoto: `${PHOTO_BASE}/${submission.photo}`, email: 'zhang@example.com' };
		await submitTestForm(editor, 'onboarding', file, values, 'Onboarding form');
		const run = await editor.lastRun(ONBOARDING_ID);
		check(run.status === 'success', `onboarding: the execution succeeded (got ${run.status})`);
		checkEveryNodeSucceeded('onboarding', run.runData);
		const { routes, billed } = onboardingRunFigures(run.runData);
		check(
			JSON.stringify(routes) === JSON.stringify(submission.routes) && billed === submission.billed,
			`onboarding: ${submission.photo} + ${submission.mobile} is routed ${submission.routes.join(', ')} with ${submission.billed} billed calls (got ${routes.join(', ')}; ${billed})`,
		);
		check(items(run.runData, submission.endsAt).length === 1, `onboarding: the customer reaches "${submission.endsAt}"`);
		await editor.zoomOut();
		await editor.shoot('onboarding-id-card-photo.png');
	});
}

async function payoutExample(editor: Editor): Promise<void> {
	// A note above three rows of nodes: a taller picture keeps it readable.
	await editor.withHeight(TALL_HEIGHT, async () => {
		const file = 'payout-guard-bank-card.json';
		process.stdout.write(`${file}: Execute workflow\n`);
		await editor.open(PAYOUT_ID, exampleNodes(file).length);
		await editor.executeWorkflow();
		await editor.waitForRunEnd('payout');
		await checkNoRed(editor, 'payout', file);
		const run = await editor.lastRun(PAYOUT_ID);
		check(run.status === 'success', `payout: the execution succeeded (got ${run.status})`);
		checkEveryNodeSucceeded('payout', run.runData);
		const got = payoutRunFigures(run.runData);
		checkFigures('payout', got, { billed: PAYOUT_BILLED });
		check(JSON.stringify(got.routed) === JSON.stringify(PAYOUT_ROUTED), `payout: routed ${JSON.stringify(PAYOUT_ROUTED)} (got ${JSON.stringify(got.routed)})`);
		check(JSON.stringify(got.statuses) === JSON.stringify(PAYOUT_STATUSES), `payout: each request gets its status (got ${JSON.stringify(got.statuses)})`);
		await editor.zoomOut();
		await editor.shoot('payout-guard-bank-card.png');
	});
}

async function agentExample(editor: Editor): Promise<void> {
	process.stdout.write('ai-agent-tool.json: Execute step on the tool, without an AI model\n');
	await editor.open(AGENT_ID, exampleNodes('ai-agent-tool.json').length);
	await editor.zoomOut();
	await editor.shoot('ai-agent-tool.png');
	await editor.openNode('Verify identity');
	await editor.page.locator('[data-test-id="node-execute-button"]').first().click();
	const modal = editor.page.locator('[data-test-id="from-ai-parameters-modal-inputs"]');
	await modal.waitFor({ timeout: 15_000 });
	const inputs = modal.locator('input, textarea');
	const values = [ZHANG.name, ZHANG.phone, ZHANG.idCard];
	check((await inputs.count()) === values.length, `agent: Execute step asks for ${values.length} values (got ${await inputs.count()})`);
	for (let i = 0; i < values.length; i++) await inputs.nth(i).fill(values[i]);
	await editor.page.locator('[data-test-id="from-ai-parameters-modal"] button, .el-dialog button').filter({ hasText: /execute/i }).last().click();
	await editor.page.waitForFunction(() => /matched/.test(document.querySelector('[data-test-id="output-panel"]')?.textContent ?? ''), undefined, { timeout: 30_000 }).catch(() => undefined);
	await sleep(1000);
	const output = (await editor.page.locator('[data-test-id="output-panel"]').textContent()) ?? '';
	check(/match/.test(output) && !/error/i.test(output.slice(0, 200)), `agent: the tool answers match (output panel: ${JSON.stringify(output.slice(0, 200))})`);
	await editor.closeNode();
	await checkNoRed(editor, 'agent', 'ai-agent-tool.json');
	const run = await editor.lastRun(AGENT_ID);
	checkEveryNodeSucceeded('agent', run.runData);
	// A tool's run holds the answer the agent would get, under `response`.
	const task = run.runData['Verify identity']?.[0]?.data as { ai_tool?: Array<Array<{ json: { response?: unknown[] } }>> } | undefined;
	const answer = (task?.ai_tool?.[0]?.[0]?.json.response?.[0] ?? {}) as Record<string, unknown>;
	check(answer.status === 'match' && answer.matched === true, `agent: the saved run holds the tool's answer (got ${JSON.stringify(answer).slice(0, 200)})`);
}

/** The Verify node's panel (version 2, "Encrypt Before Sending") and its options, on a scratch workflow. */
async function nodePanel(editor: Editor): Promise<void> {
	const created = await editor.rest<{ data: { id: string } }>('POST', '/rest/workflows', {
		name: 'Screenshot: the Verify node panel (deleted afterwards)',
		nodes: [
			{
				id: '3f1c2a9e-0b7d-4e55-9a61-2c8d4e7f1a01',
				name: 'Verify identity',
				type: VERIFY_TYPE,
				typeVersion: 2,
				position: [0, 0],
				parameters: { name: '={{ $json.name }}', phone: '={{ $json.phone }}', idCard: '={{ $json.idCard }}', encryption: 'local', options: {} },
				credentials: { aceDataCloudApi: SANDBOX_CREDENTIAL },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
		active: false,
	});
	const { id } = created.data;
	try {
		await editor.withHeight(TALL_HEIGHT, async () => {
			await editor.open(id, 1);
			await editor.openNode('Verify identity');
			await editor.page.mouse.move(WIDTH - 150, TALL_HEIGHT - 150);
			await editor.shoot('verify-node-panel.png');
			const add = editor.page.locator('[data-test-id="ndv"]').getByPlaceholder('Add option').first();
			await add.scrollIntoViewIfNeeded();
			await add.click();
			await sleep(1200);
			await editor.page.screenshot({ path: path.join(OUT_DIR, 'verify-node-options.png') });
			process.stdout.write('  → docs/images/verify-node-options.png\n');
		});
	} finally {
		// n8n 2.x deletes only an archived workflow; 1.x has no archive and deletes at once.
		await editor.rest('POST', `/rest/workflows/${id}/archive`, {}).catch(() => undefined);
		await editor.rest('DELETE', `/rest/workflows/${id}`);
	}
}

async function main(): Promise<void> {
	const sandbox = process.env.N8N_URL ? { url: process.env.N8N_URL, stop: async () => undefined } : await startSandbox();
	let browser: Browser | undefined;
	try {
		browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
		const page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT } });
		page.setDefaultTimeout(30_000);
		const editor = new Editor(page, sandbox.url);
		await editor.signIn();
		fs.mkdirSync(OUT_DIR, { recursive: true });
		for (const example of [batchExample, webhookExample, crmExample, onboardingExample, payoutExample, agentExample]) {
			await example(editor).catch((error: Error) => check(false, `${example.name}: ${error.message.split('\n')[0]}`));
		}
		if (SCREENSHOTS) await nodePanel(editor);
	} finally {
		await browser?.close();
		await sandbox.stop();
	}
	process.stdout.write(failures === 0 ? '\nall browser checks passed\n' : `\n${failures} check(s) failed\n`);
	process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exitCode = 1;
});
