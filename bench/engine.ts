/**
 * `npm run bench`: the Verify node inside n8n's engine (n8n-core's WorkflowExecute, in-process) against the
 * provider mock, measured as ratios, because absolute times on shared machines are noisy:
 *
 *   1. 1,000 items, 50 ms latency, no provider limit, concurrency 10 and 50 (unpaced), in both error modes: the
 *      node's own `executionTime` (run data) ÷ the ideal items × latency ÷ concurrency. Target ≤ 1.15; default
 *      error handling ÷ Continue On Fail ≤ 1.05. Next to it, the node with fixed values (no per-item
 *      expressions) and a node that only sends (requestsOnly.ts): the floor.
 *   2. 400 items, provider limited to 20 requests/s answering in 20 ms, the node's default options: time ÷ the
 *      ideal 20 s. A limiter with a burst of 20: target ≤ 1.02; a strict one that allows no burst, with and
 *      without Retry-After: target ≤ 1.10; none failed (`RATE_LIMITED` in scenarios.ts).
 *   3. 10,000 items at 0 ms latency, unpaced: the node's time per item in the default error mode and with
 *      Continue On Fail, each twice in alternating order (default ÷ Continue On Fail: target ≤ 1.05), the
 *      process's peak memory growth in the first run of that size; set
 *      against n8n's HTTP Request node doing the same calls in a real n8n (see `HTTP_REQUEST_NODE` below).
 *   4. 200 distinct items, provider limited to 20 requests/s, answering in 50, 300, 800 and 2,000 ms, the node's
 *      default options, in both error modes: time ÷ (10 s + one latency). Target ≤ 1.02 with no failed item.
 *   5. 10,000 items at 0 ms latency, unpaced, Continue On Fail: the time per item of bank card four elements (four
 *      fields, most answers billed refusals) next to phone three elements, each twice in alternating order.
 *      Target: bank card ÷ phone ≤ 1.10.
 *
 *   npm run bench            # all scenarios (about five minutes)
 *   npm run bench -- 1 3     # only scenarios 1 and 3
 *   BENCH_HTTP_REQUEST_NODE=figures.json npm run bench   # with the HTTP Request node's figures from a real n8n
 *
 * Runs with Continue On Fail count a failed item instead of ending the run; in the default error mode a failure
 * fails the run, and then every item counts as failed. The output starts with the commit and the command.
 */
import './outsideJest';

import * as fs from 'node:fs';

import type { IDataObject, INodeParameters, INodeType } from 'n8n-workflow';

import { checkCase, checkParameters, distinctItems } from '../test/support/checkCases';
import { DEFAULT_VERSION, runVerify } from '../test/support/engine';
import type { GeneratedIdentity } from '../test/support/identities';
import { FROM_ITEM, generateIdentities } from '../test/support/identities';
import type { MockOptions } from '../test/support/mockProvider';
import { DEFAULT_TOKEN } from '../test/support/mockProvider';
import { provenance } from '../test/support/provenance';
import { RemoteMock } from './remoteMock';
import { RequestsOnly } from './requestsOnly';
import type { ErrorMode } from './scenarios';
import { ERROR_MODE_LABEL, ERROR_MODES, failedItem, RATE_LIMITED, SAME_AS_CONTINUE_TARGET, SLOW_PROVIDER, VS_HTTP_REQUEST_TARGET } from './scenarios';
import { comparison, format, printTable, ratioCell } from './table';

interface Measurement {
	timeMs: number;
	/** CPU time of this process (user + system) during the run: the mock runs elsewhere. */
	cpuMs: number;
	items: number;
	failed: number;
	requests: number;
	rateLimited: number;
	maxInFlight: number;
	connections: number;
	peakRssGrowthMb: number;
	/** The node's error, when it failed the run (default error mode). */
	runError?: string;
}

interface Row {
	scenario: string;
	setting: string;
	measured: Measurement;
	/** The ideal time, when the scenario has one. */
	idealMs?: number;
	target?: string;
	/** Extra figure for the last column. */
	note?: string;
}

/**
 * n8n's HTTP Request node doing the same calls needs a real n8n (the node is not in this package's
 * dependencies): the end-to-end part of the project measures it. Its figures come in as a JSON file named by
 * BENCH_HTTP_REQUEST_NODE, of this shape, and fill the comparison rows of scenarios 2, 3 and 4 (`perItem` with
 * Continue On Fail, `perItemStop` in the default error mode, `slowProvider` batching 20 items / 1,000 ms, by latency):
 *   { "rateDefaults": { "timeMs": 21000, "failed": 378 }, "rateBatched": { "timeMs": 20400, "failed": 0 },
 *     "perItem": { "timeMs": 30000, "peakRssGrowthMb": 250 }, "perItemStop": { "timeMs": 30000 },
 *     "slowProvider": { "800": { "timeMs": 10700, "failed": 0 } } }
 */
interface HttpFigures {
	timeMs: number;
	failed?: number;
	peakRssGrowthMb?: number;
}
type HttpRequestNodeFigures = Partial<Record<'rateDefaults' | 'rateBatched' | 'perItem' | 'perItemStop', HttpFigures>> & {
	slowProvider?: Record<string, HttpFigures>;
};
const HTTP_REQUEST_NODE: HttpRequestNodeFigures = process.env.BENCH_HTTP_REQUEST_NODE
	? (JSON.parse(fs.readFileSync(process.env.BENCH_HTTP_REQUEST_NODE, 'utf8')) as HttpRequestNodeFigures)
	: {};

/** What runs as the node under test: the Verify node, by default reading each item's triple by expression. */
interface Subject {
	fields?: INodeParameters;
	nodeType?: INodeType;
}

async function measure(
	identities: GeneratedIdentity[] | IDataObject[],
	mock: Omit<MockOptions, 'resultFor'>,
	options: INodeParameters,
	{ fields = FROM_ITEM, nodeType }: Subject = {},
	errorMode: ErrorMode = 'continue',
): Promise<Measurement> {
	const provider = await RemoteMock.start(mock);
	const baseline = process.memoryUsage().rss;
	let peak = baseline;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
	const cpu = process.cpuUsage();
	try {
		const run = await runVerify({
			parameters: { ...fields, options },
			items: identities.map((identity) => ({ ...identity })),
			credentials: { apiToken: DEFAULT_TOKEN, baseUrl: provider.url },
			onError: errorMode === 'continue' ? 'continueRegularOutput' : undefined,
			nodeType,
		});
		peak = Math.max(peak, process.memoryUsage().rss);
		const { user, system } = process.cpuUsage(cpu);
		// Only the default error mode may fail the run: the node failed, and no item has a result.
		if (run.error && errorMode === 'continue') throw run.error;
		const items = run.outputs().flat();
		if (!run.error && items.length !== identities.length) throw new Error(`${items.length} output items for ${identities.length}`);
		const stats = await provider.stats();
		return {
			timeMs: run.task().executionTime,
			cpuMs: (user + system) / 1000,
			items: identities.length,
			failed: run.error ? identities.length : items.filter((item) => failedItem(item.json)).length,
			requests: stats.requests,
			rateLimited: stats.rateLimited,
			maxInFlight: stats.maxInFlight,
			connections: stats.connections,
			peakRssGrowthMb: (peak - baseline) / 2 ** 20,
			runError: run.error?.message,
		};
	} finally {
		clearInterval(sampler);
		await provider.close();
	}
}

async function scenario1(): Promise<Row[]> {
	const identities = generateIdentities(1000, 101);
	const [first] = identities;
	// The scenario as specified, in both error modes, then two rows that take parts away to show where the time
	// above the ideal goes: the same node with fixed values (no expression to evaluate per item), and a node that
	// only sends.
	const subjects: Array<[string, Subject, INodeParameters?, ErrorMode?]> = [
		['ours', {}],
		[`ours, ${ERROR_MODE_LABEL.stop}`, {}, {}, 'stop'],
		['ours, fixed values', { fields: { name: first.name, phone: first.phone, idCard: first.idCard } }, { skipDuplicates: false }],
		["n8n's request helper alone", { nodeType: new RequestsOnly() }],
	];
	const rows: Row[] = [];
	for (const concurrency of [10, 50]) {
		let continued: Measurement | undefined;
		for (const [label, subject, extra, errorMode = 'continue'] of subjects) {
			const options = { concurrency, maxRequestsPerSecond: 0, ...extra };
			const measured = await measure(identities, { latencyMs: 50 }, options, subject, errorMode);
			if (label === 'ours') continued = measured;
			const vsContinue =
				errorMode === 'stop' && continued
					? [comparison(`÷ ${ERROR_MODE_LABEL.continue}`, measured.timeMs / continued.timeMs, SAME_AS_CONTINUE_TARGET)]
					: [];
			rows.push({
				scenario: '1. 1,000 items, 50 ms, no limit',
				setting: `${label}, concurrency ${concurrency}`,
				measured,
				idealMs: (identities.length * 50) / concurrency,
				// The scenario as specified, in either error mode; the other rows only show where its time goes.
				target: subject.fields || subject.nodeType ? undefined : '≤ 1.15',
				note: [...vsContinue, `max in flight ${measured.maxInFlight}, ${measured.connections} connections`].join('; '),
			});
		}
	}
	return rows;
}

async function scenario2(): Promise<Row[]> {
	const identities = generateIdentities(RATE_LIMITED.items, RATE_LIMITED.seed);
	const rows: Row[] = [];
	for (const limiter of RATE_LIMITED.limiters) {
		const measured = await measure(identities, RATE_LIMITED.mock(limiter), {});
		rows.push({
			scenario: RATE_LIMITED.scenario(limiter),
			setting: 'default options',
			measured,
			idealMs: RATE_LIMITED.idealMs(),
			target: limiter.target,
			note: `${measured.rateLimited} × 429`,
		});
	}
	// From a real n8n (bench/n8n.ts), against the first limiter.
	const http = HTTP_REQUEST_NODE;
	for (const [key, setting] of [
		['rateDefaults', 'HTTP Request node, defaults'],
		['rateBatched', 'HTTP Request node, batch 20 / 1,000 ms'],
	] as const) {
		rows.push(httpRow(RATE_LIMITED.scenario(RATE_LIMITED.limiters[0]), setting, RATE_LIMITED.items, RATE_LIMITED.idealMs(), http[key]));
	}
	return rows;
}

/** A row for the HTTP Request node's figures from a real n8n (BENCH_HTTP_REQUEST_NODE), or a note that they are missing. */
function httpRow(scenario: string, setting: string, items: number, idealMs: number, figures: HttpFigures | undefined): Row {
	return {
		scenario,
		setting,
		measured: figures ? { ...blank(), timeMs: figures.timeMs, items, failed: figures.failed ?? NaN } : blank(),
		idealMs,
		note: figures ? 'from a real n8n' : 'needs a real n8n',
	};
}

async function scenario3(): Promise<Row[]> {
	const identities = generateIdentities(10_000, 103);
	const scenario = '3. 10,000 items, 0 ms';
	const setting = (errorMode: ErrorMode) => `unpaced (concurrency 10), ${ERROR_MODE_LABEL[errorMode]}`;
	const run = async (errorMode: ErrorMode) => await measure(identities, {}, { maxRequestsPerSecond: 0 }, {}, errorMode);
	const rows: Row[] = [];
	// The first run of this size grows the process's heap (its memory figure is the one to read) and costs the
	// garbage collector more than later runs: not compared. Then both error modes twice, in alternating order
	// (default first, then Continue On Fail first), so that neither always has the other's garbage to collect.
	const first = await run('continue');
	rows.push({ scenario, setting: `${setting('continue')}, first run`, measured: first, note: `${perItemNote(first)}, +${first.peakRssGrowthMb.toFixed(0)} MB RSS` });
	const totals: Record<ErrorMode, number> = { stop: 0, continue: 0 };
	const passRatios: string[] = [];
	for (const [pass, order] of [[1, ERROR_MODES], [2, [...ERROR_MODES].reverse()]] as const) {
		const times: Partial<Record<ErrorMode, number>> = {};
		for (const errorMode of order) {
			const measured = await run(errorMode);
			times[errorMode] = measured.timeMs;
			totals[errorMode] += measured.timeMs;
			rows.push({ scenario, setting: `${setting(errorMode)}, pass ${pass}`, measured, note: perItemNote(measured) });
		}
		passRatios.push(`pass ${pass} ${(times.stop! / times.continue!).toFixed(3)}`);
	}
	const notes = [
		comparison(`time, ${ERROR_MODE_LABEL.stop} ÷ ${ERROR_MODE_LABEL.continue}, both passes`, totals.stop / totals.continue, SAME_AS_CONTINUE_TARGET) +
			` (${passRatios.join(', ')})`,
	];
	const perRun = { stop: totals.stop / 2, continue: totals.continue / 2 };
	const { perItem, perItemStop } = HTTP_REQUEST_NODE;
	if (perItemStop) notes.push(comparison(`time ÷ HTTP Request node, ${ERROR_MODE_LABEL.stop}`, perRun.stop / perItemStop.timeMs, VS_HTTP_REQUEST_TARGET));
	if (perItem) {
		notes.push(comparison(`time ÷ HTTP Request node, ${ERROR_MODE_LABEL.continue}`, perRun.continue / perItem.timeMs, VS_HTTP_REQUEST_TARGET));
		if (perItem.peakRssGrowthMb) notes.push(comparison('memory (first run)', first.peakRssGrowthMb / perItem.peakRssGrowthMb, '≤ 1.1'));
	} else {
		notes.push(`vs HTTP Request node: needs a real n8n (targets: time ${VS_HTTP_REQUEST_TARGET}, memory ≤ 1.1)`);
	}
	rows.push({ scenario, setting: 'comparisons', measured: blank(), note: notes.join('; ') });
	return rows;
}

function perItemNote(measured: Measurement): string {
	return `${(measured.timeMs / measured.items).toFixed(2)} ms/item`;
}

async function scenario4(): Promise<Row[]> {
	const identities = generateIdentities(SLOW_PROVIDER.items, SLOW_PROVIDER.seed);
	const rows: Row[] = [];
	for (const latencyMs of SLOW_PROVIDER.latenciesMs) {
		const scenario = SLOW_PROVIDER.scenario(latencyMs);
		const idealMs = SLOW_PROVIDER.idealMs(latencyMs);
		for (const errorMode of ERROR_MODES) {
			const measured = await measure(identities, SLOW_PROVIDER.mock(latencyMs), {}, {}, errorMode);
			rows.push({
				scenario,
				setting: `default options, ${ERROR_MODE_LABEL[errorMode]}`,
				measured,
				idealMs,
				target: SLOW_PROVIDER.target,
				note: `${measured.rateLimited} × 429, max in flight ${measured.maxInFlight}`,
			});
		}
		rows.push(httpRow(scenario, 'HTTP Request node, batch 20 / 1,000 ms', identities.length, idealMs, HTTP_REQUEST_NODE.slowProvider?.[latencyMs]));
	}
	return rows;
}

/** The cost of a check's own work: the same run with the bank card check's four fields and answers, and phone's three. */
async function scenario5(): Promise<Row[]> {
	const scenario = '5. 10,000 items, 0 ms, per check';
	const bankCard = checkCase('bankCard.fourElements');
	const subjects = {
		'phone three elements': { items: generateIdentities(10_000, 105), fields: FROM_ITEM },
		// Most of the mock's answers to made-up cards are billed refusals (-1): the bank card check's usual run.
		'bank card four elements': { items: distinctItems(bankCard, 10_000, 105), fields: checkParameters(bankCard) },
	};
	const totals: Record<keyof typeof subjects, number> = { 'phone three elements': 0, 'bank card four elements': 0 };
	const rows: Row[] = [];
	const names = Object.keys(subjects) as Array<keyof typeof subjects>;
	for (const order of [names, [...names].reverse()]) {
		for (const name of order) {
			const { items, fields } = subjects[name];
			const measured = await measure(items, {}, { maxRequestsPerSecond: 0 }, { fields });
			totals[name] += measured.timeMs;
			rows.push({ scenario, setting: `${name}, unpaced (concurrency 10)`, measured, note: perItemNote(measured) });
		}
	}
	const ratio = totals['bank card four elements'] / totals['phone three elements'];
	rows.push({ scenario, setting: 'comparison', measured: blank(), note: comparison('time per item, bank card ÷ phone, both passes', ratio, '≤ 1.10') });
	return rows;
}

function blank(): Measurement {
	return { timeMs: NaN, cpuMs: NaN, items: NaN, failed: NaN, requests: NaN, rateLimited: NaN, maxInFlight: NaN, connections: NaN, peakRssGrowthMb: NaN };
}

function print(rows: Row[]) {
	printTable([
		['scenario', 'setting', 'ideal ms', 'node ms', 'ratio', 'target', 'failed', 'requests', 'CPU ms/item', 'note'],
		...rows.map((row) => [
			row.scenario,
			row.setting,
			row.idealMs ? format(row.idealMs) : '—',
			format(row.measured.timeMs),
			ratioCell(row.idealMs ? row.measured.timeMs / row.idealMs : NaN, row.target, row.measured.failed),
			row.target ?? '',
			format(row.measured.failed),
			format(row.measured.requests),
			format(row.measured.cpuMs / row.measured.items, 2),
			[row.note, row.measured.runError && `run failed: ${row.measured.runError}`].filter(Boolean).join('; '),
		]),
	]);
}

async function main() {
	const scenarios: Record<string, () => Promise<Row[]>> = { 1: scenario1, 2: scenario2, 3: scenario3, 4: scenario4, 5: scenario5 };
	const chosen = process.argv.slice(2).filter((arg) => arg in scenarios);
	// Warm-up: n8n loads much of itself lazily, on the first request; that is not the node's time.
	await measure(generateIdentities(50, 100), {}, { maxRequestsPerSecond: 0 });
	const rows: Row[] = [];
	for (const key of chosen.length ? chosen : Object.keys(scenarios)) {
		process.stderr.write(`scenario ${key}…\n`);
		rows.push(...(await scenarios[key]()));
	}
	const args = process.argv.slice(2).join(' ');
	console.log(`\n${provenance(`npm run bench${args ? ` -- ${args}` : ''}`, ['BENCH_HTTP_REQUEST_NODE'])}`);
	console.log(`Ace Data Identity Verify (node version ${DEFAULT_VERSION}) inside n8n's engine (n8n-core), Node ${process.version}\n`);
	print(rows);
	console.log(
		'\nratio = the node\'s executionTime ÷ ideal. CPU ms/item = this process\'s CPU time (the mock runs in its own' +
			'\nprocess) per item: when CPU ms/item × items exceeds the ideal, the run is CPU-bound and the ratio cannot reach 1.',
	);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
