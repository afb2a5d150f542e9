// The rules n8n checks community packages against: its own community-nodes plugin (recommended, i.e. the
// n8n Cloud rule set) plus the classic n8n-nodes-base rule sets for nodes, credentials and package.json.
// Only what ships is linted: node and credential sources, and package.json. Tests and scripts are not.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const SOURCES = ['nodes/**/*.ts', 'credentials/**/*.ts'];

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'test/**', 'scripts/**'] },
	{
		// typescript-estree parses JSON too (as one object expression), which is the shape the
		// package.json rules of both plugins look for.
		files: [...SOURCES, 'package.json'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { ecmaVersion: 'latest', sourceType: 'module', extraFileExtensions: ['.json'] },
		},
		linterOptions: { reportUnusedDisableDirectives: 'error' },
	},
	{ ...n8nCommunityNodesPlugin.configs.recommended, files: [...SOURCES, 'package.json'] },
	{
		files: ['package.json'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: n8nNodesBase.configs.community.rules,
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: n8nNodesBase.configs.credentials.rules,
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: n8nNodesBase.configs.nodes.rules,
	},
];
