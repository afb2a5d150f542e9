/**
 * `npm run bench:n8n`: the Verify node (the version new workflows get, 3, with its default check, phone three
 * elements) and n8n's own HTTP Request node doing the same calls in ONE real n8n (the one scripts/n8n/install.sh
 * puts in .cache/, 2.41.1 by default), against the provider mock in a process of its own. Each measurement is one
 * `n8n execute` of a workflow Manual Trigger → Code (N generated identities, the same seeds as `npm run bench`) →
 * the node under test, with "On Error: continue" (Continue On Fail) so a failed item is counted instead of ending
 * the run, unless a row says "default error handling" (no On Error setting: a failure fails the run, and then every
 * item counts as failed). Times are each node's own `executionTime` from the run data. The output starts with the
 * commit and the command.
 *
 *   1. 1,000 items, 50 ms latency, no provider limit: our node, concurrency 10 and 50, unpaced, in both error
 *      modes; time ÷ the ideal items × latency ÷ concurrency. Target ≤ 1.15; default error handling ÷ Continue
 *      On Fail ≤ 1.05. Next to it, the same with fixed values instead of one expression per field: the share of
 *      n8n's expression work.
 *   2. 400 items, provider limited to 20 requests/s answering in 20 ms (`RATE_LIMITED` in scenarios.ts): a burst
 *      of 20, and a strict limiter that allows no burst, with Retry-After: 1 and without it. Our node with its
 *      default options against all three, the HTTP Request node with its defaults and with batching 20 items /
 *      1,000 ms against the first two; time ÷ the ideal 20 s and the failed items. Target (ours) ≤ 1.02 against
 *      the burst, ≤ 1.10 against the strict limiter, none failed.
 *   3. 10,000 items, 0 ms latency, no provider limit: our node (unpaced, so concurrency 10 by default) and the
 *      HTTP Request node (defaults, three body-field expressions), each in both error modes: time per item ours in
 *      the default error mode ÷ ours with Continue On Fail (target ≤ 1.05) and ÷ theirs in the same mode (target
 *      ≤ 0.8); the peak memory (VmHWM) of the `n8n execute` process with Continue On Fail, ours ÷ theirs (target
 *      ≤ 1.1), both as the whole process's peak and as its growth over a run of the Code node alone.
 *   4. 200 distinct items, provider limited to 20 requests/s (burst 20) answering in 50, 300, 800 and 2,000 ms:
 *      our node with its default options in both error modes, the HTTP Request node batching 20 items / 1,000 ms;
 *      time ÷ (10 s + one latency). Target (ours) ≤ 1.02 with none failed.
 *   3d (only when asked for): 10,000 items at 0 ms, our node with all its defaults, which pace it to 20/s (8 minutes).
 *
 *   npm run bench:n8n                 # scenarios 1 2 3 4 (about 15 minutes)
 *   npm run bench:n8n -- 2 3          # only scenarios 2 and 3 (keys: 1 2 3 4 3d)
 *   BENCH_REPEAT=4 npm run bench:n8n -- 3-ours   # only the rows whose key starts so (here: ours in scenario 3)
 *   BENCH_REPEAT=2 npm run bench:n8n  # measure every row twice, in alternating order
 *   BENCH_CPU_PROF=/tmp/prof npm run bench:n8n -- 3   # also write a CPU profile of each n8n execute process
 *
 * It writes the HTTP Request node's figures (the shape bench/engine.ts reads) to BENCH_HTTP_REQUEST_NODE_OUT
 * (default node_modules/.cache/bench/http-request-node.json): `BENCH_HTTP_REQUEST_NODE=<that file> npm run bench`.
 *
 * Environment: scripts/n8n/env.sh; a scratch N8N_USER_FOLDER with the package installed the way users install
 * it (scripts/n8n/install-package.sh; BENCH_SKIP_BUILD=1 installs the current dist/ without building); the
 * task broker on BENCH_N8N_BROKER_PORT (default 25679) and N8N_PORT BENCH_N8N_PORT (default 25678), so that it
 * runs next to other n8n processes on this machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { freePort, parseRun } from '../test/e2e/n8n';
import type { WorkflowNode } from '../test/e2e/workflows';
import { VERIFY_FAMILY_VERSION } from '../test/e2e/workflows';
import type { GeneratedIdentity } from '../test/support/identities';
import { FROM_ITEM, generateIdentities } from '../test/support/identities';
import type { MockOptions } from '../test/support/mockProvider';
import { DEFAULT_TOKEN, VERIFY_PATH } from '../test/support/mockProvider';
import { provenance } from '../test/support/provenance';
import { RemoteMock } from './remoteMock';
import type { ErrorMode } from './scenarios';
import { ERROR_MODE_LABEL, ERROR_MODES, failedItem, RATE_LIMITED, SAME_AS_CONTINUE_TARGET, SLOW_PROVIDER, VS_HTTP_REQUEST_TARGET } from './scenarios';
import { comparison, format, printTable, ratioCell } from './table';

/**
 * Compiled to node_modules/.cache/bench/bench/n8n.js: inside the checkout, not in .cache/, which a git worktree
 * may share with other checkouts (a symlink): node resolves a symlinked script to its real path, and ROOT would
 * then be another checkout, whose package would be built and measured.
 */
const BUILD_DIR = path.resolve(__dirname, '..');
const ROOT = path.resolve(BUILD_DIR, '../../..');
const N8N_VERSION = process.env.N8N_VERSION || '2.41.1';
const VERIFY_TYPE = 'n8n-nodes-acedata-phone-verify.aceDataPhoneVerify';
const OUR_CREDENTIAL = { id: 'benchAceData0001', name: 'Ace Data (bench mock)' };
const HEADER_CREDENTIAL = { id: 'benchHeader00001', name: 'Bearer header (bench mock)' };
const NODE_UNDER_TEST = 'Node under test';
const BROKER_PORT = Number(process.env.BENCH_N8N_BROKER_PORT) || 25679;
const N8N_PORT = process.env.BENCH_N8N_PORT || '25678';
/** The settings that change what is measured, printed with the command. */
const BENCH_VARIABLES = ['N8N_VERSION', 'BENCH_REPEAT', 'BENCH_SKIP_BUILD'];

// ---------------------------------------------------------------------------------------------------------
// Workflows, written the way n8n's editor saves them.

type Parameters = Record<string, unknown>;

/** Which node the workflow ends in, and how it is set up (error mode: Continue On Fail unless said). */
type Target =
	| { kind: 'codeOnly' }
	| {
			kind: 'ours';
			options: Parameters;
			/** Name, phone and ID as fixed values instead of expressions. */
			fixed?: GeneratedIdentity;
			errorMode?: ErrorMode;
	  }
	| { kind: 'http'; batching?: { batchSize: number; batchInterval: number }; errorMode?: ErrorMode };

/** What the editor saves for the node's "On Error" setting: nothing for the default. */
function onError(target: { errorMode?: ErrorMode }) {
	return target.errorMode === 'stop' ? {} : { onError: 'continueRegularOutput' as const };
}

function workflow(id: string, identities: GeneratedIdentity[], target: Target, mockUrl: string) {
	const nodes: WorkflowNode[] = [
		{ id: 'b0000000-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'b0000000-0000-4000-8000-000000000002',
			name: 'Identities',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: { jsCode: `return ${JSON.stringify(identities.map((json) => ({ json })))};` },
		},
	];
	const position: [number, number] = [440, 0];
	const id3 = 'b0000000-0000-4000-8000-000000000003';
	if (target.kind === 'ours') {
		nodes.push({
			id: id3,
			name: NODE_UNDER_TEST,
			type: VERIFY_TYPE,
			typeVersion: VERIFY_FAMILY_VERSION,
			position,
			parameters: {
				...(target.fixed
					? { name: target.fixed.name, phone: target.fixed.phone, idCard: target.fixed.idCard }
					: FROM_ITEM),
				options: target.options,
			},
			credentials: { aceDataCloudApi: OUR_CREDENTIAL },
			...onError(target),
		});
	} else if (target.kind === 'http') {
		// What the editor saves after: method POST, the URL, Generic credential → Header Auth, Send Body on
		// (JSON, "Using Fields Below"), three body fields each one expression; batching, when set, under Options.
		nodes.push({
			id: id3,
			name: NODE_UNDER_TEST,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.5,
			position,
			parameters: {
				method: 'POST',
				url: `${mockUrl}${VERIFY_PATH}`,
				authentication: 'genericCredentialType',
				genericAuthType: 'httpHeaderAuth',
				sendBody: true,
				bodyParameters: {
					parameters: [
						{ name: 'name', value: '={{ $json.name }}' },
						{ name: 'phone', value: '={{ $json.phone }}' },
						{ name: 'id_card', value: '={{ $json.idCard }}' },
					],
				},
				options: target.batching ? { batching: { batch: target.batching } } : {},
			},
			credentials: { httpHeaderAuth: HEADER_CREDENTIAL },
			...onError(target),
		});
	}
	const connections: Record<string, unknown> = {
		Start: { main: [[{ node: 'Identities', type: 'main', index: 0 }]] },
	};
	if (target.kind !== 'codeOnly') connections.Identities = { main: [[{ node: NODE_UNDER_TEST, type: 'main', index: 0 }]] };
	return { id, name: `bench ${id}`, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

// ---------------------------------------------------------------------------------------------------------
// The n8n CLI.

let n8nEnv: NodeJS.ProcessEnv;
let n8nCommand: { bin: string; args: string[] };

function setUpN8n(userFolder: string) {
	const sourced = spawnSync('bash', ['-c', 'source scripts/n8n/env.sh >/dev/null && env -0'], {
		cwd: ROOT,
		env: { ...process.env, N8N_VERSION },
		encoding: 'utf8',
	});
	if (sourced.status !== 0) throw new Error(`sourcing scripts/n8n/env.sh failed:\n${sourced.stderr}`);
	const env: NodeJS.ProcessEnv = Object.fromEntries(
		sourced.stdout
			.split('\0')
			.filter(Boolean)
			.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
	);
	if (!fs.existsSync(path.join(String(env.N8N_HOME_DIR), '.install-complete'))) {
		throw new Error(`n8n ${N8N_VERSION} is not installed: run scripts/n8n/install.sh`);
	}
	delete env.NODE_OPTIONS;
	n8nEnv = {
		...env,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT,
		N8N_LOG_LEVEL: 'info',
	};
	const [bin, ...args] = String(env.N8N_BIN).split(' ');
	n8nCommand = { bin, args };
}

interface Executed {
	stdout: string;
	stderr: string;
	code: number | null;
	/** Peak resident memory of the `n8n execute` process (VmHWM), MB. */
	peakMb: number;
	/** CPU time (user + system) of the `n8n execute` process, start-up included, ms. */
	cpuMs: number;
}

/**
 * One n8n CLI command in its own process group (its task runners are stopped with it). Its task broker gets
 * BENCH_N8N_BROKER_PORT, or a free port when something else (another n8n on this machine) holds that one;
 * a command that still loses the race for its port is run again.
 */
async function n8n(args: string[], nodeFlags: string[] = [], attempt = 1): Promise<Executed> {
	const brokerPort = await freePort(attempt === 1 ? BROKER_PORT : 0);
	// Output into files, not pipes: n8n exits right after logging the run JSON, and a write to a pipe that has
	// not drained by then is lost (a 10,000-item run came back cut short); writes to a file are synchronous.
	const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-bench-out-'));
	const outFile = path.join(outDir, 'stdout');
	const errFile = path.join(outDir, 'stderr');
	const [outFd, errFd] = [fs.openSync(outFile, 'w'), fs.openSync(errFile, 'w')];
	const child = spawn(n8nCommand.bin, [...nodeFlags, ...n8nCommand.args, ...args], {
		cwd: ROOT,
		env: { ...n8nEnv, N8N_RUNNERS_BROKER_PORT: String(brokerPort) },
		detached: true,
		stdio: ['ignore', outFd, errFd],
	});
	fs.closeSync(outFd);
	fs.closeSync(errFd);
	const pid = child.pid!;
	let peakKb = 0;
	let cpuTicks = 0;
	const sample = () => {
		try {
			const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
			const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
			if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
			// Fields 14 and 15 of /proc/<pid>/stat (after the command name in parentheses): utime, stime.
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			cpuTicks = Number(fields[11]) + Number(fields[12]);
		} catch {
			// exited (or a zombie with no memory figures left)
		}
	};
	const sampler = setInterval(sample, 25);
	const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
	clearInterval(sampler);
	try {
		process.kill(-pid, 'SIGKILL'); // task runners of this group, if any outlived it
	} catch {
		// the group is gone already
	}
	const stdout = fs.readFileSync(outFile, 'utf8');
	const stderr = fs.readFileSync(errFile, 'utf8');
	fs.rmSync(outDir, { recursive: true, force: true });
	if (attempt < 3 && /Task Broker's port \d+ is already in use/.test(stdout + stderr)) return await n8n(args, nodeFlags, attempt + 1);
	const ticksPerSecond = 100;
	return { stdout, stderr, code, peakMb: peakKb / 1024, cpuMs: (cpuTicks / ticksPerSecond) * 1000 };
}

async function n8nOk(args: string[]): Promise<Executed> {
	const result = await n8n(args);
	if (result.code !== 0) throw new Error(`n8n ${args.join(' ')} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`.slice(-6000));
	return result;
}

// ---------------------------------------------------------------------------------------------------------
// Measurements.

interface Measurement {
	timeMs: number;
	items: number;
	failed: number;
	requests: number;
	rateLimited: number;
	maxInFlight: number;
	peakMb: number;
	cpuMs: number;
	/** The Code node's time, for scale. */
	codeMs: number;
	/** The node's error, when it failed the run (default error handling). */
	runError?: string;
}

interface Case {
	key: string;
	scenario: string;
	setting: string;
	identities: GeneratedIdentity[];
	mock: Omit<MockOptions, 'resultFor' | 'port'>;
	target: Target;
	idealMs?: number;
	target_?: string;
}

/** The provider mock always listens on this port: the credentials and the HTTP Request node's URL are imported once. */
let mockPort = 0;
let cpuProfileDir: string | undefined;

async function measure(testCase: Case, workflowId: string): Promise<Measurement> {
	const mock = await RemoteMock.start({ ...testCase.mock, port: mockPort, tokens: { [DEFAULT_TOKEN]: 'ok' } });
	try {
		const flags = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, `--cpu-prof-name=${workflowId}-${Date.now()}.cpuprofile`] : [];
		const executed = await n8n(['execute', `--id=${workflowId}`, '--rawOutput'], flags);
		const runs = parseRun(executed.stdout).data.resultData.runData;
		const codeMs = runs.Identities?.[0]?.executionTime ?? NaN;
		const stats = await mock.stats();
		if (testCase.target.kind === 'codeOnly') {
			return { timeMs: NaN, items: testCase.identities.length, failed: 0, requests: stats.requests, rateLimited: 0, maxInFlight: 0, peakMb: executed.peakMb, cpuMs: executed.cpuMs, codeMs };
		}
		const task = runs[NODE_UNDER_TEST]?.[0];
		if (!task) throw new Error(`${NODE_UNDER_TEST} did not run (exit ${executed.code}):\n${executed.stdout.slice(-3000)}\n${executed.stderr.slice(-3000)}`);
		const items = (task.data?.main ?? []).flatMap((output) => output ?? []);
		// Only the default error mode may fail the run: the node failed, and no item has a result.
		const runError = testCase.target.errorMode === 'stop' ? task.error?.message : undefined;
		if (!runError && items.length !== testCase.identities.length) {
			throw new Error(`${items.length} output items for ${testCase.identities.length} (${testCase.setting})${task.error ? `: ${task.error.message}` : ''}`);
		}
		return {
			timeMs: task.executionTime,
			items: testCase.identities.length,
			failed: runError ? testCase.identities.length : items.filter((item) => failedItem(item.json)).length,
			requests: stats.requests,
			rateLimited: stats.rateLimited,
			maxInFlight: stats.maxInFlight,
			peakMb: executed.peakMb,
			cpuMs: executed.cpuMs,
			codeMs,
			runError,
		};
	} finally {
		await mock.close();
	}
}

const OURS_UNPACED = (concurrency = 5, errorMode: ErrorMode = 'continue') => ({
	kind: 'ours' as const,
	options: { concurrency, maxRequestsPerSecond: 0 },
	errorMode,
});

function cases(): Record<string, Case[]> {
	const s1 = generateIdentities(1000, 101);
	const s2 = generateIdentities(RATE_LIMITED.items, RATE_LIMITED.seed);
	const s3 = generateIdentities(10_000, 103);
	const scenario2 = RATE_LIMITED.limiters.flatMap((limiter): Case[] => {
		const common = { scenario: RATE_LIMITED.scenario(limiter), identities: s2, mock: RATE_LIMITED.mock(limiter), idealMs: RATE_LIMITED.idealMs() };
		const key = `2-${limiter.key}`;
		const ours: Case = { ...common, key: `${key}-ours`, setting: 'ours, default options', target: { kind: 'ours', options: {} }, target_: limiter.target };
		if (!limiter.withHttpRequestNode) return [ours];
		return [
			ours,
			{ ...common, key: `${key}-http`, setting: 'HTTP Request, defaults', target: { kind: 'http' } },
			{ ...common, key: `${key}-httpBatch`, setting: 'HTTP Request, batch 20 / 1,000 ms', target: { kind: 'http', batching: { batchSize: 20, batchInterval: 1000 } } },
		];
	});
	const s3common = { scenario: '3. 10,000 items, 0 ms, no limit', identities: s3, mock: {} };
	const s4 = generateIdentities(SLOW_PROVIDER.items, SLOW_PROVIDER.seed);
	return {
		// The scenario as specified in both error modes, and the same with fixed values: what n8n's per-item
		// expressions cost.
		1: [10, 50].flatMap((concurrency): Case[] => {
			const common = { scenario: '1. 1,000 items, 50 ms, no limit', identities: s1, mock: { latencyMs: 50 }, idealMs: (s1.length * 50) / concurrency };
			return [
				{ ...common, key: `1-c${concurrency}`, setting: `ours, concurrency ${concurrency}, unpaced`, target: OURS_UNPACED(concurrency), target_: '≤ 1.15' },
				{
					...common,
					key: `1-c${concurrency}-stop`,
					setting: `ours, concurrency ${concurrency}, unpaced, ${ERROR_MODE_LABEL.stop}`,
					target: OURS_UNPACED(concurrency, 'stop'),
					target_: '≤ 1.15',
				},
				{
					...common,
					key: `1-c${concurrency}-fixed`,
					setting: `ours, fixed values, concurrency ${concurrency}`,
					target: { kind: 'ours', options: { ...OURS_UNPACED(concurrency).options, skipDuplicates: false }, fixed: s1[0] },
				},
			];
		}),
		2: scenario2,
		// Unpaced, the node's own default concurrency (10); the HTTP Request node with its defaults.
		3: [
			{ ...s3common, key: '3-code', setting: 'Code node alone (memory baseline)', target: { kind: 'codeOnly' } },
			...ERROR_MODES.flatMap((errorMode): Case[] => [
				{
					...s3common,
					key: `3-ours-${errorMode}`,
					setting: `ours, unpaced (concurrency 10), ${ERROR_MODE_LABEL[errorMode]}`,
					target: { kind: 'ours', options: { maxRequestsPerSecond: 0 }, errorMode },
				},
				{ ...s3common, key: `3-http-${errorMode}`, setting: `HTTP Request, defaults, ${ERROR_MODE_LABEL[errorMode]}`, target: { kind: 'http', errorMode } },
			]),
		],
		4: SLOW_PROVIDER.latenciesMs.flatMap((latencyMs): Case[] => {
			const common = { scenario: SLOW_PROVIDER.scenario(latencyMs), identities: s4, mock: SLOW_PROVIDER.mock(latencyMs), idealMs: SLOW_PROVIDER.idealMs(latencyMs) };
			return [
				...ERROR_MODES.map(
					(errorMode): Case => ({
						...common,
						key: `4-${latencyMs}-ours-${errorMode}`,
						setting: `ours, default options, ${ERROR_MODE_LABEL[errorMode]}`,
						target: { kind: 'ours', options: {}, errorMode },
						target_: SLOW_PROVIDER.target,
					}),
				),
				{
					...common,
					key: `4-${latencyMs}-httpBatch`,
					setting: `HTTP Request, batch 20 / 1,000 ms, ${ERROR_MODE_LABEL.continue}`,
					target: { kind: 'http', batching: { batchSize: 20, batchInterval: 1000 } },
				},
			];
		}),
		'3d': [{ ...s3common, key: '3d-ours', setting: 'ours, default options (20/s)', target: { kind: 'ours', options: {} } }],
	};
}

// ---------------------------------------------------------------------------------------------------------
// Report.

interface Row {
	testCase: Case;
	pass: number;
	measured: Measurement;
	note: string;
}

function print(rows: Row[]) {
	printTable([
		['scenario', 'setting', 'pass', 'ideal ms', 'node ms', 'ratio', 'target', 'failed', 'requests', '429s', 'peak MB', 'note'],
		...rows.map(({ testCase, pass, measured, note }) => [
			testCase.scenario,
			testCase.setting,
			String(pass),
			testCase.idealMs ? format(testCase.idealMs) : '—',
			format(measured.timeMs),
			ratioCell(testCase.idealMs ? measured.timeMs / testCase.idealMs : NaN, testCase.target_, measured.failed),
			testCase.target_ ?? '',
			format(measured.failed),
			format(measured.requests),
			format(measured.rateLimited),
			format(measured.peakMb),
			note,
		]),
	]);
}

function printComparisons(rows: Row[], passes: number) {
	const find = (key: string, pass: number) => rows.find((row) => row.testCase.key === key && row.pass === pass)?.measured;
	const perItem = (m: Measurement) => `${(m.timeMs / m.items).toFixed(2)} ms/item`;
	const lines: string[] = [];
	// Reading every item before sending (default error mode) against overlapping the two (Continue On Fail).
	const modePairs = [
		['1,000 items at 50 ms, concurrency 10', '1-c10-stop', '1-c10'],
		['1,000 items at 50 ms, concurrency 50', '1-c50-stop', '1-c50'],
		['10,000 items at 0 ms', '3-ours-stop', '3-ours-continue'],
	] as const;
	const modeComparison = (label: string, stop: Measurement, continued: Measurement) =>
		`${label}, ours: ` +
		comparison(`time, ${ERROR_MODE_LABEL.stop} ÷ ${ERROR_MODE_LABEL.continue}`, stop.timeMs / continued.timeMs, SAME_AS_CONTINUE_TARGET) +
		(stop.items >= 10_000 ? ` (${perItem(stop)} vs ${perItem(continued)})` : '');
	for (let pass = 1; pass <= passes; pass++) {
		for (const [label, stopKey, continueKey] of modePairs) {
			const [stop, continued] = [find(stopKey, pass), find(continueKey, pass)];
			if (stop && continued) lines.push(`pass ${pass}, ${modeComparison(label, stop, continued)}`);
		}
		const ours = { stop: find('3-ours-stop', pass), continue: find('3-ours-continue', pass) };
		const http = { stop: find('3-http-stop', pass), continue: find('3-http-continue', pass) };
		for (const errorMode of ERROR_MODES) {
			const [mine, theirs] = [ours[errorMode], http[errorMode]];
			if (!mine || !theirs) continue;
			lines.push(
				`pass ${pass}, 10,000 items at 0 ms, ${ERROR_MODE_LABEL[errorMode]}: ` +
					comparison('time, ours ÷ HTTP Request', mine.timeMs / theirs.timeMs, VS_HTTP_REQUEST_TARGET) +
					` (${perItem(mine)} vs ${perItem(theirs)})`,
			);
		}
		// Memory, with Continue On Fail as before: ours unpaced, and with all its defaults (3d) when measured.
		const base = find('3-code', pass);
		for (const [key, label] of [
			['3-ours-continue', 'unpaced'],
			['3d-ours', 'default options (20/s)'],
		] as const) {
			const mine = find(key, pass);
			if (!mine || !http.continue) continue;
			let text =
				`pass ${pass}, 10,000 items, ours (${label}) ÷ HTTP Request (defaults), ${ERROR_MODE_LABEL.continue}: ` +
				comparison('peak memory', mine.peakMb / http.continue.peakMb, '≤ 1.1') +
				` (${mine.peakMb.toFixed(0)} vs ${http.continue.peakMb.toFixed(0)} MB)`;
			if (base) {
				const growth = (m: Measurement) => m.peakMb - base.peakMb;
				text += `, growth over the Code node alone ${(growth(mine) / growth(http.continue)).toFixed(2)} (+${growth(mine).toFixed(0)} vs +${growth(http.continue).toFixed(0)} MB)`;
			}
			lines.push(text);
		}
	}
	// Over all passes (which alternate the order): a pass's ratio moves by several per cent with the machine.
	for (const [label, stopKey, continueKey] of passes > 1 ? modePairs : []) {
		const total = (key: string) => rows.filter((row) => row.testCase.key === key).reduce((sum, row) => sum + row.measured.timeMs, 0);
		const [stop, continued] = [total(stopKey), total(continueKey)];
		if (stop && continued) {
			lines.push(`all ${passes} passes, ${label}, ours: ` + comparison(`time, ${ERROR_MODE_LABEL.stop} ÷ ${ERROR_MODE_LABEL.continue}`, stop / continued, SAME_AS_CONTINUE_TARGET));
		}
	}
	if (lines.length) console.log(`\n${lines.join('\n')}`);
}

/** The HTTP Request node's figures, in the shape bench/engine.ts reads from BENCH_HTTP_REQUEST_NODE. */
function writeHttpFigures(rows: Row[]) {
	const latest = (key: string) => rows.filter((row) => row.testCase.key === key).at(-1)?.measured;
	const figures: Record<string, unknown> = {};
	const timeAndFailed = (m: Measurement) => ({ timeMs: m.timeMs, failed: m.failed });
	const rateDefaults = latest(`2-${RATE_LIMITED.limiters[0].key}-http`);
	const rateBatched = latest(`2-${RATE_LIMITED.limiters[0].key}-httpBatch`);
	const perItem = latest('3-http-continue');
	const perItemStop = latest('3-http-stop');
	const base = latest('3-code');
	if (rateDefaults) figures.rateDefaults = timeAndFailed(rateDefaults);
	if (rateBatched) figures.rateBatched = timeAndFailed(rateBatched);
	if (perItem) {
		figures.perItem = {
			timeMs: perItem.timeMs,
			...(base ? { peakRssGrowthMb: perItem.peakMb - base.peakMb } : {}),
			peakMb: perItem.peakMb,
		};
	}
	if (perItemStop) figures.perItemStop = { timeMs: perItemStop.timeMs };
	const slowProvider: Record<string, unknown> = {};
	for (const latencyMs of SLOW_PROVIDER.latenciesMs) {
		const batched = latest(`4-${latencyMs}-httpBatch`);
		if (batched) slowProvider[latencyMs] = timeAndFailed(batched);
	}
	if (Object.keys(slowProvider).length) figures.slowProvider = slowProvider;
	if (!Object.keys(figures).length) return;
	const out = process.env.BENCH_HTTP_REQUEST_NODE_OUT || path.join(BUILD_DIR, 'http-request-node.json');
	fs.mkdirSync(path.dirname(out), { recursive: true });
	const measuredWith = `n8n ${N8N_VERSION}, HTTP Request node 4.5, bench/n8n.ts, ${new Date().toISOString()}`;
	fs.writeFileSync(out, `${JSON.stringify({ measuredWith, ...figures }, null, 2)}\n`);
	console.log(`\nHTTP Request node figures written to ${path.relative(ROOT, out)}: BENCH_HTTP_REQUEST_NODE=${path.relative(ROOT, out)} npm run bench`);
}

function noteFor(testCase: Case, measured: Measurement): string {
	const parts = [`max in flight ${measured.maxInFlight}`];
	if (testCase.identities.length >= 10_000) parts.push(`${(measured.timeMs / measured.items).toFixed(2)} ms/item`);
	parts.push(`Code node ${measured.codeMs.toFixed(0)} ms`, `process CPU ${(measured.cpuMs / 1000).toFixed(1)} s`);
	if (measured.runError) parts.push(`run failed: ${measured.runError}`);
	return parts.join(', ');
}

async function main() {
	const all = cases();
	// A scenario's key, or the start of row keys (`3-ours`: our node's rows of scenario 3).
	const chosen = process.argv.slice(2).map((arg) => all[arg] ?? Object.values(all).flat().filter((testCase) => testCase.key.startsWith(arg)));
	// 3d takes 8 minutes at the pace the defaults keep; scenario 4 measures the defaults under a limit.
	const groups = chosen.some((group) => group.length) ? chosen.filter((group) => group.length) : ['1', '2', '3', '4'].map((key) => all[key]);
	const passes = Math.max(1, Number(process.env.BENCH_REPEAT) || 1);
	cpuProfileDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
	if (cpuProfileDir) fs.mkdirSync(cpuProfileDir, { recursive: true });

	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `n8n-bench-${N8N_VERSION}-`));
	try {
		process.stderr.write(`n8n user folder ${userFolder}; installing the package…\n`);
		const installed = spawnSync('bash', [path.join(ROOT, 'scripts/n8n/install-package.sh'), userFolder], {
			cwd: ROOT,
			env: { ...process.env, SKIP_BUILD: process.env.BENCH_SKIP_BUILD === '1' ? '1' : '0' },
			encoding: 'utf8',
		});
		if (installed.status !== 0) throw new Error(`installing the package failed:\n${installed.stdout}\n${installed.stderr}`);
		setUpN8n(userFolder);

		mockPort = Number(process.env.BENCH_MOCK_PORT) || (await freePort());
		const mockUrl = `http://127.0.0.1:${mockPort}`;
		const credentials = [
			{ ...OUR_CREDENTIAL, type: 'aceDataCloudApi', data: { apiToken: DEFAULT_TOKEN, baseUrl: mockUrl } },
			{ ...HEADER_CREDENTIAL, type: 'httpHeaderAuth', data: { name: 'authorization', value: `Bearer ${DEFAULT_TOKEN}` } },
		];
		const selected = groups.flat();
		const workflowId = (testCase: Case) => `bench${testCase.key.replace(/[^A-Za-z0-9]/g, '')}`.padEnd(16, '0');
		const workflows = [
			workflow('benchwarmup00000', generateIdentities(50, 100), OURS_UNPACED(5), mockUrl),
			workflow('benchwarmuphttp0', generateIdentities(50, 100), { kind: 'http' }, mockUrl),
			...selected.map((testCase) => workflow(workflowId(testCase), testCase.identities, testCase.target, mockUrl)),
		];
		fs.writeFileSync(path.join(userFolder, 'bench-credentials.json'), JSON.stringify(credentials));
		fs.writeFileSync(path.join(userFolder, 'bench-workflows.json'), JSON.stringify(workflows));
		await n8nOk(['import:credentials', `--input=${path.join(userFolder, 'bench-credentials.json')}`]);
		await n8nOk(['import:workflow', `--input=${path.join(userFolder, 'bench-workflows.json')}`]);

		// First runs of a fresh user folder do one-off work (migrations, caches): not any node's time.
		process.stderr.write('warm-up…\n');
		const warmUp = { key: 'warmup', scenario: 'warm-up', setting: '', identities: generateIdentities(50, 100), mock: {} };
		await measure({ ...warmUp, target: OURS_UNPACED(5) }, 'benchwarmup00000');
		await measure({ ...warmUp, target: { kind: 'http' } }, 'benchwarmuphttp0');

		const rows: Row[] = [];
		for (let pass = 1; pass <= passes; pass++) {
			for (const cases of groups) {
				// Alternate the order from pass to pass, so neither node always runs first.
				const group = pass % 2 === 1 ? cases : [...cases].reverse();
				for (const testCase of group) {
					process.stderr.write(`pass ${pass}: ${testCase.scenario} — ${testCase.setting}…\n`);
					let measured: Measurement | undefined;
					let failure = '';
					for (let attempt = 1; attempt <= 2 && !measured; attempt++) {
						try {
							measured = await measure(testCase, workflowId(testCase));
						} catch (error) {
							failure = String((error as Error).message ?? error).split('\n').slice(0, 2).join(' ');
							process.stderr.write(`  attempt ${attempt} failed: ${String((error as Error).stack ?? error).slice(0, 3000)}\n`);
						}
					}
					if (!measured) {
						rows.push({ testCase, pass, measured: { timeMs: NaN, items: NaN, failed: NaN, requests: NaN, rateLimited: NaN, maxInFlight: NaN, peakMb: NaN, cpuMs: NaN, codeMs: NaN }, note: `not measured: ${failure}` });
						continue;
					}
					rows.push({ testCase, pass, measured, note: noteFor(testCase, measured) });
					process.stderr.write(`  ${measured.timeMs.toFixed(0)} ms, ${measured.failed} failed, peak ${measured.peakMb.toFixed(0)} MB\n`);
				}
			}
		}
		const order = (row: Row) => selected.indexOf(row.testCase) * 100 + row.pass;
		rows.sort((a, b) => order(a) - order(b));

		const args = process.argv.slice(2).join(' ');
		console.log(`\n${provenance(`npm run bench:n8n${args ? ` -- ${args}` : ''}`, BENCH_VARIABLES)}`);
		console.log(
			`Ace Data Identity Verify (node version ${VERIFY_FAMILY_VERSION}, phone three elements) vs n8n's HTTP Request node in a real n8n ${N8N_VERSION}` +
				` (n8n execute, Node 24), ${os.cpus().length} CPUs\n`,
		);
		print(rows);
		printComparisons(rows, passes);
		console.log(
			'\nnode ms = the node\'s own executionTime in the run data; ratio = that ÷ ideal. peak MB = VmHWM of the `n8n execute`' +
				'\nprocess (start-up, the Code node\'s items and the printed run data included); process CPU includes start-up.',
		);
		writeHttpFigures(rows);
	} finally {
		if (process.env.BENCH_KEEP_USER_FOLDER !== '1') fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
