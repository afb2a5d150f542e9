/**
 * End-to-end tests against a real n8n (scripts/n8n/install.sh), one version per run: N8N_VERSION picks it
 * (default 2.41.1). Each `n8n` command boots n8n, so tests are slow and run one file at a time.
 * The queue-mode test has its own config (jest.queue.config.js).
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: [
		'/queue\\.test\\.ts$',
		// The examples are saved with n8n 2.x node versions (Set 3.5, Form Trigger 2.6, AI Agent 3.1, Data
		// table 1.1, ...) that n8n 1.123 does not have: they are checked on 2.x only.
		...(Number((process.env.N8N_VERSION || '2.41.1').split('.')[0]) < 2 ? ['/examples\\.test\\.ts$'] : []),
	],
	// Hooks that boot n8n take tens of seconds; installing n8n (first run only) takes minutes and sets its own.
	testTimeout: 180_000,
	maxWorkers: 1,
};
