/**
 * The sandbox provider: the test suite's provider mock as a stand-alone server, so that workflows can
 * be tried in a local n8n without a token or money. Answers the identities listed in CONTRIBUTING.md, "Sandbox
 * identities".
 *
 *   npx tsx scripts/sandbox.ts [--port 8787] [--latency 100] [--rate-limit 20]
 */
import { parseArgs } from 'node:util';

import { DEFAULT_TOKEN, startMockProvider } from '../test/support/mockProvider';

export const SANDBOX_PORT = 8787;
export const SANDBOX_TOKEN = 'sandbox-token';

async function main() {
	const { values } = parseArgs({
		options: {
			port: { type: 'string', default: String(SANDBOX_PORT) },
			latency: { type: 'string', default: '0' },
			'rate-limit': { type: 'string', default: '0' },
		},
	});
	const perSecond = Number(values['rate-limit']);
	const provider = await startMockProvider({
		port: Number(values.port),
		tokens: { [SANDBOX_TOKEN]: 'ok', [DEFAULT_TOKEN]: 'ok' },
		latencyMs: Number(values.latency),
		rateLimit: perSecond > 0 ? { perSecond } : null,
	});
	console.log(`sandbox provider on ${provider.url} (token: ${SANDBOX_TOKEN})`);
	const stop = () => void provider.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) void main();
