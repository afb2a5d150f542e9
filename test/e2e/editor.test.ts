/**
 * The node as n8n's editor receives it: after signing in, the editor loads every node description from
 * `GET /types/nodes.json` (and credentials from `/types/credentials.json`), the files n8n writes when it loads
 * its node packages — with this package's codex file merged in. The tests read those and apply n8n-workflow's
 * own display rules (`NodeHelpers.displayParameter`, the ones behind the parameter panel) to check what a person
 * sees: which parameters show for which settings, in which order, and where the Docs link leads.
 */
import type { INodeProperties, INodeTypeDescription, INodeParameters } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import type { Server } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, N8N_VERSION, N8nInstance, RestSession, VERIFY_TYPE } from './n8n';

let n8n: N8nInstance;
let server: Server | undefined;
let types: INodeTypeDescription[];
let credentialTypes: Array<{ name: string; documentationUrl?: string }>;

beforeAll(async () => {
	ensureN8n();
	n8n = N8nInstance.create();
	const started = await n8n.start();
	server = started.server;
	const rest = await RestSession.setUpOwner(started.url);
	types = await rest.request<INodeTypeDescription[]>('GET', '/types/nodes.json');
	credentialTypes = await rest.request('GET', '/types/credentials.json');
}, 30 * 60_000);

afterAll(async () => {
	await server?.stop();
	n8n?.remove();
});

const description = (name = VERIFY_TYPE): INodeTypeDescription => {
	const found = types.find((t) => t.name === name);
	if (!found) throw new Error(`${name} is not in /types/nodes.json`);
	return found;
};

/** The panel's parameters (top level) for these values, in the order the editor lists them. */
function shown(version: number, values: INodeParameters, type = VERIFY_TYPE): string[] {
	const node = description(type);
	return node.properties.filter((p) => NodeHelpers.displayParameter(values, p, { typeVersion: version }, node)).map((p) => p.name);
}

/** What "Add option" offers under Options, given the node's values (options included), in the editor's order. */
function offeredOptions(version: number, values: INodeParameters): string[] {
	const node = description();
	const options = node.properties.find((p) => p.name === 'options')!.options as INodeProperties[];
	return options
		.filter((o) => NodeHelpers.displayParameterPath(values, o, 'options', { typeVersion: version }, node))
		.map((o) => o.name);
}

/** The Docs link of the node's panel, built as n8n's editor builds it (NodeSettingsTabs, 2.41.1 and 1.123.81). */
function docsLink(node: INodeTypeDescription): string {
	const own = (node as { documentationUrl?: string }).documentationUrl;
	if (own?.startsWith('http')) return own;
	const utm = new URLSearchParams({
		utm_source: 'n8n_app',
		utm_medium: 'node_settings_modal-credential_link',
		utm_campaign: node.name,
	});
	return `${node.codex?.resources?.primaryDocumentation?.[0]?.url}?${utm.toString()}`;
}

const FIELDS = ['name', 'phone', 'idCard', 'verifyMode', 'routeByResult'];
const LOCAL = ['publicKey', 'encryptFields'];
const PRE_ENCRYPTED = ['encryptList', 'ciphertextBlob', 'iv'];
/** The options in the order chosen for people: cost first, then checks, output, pace. */
const OPTIONS_ORDER = [
	'maxBilledCalls', 'dryRun', 'validateInput', 'skipDuplicates', 'keepInputFields', 'maskInput', 'includeRawResponse',
	'maxRequestsPerSecond', 'concurrency', 'maxRetries', 'retryLostReplies', 'timeout',
];

describe(`n8n ${N8N_VERSION}: the node description the editor receives`, () => {
	test('versions 1 and 2, a new node gets version 2; the same for the AI tool variant', () => {
		for (const type of [VERIFY_TYPE, `${VERIFY_TYPE}Tool`]) {
			expect(description(type)).toMatchObject({ version: [1, 2], defaultVersion: 2 });
		}
	});

	test('a new node (version 2) has Encryption beside the fields, set to None, and nothing else of it', () => {
		const node = description();
		const created = NodeHelpers.getNodeParameters(node.properties, {}, true, false, { typeVersion: 2 }, node);
		expect(created).toEqual({
			name: '',
			phone: '',
			idCard: '',
			verifyMode: 'default',
			routeByResult: false,
			encryption: 'none',
			options: {},
		});
	});

	test('version 2: Public Key and Encrypt Fields show for "Encrypt Before Sending", right after Encryption', () => {
		expect(shown(2, { encryption: 'local' })).toEqual([...FIELDS, 'encryption', ...LOCAL, 'options']);
		const encryption = description().properties.find((p) => p.name === 'encryption')!;
		expect(encryption.options).toContainEqual(expect.objectContaining({ value: 'local', name: 'Encrypt Before Sending' }));
	});

	test('version 2: Encrypted Fields, Key Blob and IV show for "Already Encrypted"', () => {
		expect(shown(2, { encryption: 'preEncrypted' })).toEqual([...FIELDS, 'encryption', ...PRE_ENCRYPTED, 'options']);
		const labels = Object.fromEntries(description().properties.map((p) => [p.name, p.displayName]));
		expect(PRE_ENCRYPTED.map((name) => labels[name])).toEqual(['Encrypted Fields', 'Key Blob', 'IV']);
	});

	test('version 2: with Encryption None no encryption setting shows, and Options offers none of them', () => {
		expect(shown(2, { encryption: 'none' })).toEqual([...FIELDS, 'encryption', 'options']);
		for (const encryption of ['none', 'local', 'preEncrypted']) {
			expect(offeredOptions(2, { encryption, options: { encryption } })).toEqual(OPTIONS_ORDER);
		}
	});

	test('version 1 keeps the encryption settings in Options, shown when they apply', () => {
		for (const encryption of ['none', 'local', 'preEncrypted']) {
			// Whatever a version-1 node holds, nothing of encryption shows beside the fields.
			expect(shown(1, { encryption, options: { encryption } })).toEqual([...FIELDS, 'options']);
		}
		expect(offeredOptions(1, { options: {} })).toEqual([...OPTIONS_ORDER, 'encryption']);
		expect(offeredOptions(1, { options: { encryption: 'none' } })).toEqual([...OPTIONS_ORDER, 'encryption']);
		expect(offeredOptions(1, { options: { encryption: 'local' } })).toEqual([...OPTIONS_ORDER, 'encryption', ...LOCAL]);
		expect(offeredOptions(1, { options: { encryption: 'preEncrypted' } })).toEqual([
			...OPTIONS_ORDER, 'encryption', ...PRE_ENCRYPTED,
		]);
	});

	test('Options arrive in the order defined for people, not sorted by the alphabet', () => {
		const options = description().properties.find((p) => p.name === 'options')!.options as INodeProperties[];
		const names = options.map((o) => o.name).filter((name) => OPTIONS_ORDER.includes(name));
		expect(names).toEqual(OPTIONS_ORDER);
		expect(names).not.toEqual([...names].sort());
	});

	test('as an AI tool: the same parameters after the tool description, without Route by Result', () => {
		const tool = description(`${VERIFY_TYPE}Tool`);
		expect(tool.properties.map((p) => p.name)).toEqual([
			'toolDescription',
			...description().properties.map((p) => p.name),
		]);
		expect(shown(2, { encryption: 'none' }, `${VERIFY_TYPE}Tool`)).not.toContain('routeByResult');
	});

	test("the Docs link opens the README's section on using the node, as it is (n8n appends nothing to it)", () => {
		for (const type of [VERIFY_TYPE, `${VERIFY_TYPE}Tool`]) {
			expect(docsLink(description(type))).toBe('https://github.com/acedatacloud/n8n-nodes-acedata-phone-verify#use-it');
		}
	});

	test("the credential's Docs link is a page of its own, used as it is (n8n adds nothing to other sites' links)", () => {
		const credential = credentialTypes.find((c) => c.name === CREDENTIAL_TYPE);
		expect(credential?.documentationUrl).toBe('https://platform.acedata.cloud/documents/identity-phone-check-3e');
		expect(description().codex?.resources?.credentialDocumentation).toEqual([{ url: credential?.documentationUrl }]);
	});
});
