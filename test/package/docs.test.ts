/**
 * The documents' links lead somewhere: every relative link and image resolves to a file git tracks, every URL
 * into this repository (`blob/main/…`, `tree/main/…`, `raw.githubusercontent.com/…/main/…`) names a tracked file
 * or folder, and every `#anchor` names a heading of its target (GitHub's slugs). npm shows the README without
 * the repository around it, so the README links into the repository by absolute URLs only. The sandbox
 * identities in CONTRIBUTING.md are what the sandbox answers, and `npm start` points at their section.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';

import { SANDBOX_IDENTITIES_DOC } from '../../scripts/start';
import { CONTRIBUTING, sandboxIdentitiesTables, writtenTables } from '../support/sandboxIdentitiesDoc';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { repository: { url: string } };
/** owner/name, from package.json's repository. */
const repository = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository.url)![1];
const BLOB = `https://github.com/${repository}/blob/main/`;
const TREE = `https://github.com/${repository}/tree/main/`;
const RAW = `https://raw.githubusercontent.com/${repository}/main/`;
/** Other pages of the repository's site that links may name. */
const REPOSITORY_PAGES = ['', '#readme', '/issues', '/releases', '/actions'].map((page) => `https://github.com/${repository}${page}`);

const tracked = new Set(
	execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean),
);
const trackedFolders = new Set([...tracked].flatMap((file) => file.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));

const documents = [...tracked].filter((file) => ['README.md', 'CONTRIBUTING.md'].includes(file) || /^docs\/[^/]+\.md$/.test(file));

const markdown = new MarkdownIt({ html: true });

interface Reference {
	kind: 'link' | 'image';
	target: string;
	line: number;
}

type Token = MarkdownIt.Token;

function parse(file: string): Token[] {
	return markdown.parse(readFileSync(join(root, file), 'utf8'), {});
}

/** Every link and image of a document, with the line it starts on. */
function referencesOf(file: string): Reference[] {
	const references: Reference[] = [];
	let line = 1;
	for (const block of parse(file)) {
		// Table cells carry no line of their own: they are on the line of the row before them.
		if (block.map) line = block.map[0] + 1;
		for (const token of block.children ?? []) {
			if (token.type === 'link_open') references.push({ kind: 'link', target: String(token.attrGet('href') ?? ''), line });
			if (token.type === 'image') references.push({ kind: 'image', target: String(token.attrGet('src') ?? ''), line });
		}
	}
	return references;
}

const anchorCache = new Map<string, Set<string>>();

/** The anchors GitHub gives a document's headings. */
function anchorsOf(file: string): Set<string> {
	let anchors = anchorCache.get(file);
	if (!anchors) {
		const slugger = new GithubSlugger();
		const tokens = parse(file);
		anchors = new Set(
			tokens
				.map((token, index) => (token.type === 'heading_open' ? tokens[index + 1] : undefined))
				.filter((inline): inline is Token => inline !== undefined)
				.map((inline) => slugger.slug(plainText(inline))),
		);
		anchorCache.set(file, anchors);
	}
	return anchors;
}

/** A heading's text as GitHub slugs it: the words and code, without the markup. */
function plainText(inline: Token): string {
	return (inline.children ?? [])
		.filter((child) => child.type === 'text' || child.type === 'code_inline')
		.map((child) => child.content)
		.join('');
}

/** What is wrong with one reference from `file`, or undefined when it leads where it says. */
function problemWith(file: string, { kind, target }: Reference): string | undefined {
	if (REPOSITORY_PAGES.includes(target)) return undefined;
	const [address, anchor] = splitAnchor(target);
	let path: string;
	if (address.startsWith(BLOB) || address.startsWith(RAW) || address.startsWith(TREE)) {
		path = decodeURIComponent(address.slice((address.startsWith(RAW) ? RAW : address.startsWith(BLOB) ? BLOB : TREE).length));
		if (address.startsWith(TREE)) return trackedFolders.has(path.replace(/\/$/, '')) ? undefined : `no tracked folder ${path}`;
	} else if (address.startsWith(`https://github.com/${repository}`) || address.includes(`/${repository}/`)) {
		return 'a URL into this repository that is not blob/main, tree/main or raw …/main';
	} else if (/^[a-z][a-z0-9+.-]*:/i.test(address)) {
		return undefined; // another site: not checked here
	} else if (address === '') {
		path = file;
	} else {
		if (file === 'README.md') return 'a relative link in the README, which npm shows without the repository';
		path = posix.normalize(posix.join(posix.dirname(file), decodeURIComponent(address)));
	}
	if (!tracked.has(path)) {
		if (kind === 'link' && trackedFolders.has(path)) return undefined;
		return `no tracked file ${path}`;
	}
	if (kind === 'image' && !/\.(png|jpe?g|gif|svg|webp)$/i.test(path)) return `an image that is not a picture: ${path}`;
	if (anchor !== undefined && path.endsWith('.md') && !anchorsOf(path).has(anchor)) return `no heading #${anchor} in ${path}`;
	return undefined;
}

function splitAnchor(target: string): [string, string | undefined] {
	const hash = target.indexOf('#');
	return hash === -1 ? [target, undefined] : [target.slice(0, hash), decodeURIComponent(target.slice(hash + 1))];
}

describe('documents', () => {
	it('are found', () => {
		expect(documents).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/options.md']));
	});

	it.each(documents)('%s: every link and image leads to a tracked file and an existing heading', (file) => {
		const problems = referencesOf(file)
			.map((reference) => ({ reference, problem: problemWith(file, reference) }))
			.filter(({ problem }) => problem !== undefined)
			.map(({ reference, problem }) => `${file}:${reference.line} ${reference.target}: ${problem}`);
		expect(problems).toEqual([]);
	});
});

describe('sandbox identities', () => {
	it('CONTRIBUTING.md lists what the sandbox answers (npx tsx test/support/sandboxIdentitiesDoc.ts rewrites the tables)', () => {
		expect(writtenTables(readFileSync(CONTRIBUTING, 'utf8'))).toBe(sandboxIdentitiesTables());
	});

	it("npm start's pointer to them names a section that is there", () => {
		const { file, section } = SANDBOX_IDENTITIES_DOC;
		expect([...anchorsOf(file)]).toContain(new GithubSlugger().slug(section));
	});
});
