/**
 * n8n's own verification, run on every `npm test`: the community-package scanner
 * (@n8n/scan-community-package, a dev dependency) on a clean copy of the source and on the tarball
 * `npm pack` makes from it, and the n8n Cloud eligibility check of the node CLI (`n8n-node cloud-support`)
 * with `npm run lint` under the CLI's config. Nothing is installed: the copy uses the project's node_modules.
 *
 * The copy holds the files git tracks (and new ones it does not ignore) as they are in the working tree,
 * so neither dist/ nor anything else left over from local work is scanned or packed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');

interface ScanReport {
	verdict: { passed: boolean; message?: string; details?: string };
	files: string[];
	findings: string[];
}

let work: string;
let source: string;
let unpacked: string;

/**
 * Runs a command outside jest's environment: jest sets NODE_ENV=test, and eslint-plugin-n8n-nodes-base
 * then takes every file for a (trigger) node file and reports what it would not report to n8n.
 */
function run(command: string, args: string[], cwd: string) {
	const { NODE_ENV: _jest, ...env } = process.env;
	const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' } });
	return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function scan(leg: 'source' | 'tarball', folder: string): ScanReport {
	const { code, output } = run(process.execPath, [join(root, 'test/package/scanner.mjs'), leg, folder], root);
	if (code !== 0) throw new Error(`the scanner did not run:\n${output}`);
	return JSON.parse(output) as ScanReport;
}

beforeAll(() => {
	work = mkdtempSync(join(tmpdir(), 'scan-'));
	source = join(work, 'source');
	unpacked = join(work, 'tarball');
	const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
		cwd: root,
		encoding: 'utf8',
	});
	for (const file of tracked.split('\0').filter((path) => path && existsSync(join(root, path)))) {
		mkdirSync(dirname(join(source, file)), { recursive: true });
		cpSync(join(root, file), join(source, file));
	}
	symlinkSync(join(root, 'node_modules'), join(source, 'node_modules'), 'dir');

	const build = run('npm', ['run', 'build'], source);
	if (build.code !== 0) throw new Error(`npm run build failed in the copy:\n${build.output}`);
	const pack = run('npm', ['pack', '--silent', '--pack-destination', work], source);
	const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
	if (pack.code !== 0 || !tarball) throw new Error(`npm pack failed in the copy:\n${pack.output}`);
	mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', join(work, tarball), '-C', unpacked, '--strip-components=1']);
}, 300_000);

afterAll(() => {
	if (work) rmSync(work, { recursive: true, force: true });
});

describe("n8n's community-package scanner", () => {
	it.each([
		{
			leg: 'source' as const,
			what: 'the source: package.json, nodes/ and credentials/',
			folder: () => source,
			files: ['package.json', 'credentials/AceDataCloudApi.credentials.ts', 'nodes/AceDataPhoneVerify/AceDataPhoneVerify.node.ts'],
		},
		{
			leg: 'tarball' as const,
			what: 'the packed tarball: every .js, .ts and .json file',
			folder: () => unpacked,
			files: [
				'package.json',
				'index.js',
				'dist/credentials/AceDataCloudApi.credentials.js',
				'dist/nodes/AceDataPhoneVerify/AceDataPhoneVerify.node.js',
			],
		},
	])('finds nothing in $what', ({ leg, folder, files }) => {
		const report = scan(leg, folder());
		expect(report.files).toEqual(expect.arrayContaining(files));
		expect(report.findings).toEqual([]);
		expect(report.verdict).toEqual({ passed: true });
	});

	it('leaves no eslint-disable comment in the sources it reads (it would ignore them)', () => {
		const sources = ['nodes', 'credentials'].flatMap((dir) =>
			(readdirSync(join(source, dir), { recursive: true }) as string[]).map((file) => join(source, dir, file)),
		);
		const disabling = sources.filter(
			(file) => /\.(ts|js)$/.test(file) && readFileSync(file, 'utf8').includes('eslint-disable'),
		);
		expect(disabling).toEqual([]);
	});
});

describe('n8n Cloud eligibility', () => {
	it('n8n-node cloud-support says the package is eligible (strict mode, the default lint config)', () => {
		const { code, output } = run(join(source, 'node_modules/.bin/n8n-node'), ['cloud-support'], source);
		expect(code).toBe(0);
		expect(output).toMatch(/Strict mode: enabled/);
		expect(output).toMatch(/ESLint config: using default config/);
		expect(output).toMatch(/Status: eligible for n8n Cloud verification/);
	});

	it('npm run lint passes under that config', () => {
		const { code, output } = run('npm', ['run', 'lint'], source);
		expect({ code, output }).toEqual({ code: 0, output: expect.not.stringMatching(/problem|warning|error/i) });
	}, 120_000);
});
