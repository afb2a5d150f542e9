import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { OUTPUTS_EXPRESSION, properties } from './description';
import { errorJson, routeFor, verificationJson } from './output';
import { Planner } from './planner';
import { RunStoppedError, runScheduled } from './scheduler';
import { readRunSettings } from './settings';
import type { ProviderAnswer } from './transport';
import {
	adviseRetry,
	CREDENTIAL_TYPE,
	ProviderRequestError,
	requestVerification,
	toNodeApiError,
} from './transport';

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
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS_EXPRESSION,
		// A literal name: n8n's package checks read it statically.
		credentials: [{ name: 'aceDataCloudApi', required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const run = readRunSettings(this);
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const continueOnFail = this.continueOnFail();

		// 1. Plan the items: validate locally and decide which request each item waits for. Without Continue On
		// Fail one invalid item fails the run, so every item is checked before anything is sent (and billed); with
		// it, an invalid item only becomes an error item, so sending starts while later items are being planned.
		const planner = new Planner(this, items, run.skipDuplicates, continueOnFail);
		const requests = continueOnFail ? planner.plan() : await planner.planAll();

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
					if (done % PROGRESS_EVERY === 0 || (done === total && total >= PROGRESS_EVERY)) {
						const message =
							total === undefined
								? `${node.name}: ${done} verification requests done, more being prepared`
								: `${node.name}: ${done} of ${total} verification requests done`;
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
				throw asApiError(this, outcome.error, planner.requests[firstFailure].firstItem);
			}
		}

		// 3. One output item per input item, in input order, on the output its result routes to.
		const toErrorOutput = node.onError === 'continueErrorOutput';
		const outputs: INodeExecutionData[][] = run.routeByResult ? [[], [], []] : [[]];
		planner.items.forEach((plan, itemIndex) => {
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

function asApiError(context: IExecuteFunctions, error: unknown, itemIndex: number) {
	if (error instanceof ProviderRequestError) return toNodeApiError(context.getNode(), error, itemIndex);
	if (error instanceof RunStoppedError) {
		return new NodeOperationError(context.getNode(), 'Not sent: the run stopped at an earlier error', { itemIndex });
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}
