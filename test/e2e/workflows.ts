/**
 * Workflows for the end-to-end tests, written the way n8n's editor saves them (node types and versions that
 * exist in both n8n 1.123 and 2.41). Each has a fixed id so `n8n execute --id` can run it after import.
 */
import { createHash } from 'node:crypto';
import type { INodeParameters } from 'n8n-workflow';

import type { CheckCase } from '../support/checkCases';
import { checkParameters } from '../support/checkCases';
import { CREDENTIAL_TYPE, VERIFY_TYPE } from './n8n';

type Parameters = Record<string, unknown>;

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Parameters;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
	/** Settings → Retry On Fail: n8n runs the node again (up to `maxTries` in all) when it fails. */
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	webhookId?: string;
}

/** `main` carries items; the `ai_*` types attach a sub-node (model, tool) to an AI agent. */
type ConnectionType = 'main' | 'ai_languageModel' | 'ai_tool';
type Connections = Record<string, Partial<Record<ConnectionType, Array<Array<{ node: string; type: ConnectionType; index: number }>>>>>;

let nodeCount = 0;

function node(name: string, type: string, typeVersion: number, parameters: Parameters = {}, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	nodeCount++;
	return {
		id: `00000000-0000-4000-8000-${String(nodeCount).padStart(12, '0')}`,
		name,
		type,
		typeVersion,
		position: [nodeCount * 220, 0],
		parameters,
		...extra,
	};
}

/**
 * The node moved to row `row` of the canvas. With several branches from one node, n8n (execution order v1) runs
 * them from the top row down, each to its end: a branch that fails the run goes last.
 */
export const onRow = (row: number, placed: WorkflowNode): WorkflowNode => ({ ...placed, position: [placed.position[0], row * 200] });

export const manualTrigger = (name = 'Start') => node(name, 'n8n-nodes-base.manualTrigger', 1);
export const noOp = (name: string) => node(name, 'n8n-nodes-base.noOp', 1);

/** A Code node that outputs the given objects as items. */
export function code(name: string, items: object[]): WorkflowNode {
	const jsCode = `return ${JSON.stringify(items.map((json) => ({ json })), null, 2)};`;
	return node(name, 'n8n-nodes-base.code', 2, { jsCode });
}

/** A Set node (v3.4, "manual mapping") that writes string fields from expressions, keeping the others. */
export function set(name: string, fields: Record<string, string>): WorkflowNode {
	const assignments = Object.entries(fields).map(([field, value], index) => ({
		id: `a${index}`,
		name: field,
		value,
		type: 'string',
	}));
	return node(name, 'n8n-nodes-base.set', 3.4, {
		mode: 'manual',
		assignments: { assignments },
		includeOtherFields: true,
		options: {},
	});
}

/** An IF node (v2.2) that is true when the boolean expression is true. */
export function ifTrue(name: string, expression: string): WorkflowNode {
	return node(name, 'n8n-nodes-base.if', 2.2, {
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
			conditions: [
				{
					id: 'c0',
					leftValue: expression,
					rightValue: '',
					operator: { type: 'boolean', operation: 'true', singleValue: true },
				},
			],
			combinator: 'and',
		},
		options: {},
	});
}

/**
 * A Webhook trigger (v2.1) for `POST /webhook/<path>`, answered by a Respond to Webhook node, or (`lastNode`) when
 * the workflow has ended. Its `webhookId` is derived from the path, so each path gets its own.
 */
export function webhook(name: string, webhookPath: string, responseMode: 'responseNode' | 'lastNode' = 'responseNode'): WorkflowNode {
	const hex = createHash('sha256').update(webhookPath).digest('hex');
	const webhookId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
	return node(name, 'n8n-nodes-base.webhook', 2.1, { httpMethod: 'POST', path: webhookPath, responseMode, options: {} }, { webhookId });
}

/** Respond to Webhook (v1.5) with the first incoming item or all of them (a JSON array). */
export function respond(name: string, respondWith: 'firstIncomingItem' | 'allIncomingItems'): WorkflowNode {
	return node(name, 'n8n-nodes-base.respondToWebhook', 1.5, { respondWith, options: {} });
}

/** Split Out (v1): one item per element of the list at `field` (dot notation, e.g. `body.people`). */
export function splitOut(name: string, field: string): WorkflowNode {
	return node(name, 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: field, options: {} });
}

/**
 * Loop Over Items (Split in Batches v3): output 0 "done" gets every item once the loop ends, output 1 "loop"
 * gets each batch; the node at the end of the loop connects back to it.
 */
export function loopOverItems(name: string, batchSize: number): WorkflowNode {
	return node(name, 'n8n-nodes-base.splitInBatches', 3, { batchSize, options: {} });
}

/** n8n's AI Agent (its default version in each n8n) answering the prompt `text`, with a model and tools attached. */
export function aiAgent(name: string, text: string, typeVersion: number): WorkflowNode {
	return node(name, '@n8n/n8n-nodes-langchain.agent', typeVersion, { promptType: 'define', text, options: {} });
}

/** OpenAI Chat Model (v1.2: the Chat Completions API) with an `openAiApi` credential, whose Base URL can point anywhere. */
export function openAiChatModel(name: string, credential: CredentialRef): WorkflowNode {
	return node(name, '@n8n/n8n-nodes-langchain.lmChatOpenAi', 1.2, { model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' }, options: {} }, {
		credentials: { openAiApi: credential },
	});
}

export interface CredentialRef {
	id: string;
	name: string;
}

/** The node version these workflows are saved with unless they say otherwise: 2, phone three elements. */
export const VERIFY_DEFAULT_VERSION = 2;

/** The version with every identity check (a Resource and an Operation): what the editor gives a new node. */
export const VERIFY_FAMILY_VERSION = 3;

/** A Verify node in the default version; `extra.typeVersion: 1` makes one as workflows saved with 0.1.0 hold it. */
export function verify(name: string, credential: CredentialRef, parameters: Parameters, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return node(name, VERIFY_TYPE, VERIFY_DEFAULT_VERSION, { options: {}, ...parameters }, {
		credentials: { [CREDENTIAL_TYPE]: credential },
		...extra,
	});
}

/** A No Op after each of a Verify node's routed outputs (Match, Mismatch, Not Verified), named after it, and the edges to them. */
export function routeEnds(from: string): { nodes: WorkflowNode[]; edges: Array<[string, string, number]> } {
	const names = ['Match', 'Mismatch', 'Not Verified'];
	return { nodes: names.map(noOp), edges: names.map((name, output) => [from, name, output]) };
}

/** A version-3 Verify node set to one check, its fields read from the item (test/support/checkCases.ts). */
export function verifyCheck(name: string, credential: CredentialRef, check: CheckCase, more: INodeParameters = {}, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return verify(name, credential, checkParameters(check, more), { typeVersion: VERIFY_FAMILY_VERSION, ...extra });
}

/** The Verify node's tool variant (n8n derives it from `usableAsTool`), the three fields filled by the model. */
export function verifyTool(name: string, credential: CredentialRef, options: Parameters = {}): WorkflowNode {
	const fromAi = (key: string, description: string) => `={{ $fromAI('${key}', '${description}', 'string') }}`;
	return node(
		name,
		`${VERIFY_TYPE}Tool`,
		VERIFY_DEFAULT_VERSION,
		{
			name: fromAi('name', 'The person’s name'),
			phone: fromAi('phone', 'The mobile number'),
			idCard: fromAi('idCard', 'The ID card number'),
			options,
		},
		{ credentials: { [CREDENTIAL_TYPE]: credential } },
	);
}

/**
 * A workflow from nodes and edges: `[from, to]` connects output 0 to input 0, `[from, to, output]` another
 * output (the IF's false branch, a routed output, the error output), `[from, to, 0, type]` a sub-node to an agent.
 */
export function workflow(id: string, name: string, nodes: WorkflowNode[], edges: Array<[string, string, number?, ConnectionType?]>) {
	const connections: Connections = {};
	for (const [from, to, output = 0, type = 'main'] of edges) {
		const outputs = ((connections[from] ??= {})[type] ??= []);
		while (outputs.length <= output) outputs.push([]);
		outputs[output].push({ node: to, type, index: 0 });
	}
	return {
		id,
		name,
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}
