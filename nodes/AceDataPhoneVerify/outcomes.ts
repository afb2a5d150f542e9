/**
 * What became of each input item — its plan, and the outcome of the request it waited for — as the node's
 * output items, or as the one error that fails a run without Continue On Fail.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BilledCallBudget } from './budget';
import { scrubJson } from './masking';
import type { ItemStatus } from './output';
import { errorJson, routeFor, unsentJson, verificationJson } from './output';
import type { Planner, PlannedRequest } from './planner';
import { NotAdmittedError, RunStoppedError } from './scheduler';
import type { RequestOutcome } from './sending';
import { mayHaveBilled, ProviderRequestError, toNodeApiError } from './transport';

type ItemError = ReturnType<typeof toNodeApiError> | NodeOperationError;

/** Puts each item on the output its status routes to (all on one output when routing is off). */
export function routeItems(items: INodeExecutionData[], routeByResult: boolean): INodeExecutionData[][] {
	if (!routeByResult) return [items];
	const outputs: INodeExecutionData[][] = [[], [], []];
	for (const item of items) outputs[routeFor(item.json.status as ItemStatus)].push(item);
	return outputs;
}

/** A dry run: every planned item says whether a real run would send it; nothing was sent. */
export function dryRunItems(context: IExecuteFunctions, planner: Planner): INodeExecutionData[] {
	const toErrorOutput = context.getNode().onError === 'continueErrorOutput';
	return planner.items.map((plan, itemIndex) => {
		const pairedItem = { item: itemIndex };
		if (plan.kind === 'error') {
			const json = errorJson(invalidInput(plan), plan.output, { extra: { wouldSend: false } });
			return { json, pairedItem, ...(toErrorOutput ? { error: plan.error } : {}) };
		}
		const { firstItem } = planner.requests[plan.request];
		const description = plan.cached
			? `Dry run: the same identity as item ${firstItem}, which would be sent; not sent again`
			: 'Dry run: a real run would send this item (and could be billed for it)';
		const json = unsentJson('dry_run', description, plan.output, { cached: plan.cached, extra: { wouldSend: !plan.cached } });
		return { json, pairedItem };
	});
}

/** One output item per input item, in input order, with `pairedItem`. */
export function resultItems(
	context: IExecuteFunctions,
	planner: Planner,
	outcomes: RequestOutcome[],
	budget: BilledCallBudget,
): INodeExecutionData[] {
	const toErrorOutput = context.getNode().onError === 'continueErrorOutput';
	return planner.items.map((plan, itemIndex) => {
		const pairedItem = { item: itemIndex };
		if (plan.kind === 'error') {
			const json = errorJson(invalidInput(plan), plan.output);
			return { json, pairedItem, ...(toErrorOutput ? { error: plan.error } : {}) };
		}
		const outcome = outcomes[plan.request];
		const counted = { cached: plan.cached, attempts: plan.cached ? 0 : outcome.received };
		if (outcome.ok) {
			const json = verificationJson(outcome.value, plan.output, { ...counted, includeRaw: plan.settings.includeRawResponse });
			return { json, pairedItem };
		}
		if (isBudgetReached(outcome.error)) {
			const description = `Not sent: the cap of ${budget.cap} billed calls (Max Billed Calls) was reached, with ${budget.billedCalls} calls billed in this execution`;
			return { json: unsentJson('budget_reached', description, plan.output, counted), pairedItem };
		}
		const error = requestError(context, outcome.error, itemIndex, planner.requests[plan.request]);
		const cause = causeOf(outcome.error);
		const failure = cause instanceof ProviderRequestError ? cause : undefined;
		const json = errorJson(
			{
				message: error.message,
				status: 'api_error',
				errorCode: failure?.code ?? (cause instanceof RunStoppedError ? 'not_sent' : 'unknown_error'),
				httpCode: failure?.httpCode ?? null,
			},
			plan.output,
			counted,
		);
		return { json, pairedItem, ...(toErrorOutput ? { error } : {}) };
	});
}

/** The error a run without Continue On Fail fails with: the first request that failed for good, if any. */
export function firstFailure(context: IExecuteFunctions, planner: Planner, outcomes: RequestOutcome[]): ItemError | undefined {
	const index = outcomes.findIndex(
		(outcome) => !outcome.ok && !(outcome.error instanceof RunStoppedError) && !isBudgetReached(outcome.error),
	);
	if (index === -1) return undefined;
	const request = planner.requests[index];
	return requestError(context, (outcomes[index] as { error: unknown }).error, request.firstItem, request);
}

/** The cap refused the request, and nothing it sent before may have been billed. */
function isBudgetReached(error: unknown): boolean {
	return error instanceof NotAdmittedError && (error.lastError === undefined || !mayHaveBilled(error.lastError));
}

function invalidInput(plan: { error: NodeOperationError; code: string }) {
	return { message: plan.error.message, status: 'invalid_input' as const, errorCode: plan.code, httpCode: null };
}

/** What a failed request ended with: for a retry the cap refused, what its last attempt met. */
function causeOf(error: unknown): unknown {
	return error instanceof NotAdmittedError ? error.lastError : error;
}

function requestError(context: IExecuteFunctions, error: unknown, itemIndex: number, request: PlannedRequest): ItemError {
	const node = context.getNode();
	const cause = causeOf(error);
	if (cause instanceof ProviderRequestError) {
		const own = request.personalData;
		return toNodeApiError(node, cause, itemIndex, own ? (value) => scrubJson(value, own) : undefined);
	}
	if (cause instanceof RunStoppedError) {
		return new NodeOperationError(node, 'Not sent: the run stopped at an earlier error', { itemIndex });
	}
	return new NodeOperationError(node, cause as Error, { itemIndex });
}
