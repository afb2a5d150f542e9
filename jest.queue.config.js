/** n8n in queue mode (Postgres, Redis, a main process and two workers): `npm run test:queue`. */
const e2e = require('./jest.e2e.config');

module.exports = {
	...e2e,
	testMatch: ['**/queue.test.ts'],
	testPathIgnorePatterns: [],
};
