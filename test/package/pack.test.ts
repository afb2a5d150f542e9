/**
 * What `npm publish` would ship, checked the way n8n looks at a community package: only what n8n loads
 * (compiled JavaScript, icons, the codex file) and the usual documents, no TypeScript declarations (the
 * scanner lints every shipped .ts file with rules written for sources), every path of the `n8n` field
 * present, no runtime dependencies or install scripts, and compiled code that passes the globals/imports
 * checks of n8n's package scanner. test/package/scan.test.ts runs the scanner itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

import { Linter, type Rule } from 'eslint';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	name: string;
	main?: string;
	license?: string;
	keywords?: string[];
	scripts?: Record<string, string>;
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	n8n: { nodes: string[]; credentials?: string[] };
};

const SOURCE_DIRS = ['nodes', 'credentials'];
/** Scripts npm runs on the user's machine at install time; n8n refuses packages that have them. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'];
/** The globals n8n's scanner and community lint rules reject in node code. */
const RESTRICTED_GLOBALS = [
	'clearInterval',
	'clearTimeout',
	'global',
	'globalThis',
	'process',
	'setInterval',
	'setTimeout',
	'setImmediate',
	'clearImmediate',
	'__dirname',
	'__filename',
];
/** The node contract: n8n-workflow and Node's crypto, nothing else. */
const ALLOWED_MODULES = new Set(['n8n-workflow', 'crypto', 'node:crypto']);
const VALID_CATEGORIES = new Set([
	'AI',
	'Analytics',
	'Communication',
	'Data & Storage',
	'Development',
	'Finance & Accounting',
	'Marketing',
	'Miscellaneous',
	'Productivity',
	'Sales',
	'Utility',
]);

function walk(dir: string): string[] {
	return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
		const path = posix.join(dir, entry.name);
		return entry.isDirectory() ? walk(path) : [path];
	});
}

/** Each shipped source file and what the build makes of it in dist/. */
function buildOutputs(): Array<{ source: string; outputs: string[] }> {
	return SOURCE_DIRS.flatMap(walk).flatMap((source) => {
		if (source.endsWith('.d.ts')) return [];
		if (source.endsWith('.ts')) {
			return [{ source, outputs: [`dist/${source.slice(0, -'.ts'.length)}.js`] }];
		}
		if (/\.(svg|png)$/.test(source) || source.endsWith('.node.json')) return [{ source, outputs: [`dist/${source}`] }];
		return [];
	});
}

function distIsCurrent(): boolean {
	return buildOutputs().every(({ source, outputs }) => {
		const sourceTime = statSync(join(root, source)).mtimeMs;
		return outputs.every((output) => existsSync(join(root, output)) && statSync(join(root, output)).mtimeMs >= sourceTime);
	});
}

function packedFiles(): string[] {
	const stdout = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const [result] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
	return result.files.map((file) => file.path).sort();
}

/** The icon paths (`file:` references) of a node or credential description, resolved against its file. */
function iconFiles(icon: unknown, builtFile: string): string[] {
	const refs = typeof icon === 'string' ? [icon] : Object.values((icon ?? {}) as Record<string, string>);
	return refs.map((ref) => {
		expect(ref).toMatch(/^file:/);
		return posix.join(posix.dirname(builtFile), ref.slice('file:'.length));
	});
}

function loadBuilt<T>(builtFile: string): T {
	// The built module, as n8n loads it.
	const exports = require(join(root, builtFile)) as Record<string, new () => T>;
	const [Class] = Object.values(exports).filter((value) => typeof value === 'function');
	return new Class();
}

let files: string[] = [];

beforeAll(() => {
	if (!distIsCurrent()) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
	files = packedFiles();
}, 180_000);

describe('npm pack contents', () => {
	it('ships only what n8n loads, package.json and the usual documents', () => {
		const documents = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', String(pkg.main)];
		const unexpected = files.filter((file) => !documents.includes(file) && !/^dist\/.+\.(js|svg|png|node\.json)$/.test(file));
		expect(unexpected).toEqual([]);
		expect(files).toEqual(expect.arrayContaining(documents));
	});

	it('ships no tests, TypeScript sources or declarations, source maps or tooling', () => {
		expect(files.filter((file) => /(^|\/)test\/|\.test\.|\.ts$|\.map$|^scripts\/|^\.|eslint|tsconfig/.test(file))).toEqual([]);
	});

	it('holds every node and credential listed in the n8n field', () => {
		const listed = [...pkg.n8n.nodes, ...(pkg.n8n.credentials ?? [])];
		expect(listed.length).toBeGreaterThan(0);
		expect(listed.filter((path) => !files.includes(path))).toEqual([]);
	});

	it('holds the build of every source file, and nothing built from a source that is gone', () => {
		const expected = buildOutputs().flatMap(({ outputs }) => outputs);
		expect(expected.filter((file) => !files.includes(file))).toEqual([]);
		const stale = files.filter((file) => file.startsWith('dist/') && !expected.includes(file));
		expect(stale).toEqual([]); // if this fails: delete dist/ and build again
	});

	it('puts each icon and the codex file beside the compiled node and credential', () => {
		for (const nodeFile of pkg.n8n.nodes) {
			const { description } = loadBuilt<{ description: { name: string; icon: unknown } }>(nodeFile);
			const icons = iconFiles(description.icon, nodeFile);
			expect(icons.length).toBeGreaterThan(0);
			expect(icons.filter((icon) => !files.includes(icon))).toEqual([]);

			const codexFile = nodeFile.replace(/\.js$/, '.json');
			expect(files).toContain(codexFile);
			const codex = JSON.parse(readFileSync(join(root, codexFile), 'utf8')) as {
				node: string;
				categories: string[];
				alias?: string[];
			};
			expect(codex.node).toBe(`${pkg.name}.${description.name}`);
			expect(codex.categories.length).toBeGreaterThan(0);
			expect(codex.categories.filter((category) => !VALID_CATEGORIES.has(category))).toEqual([]);
		}
		for (const credentialFile of pkg.n8n.credentials ?? []) {
			const credential = loadBuilt<{ icon: unknown }>(credentialFile);
			const icons = iconFiles(credential.icon, credentialFile);
			expect(icons.length).toBeGreaterThan(0);
			expect(icons.filter((icon) => !files.includes(icon))).toEqual([]);
		}
	});

	// How n8n's editor builds the Docs links (useNodeDocsUrl and CredentialConfig, the same in n8n 1.123 and
	// 2.41): a node's own `documentationUrl` starting with "http" is used as it is; otherwise the codex's first
	// primaryDocumentation URL gets `?utm_source=…` appended as text, so a fragment or query in it breaks the
	// link. A credential's absolute URL outside docs.n8n.io is used as it is; a slug gives no link at all.
	it('gives Docs links that still open the right page once n8n has added its query string', () => {
		for (const nodeFile of pkg.n8n.nodes) {
			const { description } = loadBuilt<{ description: { documentationUrl?: string } }>(nodeFile);
			if (description.documentationUrl?.startsWith('http')) continue;
			const codex = JSON.parse(readFileSync(join(root, nodeFile.replace(/\.js$/, '.json')), 'utf8')) as {
				resources: { primaryDocumentation: { url: string }[] };
			};
			const [primary] = codex.resources.primaryDocumentation;
			expect(primary.url).toMatch(/^https:\/\/[^?#]+$/);
		}
		for (const credentialFile of pkg.n8n.credentials ?? []) {
			const { documentationUrl } = loadBuilt<{ documentationUrl: string }>(credentialFile);
			expect(new URL(documentationUrl).protocol).toBe('https:');
			expect(new URL(documentationUrl).hostname).not.toBe('docs.n8n.io');
		}
	});
});

describe('package.json for an n8n community package', () => {
	it('has no runtime dependencies and only n8n-workflow as a peer', () => {
		expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});

	it('runs nothing at install time', () => {
		expect(Object.keys(pkg.scripts ?? {}).filter((name) => INSTALL_SCRIPTS.includes(name))).toEqual([]);
	});

	it('is findable and MIT-licensed', () => {
		expect(pkg.name).toMatch(/^(@[a-z0-9-]+\/)?n8n-nodes-/);
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
	});
});

describe('compiled code, as n8n scans it', () => {
	const requireAllowed: Rule.RuleModule = {
		create: (context) => ({
			CallExpression(node) {
				if (node.callee.type !== 'Identifier' || node.callee.name !== 'require') return;
				const [arg] = node.arguments;
				const name = arg?.type === 'Literal' ? String(arg.value) : undefined;
				if (name === undefined) context.report({ node, message: 'require() of a computed module' });
				else if (!name.startsWith('./') && !name.startsWith('../') && !ALLOWED_MODULES.has(name)) {
					context.report({ node, message: `require('${name}') is not allowed in node code` });
				}
			},
		}),
	};
	const config: Linter.Config[] = [
		{
			files: ['**/*.js'],
			plugins: { pack: { rules: { 'require-allowed': requireAllowed } } },
			languageOptions: { sourceType: 'commonjs', ecmaVersion: 2022 },
			linterOptions: { noInlineConfig: true },
			rules: { 'no-restricted-globals': ['error', ...RESTRICTED_GLOBALS], 'pack/require-allowed': 'error' },
		},
	];

	it('uses no restricted globals and requires only n8n-workflow, crypto and its own files', () => {
		const linter = new Linter();
		const jsFiles = files.filter((file) => file.endsWith('.js'));
		expect(jsFiles.length).toBeGreaterThan(0);
		const problems = jsFiles.flatMap((file) =>
			linter
				.verify(readFileSync(join(root, file), 'utf8'), config, file)
				.map((message) => `${file}:${message.line} ${message.message}`),
		);
		expect(problems).toEqual([]);
	});

	it('resolves every relative require inside the package', () => {
		const missing = files
			.filter((file) => file.endsWith('.js'))
			.flatMap((file) =>
				[...readFileSync(join(root, file), 'utf8').matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)]
					.map((match) => posix.join(dirname(file), match[1]))
					// As Node resolves them: the file, the file with .js, or a folder's index.js.
					.filter((target) => ![target, `${target}.js`, `${target}/index.js`].some((candidate) => files.includes(candidate))),
			);
		expect(missing).toEqual([]);
	});
});
