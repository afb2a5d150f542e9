/**
 * What the engine harness (test/support/engine.ts) needs outside jest. Import this before the harness.
 *
 * - It fills n8n's `additionalData` with jest-mock-extended, which takes `jest.fn` from `@jest/globals`, a
 *   module that only works inside jest: serve it jest's own mock-function implementation instead.
 * - n8n's logger writes the node's progress lines to the console; the benchmark prints a table instead.
 */
import { ModuleMocker } from 'jest-mock';

process.env.N8N_LOG_LEVEL ??= 'warn';

const mocker = new ModuleMocker(globalThis);
const id = require.resolve('@jest/globals');
require.cache[id] = {
	id,
	filename: id,
	loaded: true,
	exports: { jest: { fn: mocker.fn.bind(mocker) } },
} as unknown as NodeJS.Module;
