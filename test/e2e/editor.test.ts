/**
 * The node as n8n's editor receives it: after signing in, the editor loads every node description from
 * `GET /types/nodes.json` (and credentials from `/types/credentials.json`), the files n8n writes when it loads
 * its node packages — with this package's codex file merged in. The tests read those and apply n8n-workflow's
 * own display rules (`NodeHelpers.displayParameter`, the ones behind the parameter panel) to check what a person
 * sees: which parameters show for which settings (in version 3, for each check), in which order, where the Docs
 * link leads, and what n8n's node search finds the node by.
 */
import type { INodeProperties, INodeTypeDescription, INodeParameters } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import type { CheckCase } from '../support/checkCases';
import { CHECK_CASES, checkCase } from '../support/checkCases';
import { FROM_ITEM, generateIdentities } from '../support/identities';
import type { MockProvider } from '../support/mockProvider';
import { startMockProvider } from '../support/mockProvider';
import type { Server } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, N8N_VERSION, N8nInstance, RestSession, VERIFY_TYPE } from './n8n';
import { code, respond, verify, webhook, workflow } from './workflows';

const TOKEN = 'e2e-editor-token-5c2a91';
const HANGING = { id: 'e2eEditorHang01', name: 'Ace Data (provider that never answers)' };
const STOP_WORKFLOW_ID = 'e2eEditorStop01';
const STOP_PATH = 'e2e-editor-stop';
/**
 * Ten people, five requests in flight at once, each waiting for an answer that never comes (a minute's timeout);
 * the other five wait their turn, and a failed request may be sent once more.
 */
const STOP_WORKFLOW = workflow(
	STOP_WORKFLOW_ID,
	'E2E: stopped while the provider hangs',
	[
		webhook('Webhook', STOP_PATH),
		code('People', generateIdentities(10, 19)),
		verify('Verify', HANGING, { ...FROM_ITEM, options: { concurrency: 5, maxRequestsPerSecond: 0, maxRetries: 1, timeout: 60_000 } }),
		respond('Respond', 'allIncomingItems'),
	],
	[
		['Webhook', 'People'],
		['People', 'Verify'],
		['Verify', 'Respond'],
	],
);

let n8n: N8nInstance;
let server: Server | undefined;
let url: string;
let rest: RestSession;
let hanging: MockProvider;
let types: INodeTypeDescription[];
let credentialTypes: Array<{ name: string; documentationUrl?: string }>;

beforeAll(async () => {
	ensureN8n();
	hanging = await startMockProvider({ tokens: { [TOKEN]: 'ok' }, faultRate: 1, faultKinds: ['hang'] });
	n8n = N8nInstance.create();
	await n8n.importCredentials([{ ...HANGING, type: CREDENTIAL_TYPE, data: { apiToken: TOKEN, baseUrl: hanging.url } }]);
	await n8n.importWorkflows([STOP_WORKFLOW]);
	await n8n.activateWorkflow(STOP_WORKFLOW_ID);
	const started = await n8n.start();
	server = started.server;
	url = started.url;
	rest = await RestSession.setUpOwner(started.url);
	types = await rest.request<INodeTypeDescription[]>('GET', '/types/nodes.json');
	credentialTypes = await rest.request('GET', '/types/credentials.json');
}, 30 * 60_000);

afterAll(async () => {
	await server?.stop();
	await hanging?.close();
	n8n?.remove();
});

const description = (name = VERIFY_TYPE): INodeTypeDescription => {
	const found = types.find((t) => t.name === name);
	if (!found) throw new Error(`${name} is not in /types/nodes.json`);
	return found;
};

/** The panel's parameters (top level) for these values, in the order the editor lists them. */
function shownProperties(version: number, values: INodeParameters, type = VERIFY_TYPE): INodeProperties[] {
	const node = description(type);
	return node.properties.filter((p) => NodeHelpers.displayParameter(values, p, { typeVersion: version }, node));
}

function shown(version: number, values: INodeParameters, type = VERIFY_TYPE): string[] {
	return shownProperties(version, values, type).map((p) => p.name);
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
	test('versions 1, 2 and 3, a new node gets version 3; the same for the AI tool variant', () => {
		for (const type of [VERIFY_TYPE, `${VERIFY_TYPE}Tool`]) {
			expect(description(type)).toMatchObject({ version: [1, 2, 3], defaultVersion: 3 });
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
		// Every option, the encryption settings of version 1 included, as the package lists them.
		expect(options.map((o) => o.name)).toEqual([...OPTIONS_ORDER, 'encryption', ...LOCAL, ...PRE_ENCRYPTED]);
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

/**
 * Each check's panel as the contract gives it: its fields in the contract's order, then the settings only it
 * reads. Written out here, not read from the node's check table.
 */
const CHECK_PANELS: Record<string, { fields: string[]; settings: string[] }> = {
	'phone.threeElements': { fields: ['name', 'phone', 'idCard'], settings: ['verifyMode'] },
	'phone.twoElements': { fields: ['name', 'phone'], settings: [] },
	'phone.status': { fields: ['phone'], settings: [] },
	'idCard.twoElements': { fields: ['name', 'idCard', 'validityBegin', 'validityEnd'], settings: [] },
	'idCard.ocr': { fields: ['imageUrl', 'name', 'idCard'], settings: [] },
	'idCard.portrait': { fields: ['imageUrl'], settings: ['minSimilarity', 'photoWarnings'] },
	'bankCard.fourElements': { fields: ['name', 'bankCard', 'idCard', 'phone'], settings: [] },
	'bankCard.threeElements': { fields: ['name', 'bankCard', 'idCard'], settings: [] },
	'bankCard.twoElements': { fields: ['name', 'bankCard'], settings: [] },
	'bankCard.lookup': { fields: ['bankCard'], settings: [] },
};
/** The statuses an answer field decides (the mobile's state, the photo's similarity), beside those of the codes. */
const DECIDED_BY_ANSWER: Record<string, string[]> = {
	'phone.status': ['not_in_service', 'status_unknown'],
	'idCard.portrait': ['mismatch', 'no_similarity'],
};
const PORTRAIT = 'idCard.portrait';
const TOOL = `${VERIFY_TYPE}Tool`;
/** What a person may type into n8n's node search to find an identity check. */
const SEARCH_TERMS = ['bank card', 'ID card', 'OCR', 'KYC', '实名'];

const checkValues = (c: CheckCase, values: INodeParameters = {}): INodeParameters => ({ resource: c.resource, operation: c.operation, ...values });

describe(`n8n ${N8N_VERSION}: version 3, a check per resource and operation`, () => {
	test('a new node starts on phone three elements; each resource on its first check', () => {
		const node = description();
		const created = (values: INodeParameters) => NodeHelpers.getNodeParameters(node.properties, values, true, false, { typeVersion: 3 }, node);
		expect(created({})).toMatchObject({ resource: 'phone', operation: 'threeElements', verifyMode: 'default', routeByResult: false, encryption: 'none' });
		expect(created({ resource: 'idCard' })).toMatchObject({ operation: 'twoElements' });
		expect(created({ resource: 'bankCard' })).toMatchObject({ operation: 'fourElements' });
	});

	test.each(CHECK_CASES)("$id: the check's own fields in its order, its settings, then Route by Result, Encryption (not on the portrait check) and Options", (c) => {
		const { fields, settings } = CHECK_PANELS[c.id];
		const encryption = c.id === PORTRAIT ? [] : ['encryption'];
		expect(shown(3, checkValues(c, { encryption: 'none' }))).toEqual(['resource', 'operation', ...fields, ...settings, 'routeByResult', ...encryption, 'options']);
	});

	test.each(CHECK_CASES)('$id: Options offers the same options as every check and version, in the same order', (c) => {
		expect(offeredOptions(3, checkValues(c, { options: {} }))).toEqual(OPTIONS_ORDER);
	});

	test.each(CHECK_CASES.filter((c) => c.id !== PORTRAIT))('$id: the encryption settings show when they apply, with its own fields to pick', (c) => {
		const before = ['resource', 'operation', ...CHECK_PANELS[c.id].fields, ...CHECK_PANELS[c.id].settings, 'routeByResult', 'encryption'];
		expect(shown(3, checkValues(c, { encryption: 'local' }))).toEqual([...before, ...LOCAL, 'options']);
		expect(shown(3, checkValues(c, { encryption: 'preEncrypted' }))).toEqual([...before, ...PRE_ENCRYPTED, 'options']);
		for (const [mode, name] of [['local', 'encryptFields'], ['preEncrypted', 'encryptList']]) {
			const picker = shownProperties(3, checkValues(c, { encryption: mode })).find((p) => p.name === name)!;
			expect([name, (picker.options as Array<{ value: string }>).map((o) => o.value)]).toEqual([name, CHECK_PANELS[c.id].fields]);
		}
	});

	test('the portrait check takes no encryption: no setting of it shows, whatever the node holds', () => {
		for (const encryption of ['none', 'local', 'preEncrypted']) {
			const panel = shown(3, checkValues(checkCase(PORTRAIT), { encryption }));
			expect([encryption, panel.filter((name) => ['encryption', ...LOCAL, ...PRE_ENCRYPTED].includes(name))]).toEqual([encryption, []]);
		}
	});

	test.each(CHECK_CASES)("$id as an AI tool: a description of its own first, naming the check's fields and statuses", (c) => {
		const panel = shownProperties(3, checkValues(c), TOOL);
		expect(panel.map((p) => p.name)).toEqual(['toolDescription', 'resource', 'operation', ...CHECK_PANELS[c.id].fields, ...CHECK_PANELS[c.id].settings, ...(c.id === PORTRAIT ? [] : ['encryption']), 'options']);
		const text = String(panel[0].default);
		const labels = panel.filter((p) => CHECK_PANELS[c.id].fields.includes(p.name)).map((p) => p.displayName.toLowerCase());
		expect(labels.filter((label) => !text.toLowerCase().includes(label))).toEqual([]);
		const statuses = new Set([...Object.values(c.codes).map((code) => code.status), ...(DECIDED_BY_ANSWER[c.id] ?? [])]);
		expect([...statuses].filter((status) => !text.includes(status))).toEqual([]);
	});

	test('as an AI tool, each check has a description of its own', () => {
		const texts = CHECK_CASES.map((c) => String(shownProperties(3, checkValues(c), TOOL)[0].default));
		expect(new Set(texts).size).toBe(CHECK_CASES.length);
	});

	test("n8n's node search (the name and the codex aliases, in 1.123 and 2.41 alike) finds it by bank card, ID card, OCR, KYC, 实名", () => {
		const node = description();
		const searched = [node.displayName, ...(node.codex?.alias ?? [])].map((text) => text.toLowerCase());
		expect(SEARCH_TERMS.filter((term) => !searched.some((text) => text.includes(term.toLowerCase())))).toEqual([]);
	});

	test('the description under its name in the node list mentions bank card, ID card, OCR, KYC, 实名', () => {
		const text = description().description.toLowerCase();
		expect(SEARCH_TERMS.filter((term) => !text.includes(term.toLowerCase()))).toEqual([]);
	});
});

/** Polls `probe` every 100 ms until it returns something, for up to `ms`. */
async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 60_000): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

interface ExecutionSummary {
	id: string;
	status: string;
	workflowId: string;
}

describe(`n8n ${N8N_VERSION}: the editor's Stop button`, () => {
	test('ends the requests in flight at once, and the execution with them', async () => {
		// The webhook answers only when the workflow ends; the call is left to fail once n8n stops the run.
		const call = fetch(`${url}/webhook/${STOP_PATH}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
		call.catch(() => undefined);
		await eventually(() => (hanging.requests.length === 5 ? true : undefined), 'five requests at the provider');

		const running = await eventually(async () => {
			const listed = await rest.request<{ data: { results: ExecutionSummary[] } }>(
				'GET',
				`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: STOP_WORKFLOW_ID }))}`,
			);
			return listed.data.results.find((execution) => execution.status === 'running');
		}, 'the running execution');
		expect(hanging.requests.every((request) => request.status === 'hang' && request.closedAt === undefined)).toBe(true);

		// What the Stop button sends.
		const stoppedAt = Date.now();
		await rest.request('POST', `/rest/executions/${running.id}/stop`);

		await eventually(() => (hanging.requests.every((request) => request.closedAt !== undefined) ? true : undefined), 'closed connections', 10_000);
		for (const request of hanging.requests) expect(request.closedAt! - stoppedAt).toBeLessThan(2_000);
		const ended = await eventually(async () => {
			const { data } = await rest.request<{ data: ExecutionSummary }>('GET', `/rest/executions/${running.id}`);
			return data.status === 'running' ? undefined : data;
		}, 'the execution to end', 10_000);
		expect(ended.status).toBe('canceled');
		// Nothing was sent after the stop: neither the people waiting their turn nor a retry.
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		expect(hanging.requests).toHaveLength(5);
	}, 120_000);
});
