/**
 * The provider mock in a process of its own, for the benchmark: a real provider's work is not done on
 * n8n's event loop, so the mock's must not be counted in the node's time either. Driven over IPC:
 *   parent → { type: 'start', options }   child → { type: 'started', url }
 *   parent → { type: 'stats' }            child → { type: 'stats', stats }
 *   parent → { type: 'close' }            child exits
 */
import { resultByLastDigit } from '../test/support/identities';
import type { MockOptions, MockProvider } from '../test/support/mockProvider';
import { startMockProvider } from '../test/support/mockProvider';

export interface MockStats {
	requests: number;
	rateLimited: number;
	ok: number;
	maxInFlight: number;
	/** TCP connections opened to the mock (n8n's request helper opens one per request: no keep-alive). */
	connections: number;
}

export type ParentMessage = { type: 'start'; options: Omit<MockOptions, 'resultFor'> } | { type: 'stats' } | { type: 'close' };
export type ChildMessage = { type: 'started'; url: string } | { type: 'stats'; stats: MockStats };

let provider: MockProvider | undefined;

function send(message: ChildMessage) {
	process.send?.(message);
}

process.on('message', (message: ParentMessage) => {
	void (async () => {
		if (message.type === 'start') {
			provider = await startMockProvider({ ...message.options, resultFor: resultByLastDigit });
			send({ type: 'started', url: provider.url });
		} else if (message.type === 'stats' && provider) {
			const { requests } = provider;
			send({
				type: 'stats',
				stats: {
					requests: requests.length,
					rateLimited: requests.filter((request) => request.status === 429).length,
					ok: requests.filter((request) => request.status === 200).length,
					maxInFlight: provider.maxInFlight,
					connections: provider.connections,
				},
			});
		} else if (message.type === 'close') {
			await provider?.close();
			process.exit(0);
		}
	})();
});
