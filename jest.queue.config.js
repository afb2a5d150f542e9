/** n8n in queue mode (Redis, a main process and a worker): `npm run test:queue`. */
const e2e = require('./jest.e2e.config');

module.exports = {
	...e2e,
	testMatch: ['**/queue.test.ts'],
	testPathIgnorePatterns: [],
};
