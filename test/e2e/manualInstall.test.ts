/**
 * docs/manual-install.md, followed to the letter: the tarball `npm pack` makes, installed with the documented
 * `npm install` into <user folder>/.n8n/nodes while npm's registry is a closed port (so nothing can come from
 * it), then loaded by a real n8n and run in a workflow against the provider mock.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { startMockProvider } from '../support/mockProvider';
import type { MockProvider } from '../support/mockProvider';
import { CREDENTIAL_TYPE, ensureN8n, freePort, N8N_VERSION, N8nInstance, outputItems, ROOT } from './n8n';
import { code, manualTrigger, verify, workflow } from './workflows';

const TOKEN = 'manual-install-token-5b2e';
const CREDENTIAL = { id: 'e2eManualCred01', name: 'Manual install' };
const WORKFLOW_ID = 'e2eManualInst01';
const ZHANG = { name: '张三', phone: '13800138000', idCard: '11010519491231002X' };
const PACKAGE = 'n8n-nodes-acedata-phone-verify';

let provider: MockProvider;
let n8n: N8nInstance;
let packDir: string;
let installOutput = '';

beforeAll(async () => {
	ensureN8n();
	provider = await startMockProvider({ tokens: { [TOKEN]: 'ok' } });
	// Step 1, from a checkout: build, then pack.
	execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'acedata-pack-'));
	const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' })
		.trim()
		.split('\n')
		.pop()!;
	const closedRegistry = `http://127.0.0.1:${await freePort()}/`;
	n8n = N8nInstance.create({
		install: (userFolder) => {
			// Step 2, as documented (with the user folder in place of the home folder).
			const nodes = path.join(userFolder, '.n8n/nodes');
			fs.mkdirSync(nodes, { recursive: true });
			fs.copyFileSync(path.join(packDir, tarball), path.join(nodes, tarball));
			installOutput = execFileSync(
				'npm',
				['install', '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund', `./${tarball}`],
				{ cwd: nodes, encoding: 'utf8', env: { ...process.env, npm_config_registry: closedRegistry } },
			);
		},
	});
	await n8n.importCredentials([{ ...CREDENTIAL, type: CREDENTIAL_TYPE, data: { apiToken: TOKEN, baseUrl: provider.url } }]);
	await n8n.importWorkflows([
		workflow('e2eManualInst01', 'Installed by hand', [manualTrigger(), code('Person', [ZHANG]), verify('Verify', CREDENTIAL, {
			name: '={{ $json.name }}',
			phone: '={{ $json.phone }}',
			idCard: '={{ $json.idCard }}',
		})], [['Start', 'Person'], ['Person', 'Verify']]),
	]);
}, 30 * 60_000);

afterAll(async () => {
	await provider?.close();
	n8n?.remove();
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

describe(`n8n ${N8N_VERSION}: installed from the tarball without the npm registry (docs/manual-install.md)`, () => {
	test('npm installs the tarball alone into .n8n/nodes/node_modules, recorded in .n8n/nodes/package.json', () => {
		expect(installOutput).toMatch(/added 1 package/);
		const nodes = path.join(n8n.userFolder, '.n8n/nodes');
		expect(fs.readdirSync(path.join(nodes, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual([PACKAGE]);
		const manifest = JSON.parse(fs.readFileSync(path.join(nodes, 'package.json'), 'utf8'));
		expect(manifest.dependencies[PACKAGE]).toMatch(/^file:n8n-nodes-acedata-phone-verify-\d+\.\d+\.\d+\.tgz$/);
	});

	test('n8n loads the node and a workflow verifies a person through it', async () => {
		const { run } = await n8n.execute(WORKFLOW_ID);
		expect(run.data.resultData.error).toBeUndefined();
		expect(outputItems(run, 'Verify')).toEqual([
			expect.objectContaining({ status: 'match', matched: true, billable: true, attempts: 1 }),
		]);
		expect(provider.requests).toHaveLength(1);
	});
});
