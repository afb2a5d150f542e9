/**
 * `npm run bench:memory`: what the answer memory costs. Runs the Verify node (phone three elements, whose answers
 * carry the most fields) inside n8n's engine against the provider mock answering as the provider does — a 36-character
 * trace ID, a carrier, a Chinese description — every identity answered, so every answer is kept; then measures what
 * the execution saves (UTF-8 bytes of its JSON) and the heap a copy of it takes. BENCH_IDENTITIES sets the run's size
 * (default 10,000); a run beyond MAX_SAVED_ANSWERS shows the bound.
 */
import './outsideJest';

import { execSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { MAX_SAVED_ANSWERS, MEMORY_KEY } from '../nodes/AceDataPhoneVerify/answerMemory';
import { runVerify } from '../test/support/engine';
import { FROM_ITEM, generateIdentities } from '../test/support/identities';
import { DEFAULT_TOKEN, startMockProvider } from '../test/support/mockProvider';

const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 10_000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
	gc();
	gc();
	return process.memoryUsage().heapUsed;
}

async function main() {
	const provider = await startMockProvider({ resultFor: () => '0', likeProvider: true });
	try {
		const run = await runVerify({
			parameters: { ...FROM_ITEM, options: { maxRequestsPerSecond: 0, concurrency: 20 } },
			items: generateIdentities(IDENTITIES, 7) as unknown as Array<Record<string, string>>,
			credentials: { apiToken: DEFAULT_TOKEN, baseUrl: provider.url },
		});
		const memory = (run.run.data.executionData?.contextData.flow as Record<string, unknown>)[MEMORY_KEY];
		const saved = JSON.stringify(memory);
		const bytes = Buffer.byteLength(saved, 'utf8');
		const kept = Object.keys((memory as { answers: object }).answers).length;

		const before = heapAfterGc();
		const copy = JSON.parse(saved) as unknown;
		const heap = heapAfterGc() - before;

		const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
		const dirty = execSync('git status --porcelain -- nodes', { encoding: 'utf8' }).trim() ? '-dirty' : '';
		const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;
		const count = (n: number) => n.toLocaleString('en-US');
		console.log(`answer memory, ${count(IDENTITIES)} distinct identities answered; ${count(kept)} answers saved (at most ${count(MAX_SAVED_ANSWERS)})`);
		console.log(`  saved with the execution (UTF-8 JSON): ${mb(bytes)}, ${Math.round(bytes / kept)} bytes per answer`);
		console.log(`  at the bound, ${count(MAX_SAVED_ANSWERS)} answers:       about ${mb((bytes / kept) * MAX_SAVED_ANSWERS)}`);
		console.log(`  heap of a copy:                        ${mb(heap)}, ${Math.round(heap / kept)} bytes per answer`);
		console.log(`  measured at ${commit}${dirty} with: npm run bench:memory`);
		if (!copy) throw new Error('nothing kept');
	} finally {
		await provider.close();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
