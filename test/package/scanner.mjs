/**
 * Runs n8n's community-package scanner (@n8n/scan-community-package) on one folder the way n8n's
 * verification does, and prints JSON for test/package/scan.test.ts (an ES module, which jest's CommonJS
 * runtime cannot import):
 *
 *   node test/package/scanner.mjs source  <folder>   # the source leg: SOURCE_FILE_PATTERNS
 *   node test/package/scanner.mjs tarball <folder>   # the unpacked tarball: every .js, .ts and .json
 *
 * `verdict` is analyzePackage's own answer. analyzePackage fails on errors only, so the same ESLint run
 * (the scanner's ESLint, its config, inline config ignored) is repeated to list warnings too.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

import { analyzePackage, buildScanConfig, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const [leg, folder] = process.argv.slice(2);
const patterns = { source: SOURCE_FILE_PATTERNS, tarball: ['**/*.js', '**/*.ts', '**/*.json'] }[leg];
if (!patterns || !folder) {
	console.error('usage: node test/package/scanner.mjs source|tarball <folder>');
	process.exit(2);
}

// The modules the scanner itself resolves, not the project's own copies.
const scannerRequire = createRequire(import.meta.resolve('@n8n/scan-community-package/scanner/scanner.mjs'));
const { ESLint } = scannerRequire('eslint');
const glob = scannerRequire('fast-glob');

const verdict = await analyzePackage(folder, patterns);

const eslint = new ESLint({
	cwd: folder,
	allowInlineConfig: false,
	overrideConfigFile: true,
	overrideConfig: await buildScanConfig(),
});
const files = glob.sync(patterns, { cwd: folder, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
const results = await eslint.lintFiles(files);

console.log(
	JSON.stringify({
		verdict: { passed: verdict.passed, message: verdict.message, details: verdict.details },
		files: files.map((file) => path.relative(folder, file)).sort(),
		findings: results.flatMap((result) =>
			result.messages.map(
				(m) =>
					`${path.relative(folder, result.filePath)}:${m.line} ${m.severity === 2 ? 'error' : 'warning'} ${m.ruleId ?? ''} ${m.message}`,
			),
		),
	}),
);
