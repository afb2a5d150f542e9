/**
 * The example workflows (examples/*.json) checked by scripts/check-examples.ts against this n8n version: known
 * nodes and parameters, what their notes promise, an import that keeps them whole, and the batch and webhook
 * examples run against the sandbox identities with the figures their notes state.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { ensureN8n, N8N_VERSION, ROOT } from './n8n';

test(`n8n ${N8N_VERSION}: scripts/check-examples.ts passes every check`, () => {
	ensureN8n();
	spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
	// Jest's NODE_ENV=test would silence n8n's logger, and with it the run JSON the script reads.
	const { NODE_ENV: _jest, ...env } = process.env;
	const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/check-examples.ts'], {
		cwd: ROOT,
		env: { ...env, N8N_VERSION },
		encoding: 'utf8',
		timeout: 8 * 60_000,
	});
	const failed = result.stdout.split('\n').filter((line) => line.startsWith('  FAIL'));
	expect({ failed, stderr: result.stderr.slice(-3000) }).toEqual({ failed: [], stderr: '' });
	expect(result.stdout).toContain('all example checks passed');
	expect(result.status).toBe(0);
}, 10 * 60_000);
