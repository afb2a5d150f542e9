import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { aceDataCloudApiTest } from './credentialTest';
import { OUTPUTS_EXPRESSION, properties } from './description';
import type { Identity, IdentityField } from './identity';
import { IDENTITY_FIELDS, InvalidIdentityError, maskRawIdentity, prepareIdentity } from './identity';
import type { OutputContext } from './output';
import { errorJson, routeFor, verificationJson } from './output';
import type { RequestBody } from './requestBody';
import { buildRequestBody } from './requestBody';
import { RunStoppedError, runScheduled } from './scheduler';
import type { ItemSettings } from './settings';
import { ItemSettingsReader, readRunSettings } from './settings';
import type { ProviderAnswer } from './transport';
import {
	adviseRetry,
	CREDENTIAL_TYPE,
	ProviderRequestError,
	requestVerification,
	toNodeApiError,
} from './transport';

/** One request to send; items with the same triple share it when duplicates are skipped. */
interface PlannedRequest {
	body: RequestBody;
	timeout: number;
	firstItem: number;
}

/** What became of one input item before any request: a request to wait for, or an error. */
type PlannedItem =
	| { kind: 'request'; request: number; cached: boolean; settings: ItemSettings; output: OutputContext }
	| { kind: 'error'; error: NodeOperationError; code: string; output: OutputContext };

const PROGRESS_EVERY = 250;

export class AceDataPhoneVerify implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Ace Data Phone Verify',
		name: 'aceDataPhoneVerify',
		icon: { light: 'file:aceDataPhoneVerify.svg', dark: 'file:aceDataPhoneVerify.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter.routeByResult ? "route by result" : "verify name + mobile + ID" }}',
		description:
			'Check that a name, a mainland China mobile number and an ID card number belong together (Ace Data Cloud three-element verification)',
		defaults: { name: 'Ace Data Phone Verify' },
		usableAsTool: true,
		// The community rule set asks for the enum here; this older rule only recognises the literal 'main'.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-inputs-wrong-regular-node
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS_EXPRESSION,
		// A literal name: n8n's package checks read it statically to match the credential with its test.
		credentials: [{ name: 'aceDataCloudApi', required: true, testedBy: 'aceDataCloudApiTest' }],
		properties,
	};

	methods = { credentialTest: { aceDataCloudApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const run = readRunSettings(this);
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const settingsReader = new ItemSettingsReader(this);
		const continueOnFail = this.continueOnFail();

		// 1. Plan every item: validate locally and decide which request it waits for.
		const planned: PlannedItem[] = [];
		const requests: PlannedRequest[] = [];
		const requestByKey = new Map<string, number>();
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const raw = {} as Record<IdentityField, unknown>;
			for (const field of IDENTITY_FIELDS) raw[field] = this.getNodeParameter(field, itemIndex, '');
			let encrypted = new Set<IdentityField>();
			let keptFields: IDataObject | undefined;
			try {
				const settings = settingsReader.read(itemIndex);
				if (settings.encryption.mode === 'preEncrypted') encrypted = new Set(settings.encryption.fields);
				keptFields = settings.keepInputFields ? items[itemIndex].json : undefined;
				const identity = prepareIdentity(raw, { validate: settings.validateInput, preEncrypted: encrypted });
				const maskedInput = maskRawIdentity(raw, encrypted);
				const output = { input: settings.maskInput ? maskedInput : identity, maskedInput, keptFields };

				const key = run.skipDuplicates ? requestKey(identity, settings) : String(itemIndex);
				let request = requestByKey.get(key);
				const cached = request !== undefined;
				if (request === undefined) {
					request = requests.length;
					requestByKey.set(key, request);
					requests.push({
						body: buildRequestBody(identity, settings.verifyMode, settings.encryption),
						timeout: settings.timeout,
						firstItem: itemIndex,
					});
				}
				planned.push({ kind: 'request', request, cached, settings, output });
			} catch (error) {
				const failure = asOperationError(this, error, itemIndex);
				if (!continueOnFail) throw failure.error;
				const maskedInput = maskRawIdentity(raw, encrypted);
				const output = { input: maskedInput, maskedInput, keptFields };
				planned.push({ kind: 'error', error: failure.error, code: failure.code, output });
			}
		}

		// 2. Send each distinct request once: paced, concurrent, retried where that is safe. Without Continue On
		// Fail the first final failure fails the run, so nothing new is sent (and billed) after it.
		const settled = await runScheduled(
			requests,
			async (request) => await requestVerification(this, credentials, request.body, request.timeout),
			{
				concurrency: run.concurrency,
				maxRequestsPerSecond: run.maxRequestsPerSecond,
				maxRetries: run.maxRetries,
				failFast: !continueOnFail,
				adviseRetry,
				onProgress: (done, total) => {
					if (total >= PROGRESS_EVERY && (done % PROGRESS_EVERY === 0 || done === total)) {
						const message = `${node.name}: ${done} of ${total} verification requests done`;
						this.logger.info(message);
						this.sendMessageToUI(message);
					}
				},
			},
		);

		if (!continueOnFail) {
			const firstFailure = settled.findIndex((outcome) => !outcome.ok && !(outcome.error instanceof RunStoppedError));
			if (firstFailure !== -1) {
				const outcome = settled[firstFailure] as { error: unknown };
				throw asApiError(this, outcome.error, requests[firstFailure].firstItem);
			}
		}

		// 3. One output item per input item, in input order, on the output its result routes to.
		const toErrorOutput = node.onError === 'continueErrorOutput';
		const outputs: INodeExecutionData[][] = run.routeByResult ? [[], [], []] : [[]];
		planned.forEach((plan, itemIndex) => {
			const pairedItem = { item: itemIndex };
			let item: INodeExecutionData;
			if (plan.kind === 'error') {
				item = { json: errorJson(plan.error.message, 'invalid_input', plan.code, null, plan.output), pairedItem };
				if (toErrorOutput) item.error = plan.error;
			} else {
				const outcome = settled[plan.request];
				if (outcome.ok) {
					const answer = outcome.value as ProviderAnswer;
					item = {
						json: verificationJson(answer, plan.output, plan.cached, plan.settings.includeRawResponse),
						pairedItem,
					};
				} else {
					const error = asApiError(this, outcome.error, itemIndex);
					const failure = outcome.error instanceof ProviderRequestError ? outcome.error : undefined;
					item = {
						json: errorJson(
							error.message,
							'api_error',
							failure?.code ?? 'unknown_error',
							failure?.httpCode ?? null,
							plan.output,
						),
						pairedItem,
					};
					if (toErrorOutput) item.error = error;
				}
			}
			const status = String(item.json.status) as Parameters<typeof routeFor>[0];
			outputs[run.routeByResult ? routeFor(status) : 0].push(item);
		});
		return outputs;
	}
}

/** Everything that changes the provider's answer; equal keys are sent once. */
function requestKey(identity: Identity, settings: ItemSettings): string {
	const { encryption } = settings;
	const sealed = encryption.mode === 'preEncrypted' ? [encryption.ciphertextBlob, encryption.iv] : [];
	return JSON.stringify([identity.name, identity.phone, identity.idCard, settings.verifyMode, ...sealed]);
}

function asOperationError(
	context: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): { error: NodeOperationError; code: string } {
	if (error instanceof InvalidIdentityError) {
		return {
			error: new NodeOperationError(context.getNode(), error.message, {
				itemIndex,
				description: 'Nothing was sent for this item. Fix the value upstream, or turn off "Validate Input".',
			}),
			code: error.code,
		};
	}
	if (error instanceof NodeOperationError) return { error, code: 'invalid_settings' };
	throw error;
}

function asApiError(context: IExecuteFunctions, error: unknown, itemIndex: number) {
	if (error instanceof ProviderRequestError) return toNodeApiError(context.getNode(), error, itemIndex);
	if (error instanceof RunStoppedError) {
		return new NodeOperationError(context.getNode(), 'Not sent: the run stopped at an earlier error', { itemIndex });
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}
