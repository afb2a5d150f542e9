/**
 * `npm run bench`: the Verify node inside n8n's engine (n8n-core's WorkflowExecute, in-process) against the
 * provider mock, measured as ratios, because absolute times on shared machines are noisy:
 *
 *   1. 1,000 items, 50 ms latency, no provider limit, concurrency 10 and 50 (unpaced): the node's own
 *      `executionTime` (run data) ÷ the ideal items × latency ÷ concurrency. Target ≤ 1.15. Next to it, the
 *      node with fixed values (no per-item expressions) and a node that only sends (requestsOnly.ts): the floor.
 *   2. 400 items, provider limited to 20 requests/s, the node's default options: time ÷ the ideal 20 s.
 *      Target ≤ 1.10 with no failed item. (Also against a strict limiter with no burst allowance.)
 *   3. 10,000 items at 0 ms latency: the node's time per item and the process's peak memory growth, to set
 *      against n8n's HTTP Request node doing the same calls in a real n8n (see `HTTP_REQUEST_NODE` below).
 *
 *   npm run bench            # all scenarios (about two minutes)
 *   npm run bench -- 1 3     # only scenarios 1 and 3
 *   BENCH_HTTP_REQUEST_NODE=figures.json npm run bench   # with the HTTP Request node's figures from a real n8n
 *
 * Every run uses Continue On Fail, so a failed item is counted instead of ending the run.
 */
import './outsideJest';

import * as fs from 'node:fs';

import type { INodeParameters, INodeType } from 'n8n-workflow';

import { runVerify } from '../test/support/engine';
import type { GeneratedIdentity } from '../test/support/identities';
import { FROM_ITEM, generateIdentities } from '../test/support/identities';
import type { MockOptions } from '../test/support/mockProvider';
import { DEFAULT_TOKEN } from '../test/support/mockProvider';
import { RemoteMock } from './remoteMock';
import { RequestsOnly } from './requestsOnly';
import { format, printTable, ratioCell } from './table';


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
 * BENCH_HTTP_REQUEST_NODE, of this shape, and fill the comparison rows of scenarios 2 and 3:
 *   { "rateDefaults": { "timeMs": 21000, "failed": 378 }, "rateBatched": { "timeMs": 20400, "failed": 0 },
 *     "perItem": { "timeMs": 30000, "peakRssGrowthMb": 250 } }
 */
type HttpRequestNodeFigures = Partial<
	Record<'rateDefaults' | 'rateBatched' | 'perItem', { timeMs: number; failed?: number; peakRssGrowthMb?: number }>
>;
const HTTP_REQUEST_NODE: HttpRequestNodeFigures = process.env.BENCH_HTTP_REQUEST_NODE
	? (JSON.parse(fs.readFileSync(process.env.BENCH_HTTP_REQUEST_NODE, 'utf8')) as HttpRequestNodeFigures)
	: {};

/** What runs as the node under test: the Verify node, by default reading each item's triple by expression. */
interface Subject {
	fields?: INodeParameters;
	nodeType?: INodeType;
}

async function measure(
	identities: GeneratedIdentity[],
	mock: Omit<MockOptions, 'resultFor'>,
	options: INodeParameters,
	{ fields = FROM_ITEM, nodeType }: Subject = {},
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
			onError: 'continueRegularOutput',
			nodeType,
		});
		peak = Math.max(peak, process.memoryUsage().rss);
		const { user, system } = process.cpuUsage(cpu);
		if (run.error) throw run.error;
		const items = run.outputs().flat();
		if (items.length !== identities.length) throw new Error(`${items.length} output items for ${identities.length}`);
		const stats = await provider.stats();
		return {
			timeMs: run.task().executionTime,
			cpuMs: (user + system) / 1000,
			items: items.length,
			failed: items.filter((item) => item.json.error !== undefined).length,
			requests: stats.requests,
			rateLimited: stats.rateLimited,
			maxInFlight: stats.maxInFlight,
			connections: stats.connections,
			peakRssGrowthMb: (peak - baseline) / 2 ** 20,
		};
	} finally {
		clearInterval(sampler);
		await provider.close();
	}
}

async function scenario1(): Promise<Row[]> {
	const identities = generateIdentities(1000, 101);
	const [first] = identities;
	// The scenario as specified, then two rows that take parts away to show where the time above the ideal goes:
	// the same node with fixed values (no expression to evaluate per item), and a node that only sends.
	const subjects: Array<[string, Subject, INodeParameters?]> = [
		['ours', {}],
		['ours, fixed values', { fields: { name: first.name, phone: first.phone, idCard: first.idCard } }, { skipDuplicates: false }],
		["n8n's request helper alone", { nodeType: new RequestsOnly() }],
	];
	const rows: Row[] = [];
	for (const concurrency of [10, 50]) {
		for (const [label, subject, extra] of subjects) {
			const measured = await measure(identities, { latencyMs: 50 }, { concurrency, maxRequestsPerSecond: 0, ...extra }, subject);
			rows.push({
				scenario: '1. 1,000 items, 50 ms, no limit',
				setting: `${label}, concurrency ${concurrency}`,
				measured,
				idealMs: (identities.length * 50) / concurrency,
				target: label === 'ours' ? '≤ 1.15' : undefined,
				note: `max in flight ${measured.maxInFlight}, ${measured.connections} connections`,
			});
		}
	}
	return rows;
}

async function scenario2(): Promise<Row[]> {
	const identities = generateIdentities(400, 102);
	const rows: Row[] = [];
	for (const [label, burst] of [
		['burst 20', 20],
		['strict, burst 1', 1],
	] as const) {
		const measured = await measure(identities, { latencyMs: 50, rateLimit: { perSecond: 20, burst, retryAfterSeconds: 1 } }, {});
		rows.push({
			scenario: `2. 400 items, provider 20/s (${label})`,
			setting: 'default options',
			measured,
			idealMs: (identities.length / 20) * 1000,
			target: '≤ 1.10, 0 failed',
			note: `${measured.rateLimited} × 429`,
		});
	}
	const http = HTTP_REQUEST_NODE;
	for (const [key, setting] of [
		['rateDefaults', 'HTTP Request node, defaults'],
		['rateBatched', 'HTTP Request node, batch 20 / 1,000 ms'],
	] as const) {
		const figures = http[key];
		rows.push({
			scenario: '2. 400 items, provider 20/s',
			setting,
			measured: figures
				? { ...blank(), timeMs: figures.timeMs, items: 400, failed: figures.failed ?? NaN }
				: blank(),
			idealMs: 20_000,
			note: figures ? 'from a real n8n' : 'needs a real n8n',
		});
	}
	return rows;
}

async function scenario3(): Promise<Row[]> {
	const identities = generateIdentities(10_000, 103);
	const measured = await measure(identities, {}, { maxRequestsPerSecond: 0 });
	const http = HTTP_REQUEST_NODE.perItem;
	return [
		{
			scenario: '3. 10,000 items, 0 ms',
			setting: 'concurrency 5, unpaced',
			measured,
			note: `${(measured.timeMs / identities.length).toFixed(2)} ms/item, +${measured.peakRssGrowthMb.toFixed(0)} MB RSS`,
		},
		{
			scenario: '3. 10,000 items, 0 ms',
			setting: 'ours ÷ HTTP Request node',
			measured: blank(),
			note: http
				? `time ${(measured.timeMs / http.timeMs).toFixed(2)} (≤ 1.0)` +
					(http.peakRssGrowthMb ? `, memory ${(measured.peakRssGrowthMb / http.peakRssGrowthMb).toFixed(2)} (≤ 1.1)` : '')
				: 'needs a real n8n (targets: time ≤ 1.0, memory ≤ 1.1)',
		},
	];
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
			row.note ?? '',
		]),
	]);
}

async function main() {
	const scenarios: Record<string, () => Promise<Row[]>> = { 1: scenario1, 2: scenario2, 3: scenario3 };
	const chosen = process.argv.slice(2).filter((arg) => arg in scenarios);
	// Warm-up: n8n loads much of itself lazily, on the first request; that is not the node's time.
	await measure(generateIdentities(50, 100), {}, { maxRequestsPerSecond: 0 });
	const rows: Row[] = [];
	for (const key of chosen.length ? chosen : Object.keys(scenarios)) {
		process.stderr.write(`scenario ${key}…\n`);
		rows.push(...(await scenarios[key]()));
	}
	console.log(`\nAce Data Phone Verify inside n8n's engine (n8n-core), Node ${process.version}\n`);
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
