/** Unit and engine tests; the end-to-end suite against a real n8n has its own config. */
module.exports = {
	preset: 'ts-jest',
	// Node's environment; in engine tests n8n's log is kept, and shown only with a failing test.
	testEnvironment: '<rootDir>/test/support/n8nLogEnvironment.ts',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/test/e2e/'],
};
