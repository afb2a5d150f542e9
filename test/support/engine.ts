/**
 * Runs workflows inside n8n's own engine (n8n-core's WorkflowExecute), in-process, so engine tests
 * exercise the node exactly as n8n calls it: parameter resolution, credentials, request helpers,
 * Continue On Fail and the error output.
 */
// First: n8n's logger is replaced before n8n-core asks for it (see the file).
import './n8nLog';

import { mock } from 'jest-mock-extended';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IConnections,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	ITaskData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createRunExecutionData, ICredentialsHelper, NodeHelpers, Workflow } from 'n8n-workflow';

import { AceDataCloudApi } from '../../credentials/AceDataCloudApi.credentials';
import { AceDataPhoneVerify } from '../../nodes/AceDataPhoneVerify/AceDataPhoneVerify.node';

export const VERIFY_TYPE = 'n8n-nodes-acedata-phone-verify.aceDataPhoneVerify';
export const VERIFY_NODE = 'Verify';
export const DEFAULT_VERSION = new AceDataPhoneVerify().description.defaultVersion ?? 1;

/** The encryption settings: in Options in version 1, beside the fields from version 2 on. */
export const ENCRYPTION_SETTINGS = ['encryption', 'publicKey', 'encryptFields', 'ciphertextBlob', 'iv', 'encryptList'];

/** Node parameters for `version`, given every setting as version 1 keeps them (encryption in `options`). */
export function parametersFor(version: number, parameters: INodeParameters): INodeParameters {
	const options = { ...((parameters.options as INodeParameters | undefined) ?? {}) };
	if (version < 2) return parameters;
	const lifted: INodeParameters = {};
	for (const name of ENCRYPTION_SETTINGS) {
		if (name in options) {
			lifted[name] = options[name];
			delete options[name];
		}
	}
	return { ...parameters, ...lifted, options };
}

class NodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType>) {}

	getByName(type: string): INodeType | IVersionedNodeType {
		return this.types[type];
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.types[type], version);
	}

	getKnownTypes() {
		return {};
	}
}

/** Resolves the credential's generic `authenticate` the way n8n's own credentials helper does. */
class CredentialsHelper extends ICredentialsHelper {
	/**
	 * @param data the credential every node uses (id `cred-1`)...
	 * @param others ...and others by id, for nodes that name one of them.
	 */
	constructor(
		private readonly credentialType: ICredentialType,
		private readonly data: ICredentialDataDecryptedObject,
		private readonly others: Record<string, ICredentialDataDecryptedObject> = {},
	) {
		super();
	}

	getParentTypes() {
		return [];
	}

	isCredentialUsableByNode() {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.credentialType;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		const headers = { ...(requestOptions.headers ?? {}) } as IDataObject;
		for (const [name, value] of Object.entries(authenticate?.properties.headers ?? {})) {
			headers[name] = workflow.expression.getSimpleParameterValue(
				node,
				value as string,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
		}
		return { ...requestOptions, headers } as IHttpRequestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}

	async getDecrypted(_additionalData: unknown, nodeCredentials: { id: string | null }) {
		const other = nodeCredentials.id ? this.others[nodeCredentials.id] : undefined;
		return { ...(other ?? this.data) };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return this.credentialType.properties;
	}
}

export interface WorkflowRun {
	run: IRun;
	/** Output arrays of a node's first run (one per output, error output last when enabled). */
	outputs(nodeName?: string): INodeExecutionData[][];
	/** All items of all outputs of a node, as JSON. */
	json(nodeName?: string, output?: number): IDataObject[];
	task(nodeName?: string): ITaskData;
	error: IRun['data']['resultData']['error'];
	/** What the nodes sent to the editor's browser console (`sendMessageToUI`), in order. */
	uiMessages: unknown[];
}

export interface VerifyRunOptions {
	parameters: INodeParameters;
	items: IDataObject[];
	credentials: ICredentialDataDecryptedObject;
	/** More credentials by id, for downstream nodes that name one (`credentials.aceDataCloudApi.id`). */
	otherCredentials?: Record<string, ICredentialDataDecryptedObject>;
	onError?: INode['onError'];
	/** The node's Settings: Retry On Fail and its tries. */
	settings?: Pick<INode, 'retryOnFail' | 'maxTries' | 'waitBetweenTries'>;
	/** The node version the workflow was saved with (default: the version new workflows get). */
	typeVersion?: number;
	/** Runs this implementation as the Verify node instead of the package's (the benchmark's floor). */
	nodeType?: INodeType;
	/** Extra node types and nodes downstream of the Verify node. */
	downstream?: { types: Record<string, INodeType>; nodes: INode[]; connections: IConnections };
}

/** Runs the Verify node as the start node of a workflow, fed with `items`. */
export async function runVerify(options: VerifyRunOptions): Promise<WorkflowRun> {
	const verify: INode = {
		id: 'verify-node',
		name: VERIFY_NODE,
		type: VERIFY_TYPE,
		typeVersion: options.typeVersion ?? DEFAULT_VERSION,
		position: [0, 0],
		parameters: options.parameters,
		credentials: { aceDataCloudApi: { id: 'cred-1', name: 'Ace Data Cloud account' } },
		...(options.onError ? { onError: options.onError } : {}),
		...options.settings,
	};
	const nodeTypes = new NodeTypes({
		[VERIFY_TYPE]: options.nodeType ?? new AceDataPhoneVerify(),
		...options.downstream?.types,
	});
	const workflow = new Workflow({
		id: 'wf-test',
		name: 'engine test',
		nodes: [verify, ...(options.downstream?.nodes ?? [])],
		connections: options.downstream?.connections ?? {},
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});

	let resolveRun: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	const hooks = new ExecutionLifecycleHooks('manual', 'exec-1', mock());
	hooks.addHandler('workflowExecuteAfter', (fullRun) => resolveRun(fullRun));

	// A mock answers any other property n8n asks for; these must be real (or truly absent).
	const additionalData: IWorkflowExecuteAdditionalData = mock<IWorkflowExecuteAdditionalData>();
	const uiMessages: unknown[] = [];
	Object.assign(additionalData, {
		hooks,
		sendDataToUI: (type: string, data: { messages: unknown[] }) => {
			if (type === 'sendConsoleMessage') uiMessages.push(...data.messages);
		},
		credentialsHelper: new CredentialsHelper(new AceDataCloudApi(), options.credentials, options.otherCredentials),
		webhookWaitingBaseUrl: 'http://localhost/webhook-waiting',
		formWaitingBaseUrl: 'http://localhost/form-waiting',
		ssrfBridge: undefined,
		executionId: undefined,
		encryptedRunnerIdentity: undefined,
		evalLlmMockHandler: undefined,
		parentCallbackManager: undefined,
	});

	const executionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: verify, data: { main: [options.items.map((json) => ({ json }))] }, source: null },
			],
		},
	});
	const execution = new WorkflowExecute(additionalData, 'manual', executionData);
	await execution.processRunExecutionData(workflow);
	const run = await finished;
	const token = String(options.credentials.apiToken ?? '');
	assertNoSecretIn(run.data.resultData, token);
	// n8n's log of the test so far, and what went to the editor's console: no token, no person's data unmasked.
	const logged = [...(globalThis.n8nLogLines ?? []), ...uiMessages.map((message) => JSON.stringify(message))];
	assertNoSecretIn(logged, token);
	assertNoPersonalDataIn(logged, options.items);

	const task = (nodeName = VERIFY_NODE): ITaskData => {
		const tasks = run.data.resultData.runData[nodeName];
		if (!tasks?.length) throw new Error(`node "${nodeName}" did not run`);
		return tasks[0];
	};
	const outputs = (nodeName = VERIFY_NODE) => (task(nodeName).data?.main ?? []).map((items) => items ?? []);
	return {
		run,
		task,
		outputs,
		json: (nodeName = VERIFY_NODE, output?: number) =>
			(output === undefined ? outputs(nodeName).flat() : (outputs(nodeName)[output] ?? [])).map((item) => item.json),
		error: run.data.resultData.error,
		uiMessages,
	};
}

/**
 * Every engine run of the suite passes through here: the token must never reach run data (outputs,
 * error messages, error details), whatever the scenario.
 */
export function assertNoSecretIn(data: unknown, secret: string): void {
	if (secret.length < 6) return;
	if (JSON.stringify(data).includes(secret)) {
		throw new Error('The API token leaked into the run data or the log');
	}
}

/**
 * The mobile and ID numbers of the input items never reach the log or the editor's console as they were given
 * (names are left out: one or two characters may well appear in a provider's description).
 */
function assertNoPersonalDataIn(lines: string[], items: IDataObject[]): void {
	const text = lines.join('\n');
	items.forEach((item, index) => {
		for (const field of ['phone', 'idCard']) {
			const value = item[field];
			if (typeof value === 'string' && value.trim().length >= 11 && text.includes(value.trim())) {
				throw new Error(`The ${field} of item ${index + 1} reached n8n's log unmasked`);
			}
		}
	});
}
