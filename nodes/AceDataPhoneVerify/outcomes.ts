/**
 * What became of each input item — its plan, and the outcome of the request it waited for — as the node's
 * output items, or as the one error that fails a run without Continue On Fail.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BilledCallBudget } from './budget';
import { scrubJson } from './masking';
import type { ItemFailure, ItemStatus } from './output';
import { errorJson, routeFor, unsentJson, verificationJson } from './output';
import type { PlannedItem, Planner, PlannedRequest } from './planner';
import { NotAdmittedError, RunStoppedError } from './scheduler';
import type { RequestOutcome, SendingResult } from './sending';
import { mayHaveBilled, ProviderRequestError, toNodeApiError } from './transport';

type ItemError = ReturnType<typeof toNodeApiError> | NodeOperationError;

/** What a run did beyond its items, for the execution's totals and the notices above the output. */
export interface RunReport {
	/** Items answered with an answer they did not buy: another item's, or one bought earlier in the execution. */
	reused: number;
	/** Items not sent because the cap on billed calls was reached. */
	capped: number;
	/** Items not sent because the provider refused the credential. */
	refused: number;
}

/** "1 item", "2 items". */
export function count(n: number, noun: string): string {
	return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Why an item was not sent when the cap on billed calls is reached. */
export function capReached(budget: BilledCallBudget): string {
	return `the cap of ${count(budget.cap, 'billed call')} (Max Billed Calls) was reached, with ${count(budget.billedCalls, 'call')} billed in this execution`;
}

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
		if (plan.kind === 'remembered') {
			const description = 'Dry run: answered earlier in this execution; a real run would reuse that answer and send nothing';
			return { json: unsentJson('dry_run', description, plan.output, { cached: true, extra: { wouldSend: false } }), pairedItem };
		}
		// Items counted from 1, as the editor counts them.
		const { firstItem } = planner.requests[plan.request];
		const description = plan.cached
			? `Dry run: the same identity as item ${firstItem + 1}, which would be sent; not sent again`
			: 'Dry run: a real run would send this item (and could be billed for it)';
		const json = unsentJson('dry_run', description, plan.output, { cached: plan.cached, extra: { wouldSend: !plan.cached } });
		return { json, pairedItem };
	});
}

/** One output item per input item, in input order, with `pairedItem`, and what the run did besides. */
export function resultItems(
	context: IExecuteFunctions,
	planner: Planner,
	{ outcomes, refusal }: SendingResult,
	budget: BilledCallBudget,
): { items: INodeExecutionData[]; report: RunReport } {
	const toErrorOutput = context.getNode().onError === 'continueErrorOutput';
	const report: RunReport = { reused: 0, capped: 0, refused: 0 };

	const item = (plan: PlannedItem, itemIndex: number): INodeExecutionData => {
		const pairedItem = { item: itemIndex };
		if (plan.kind === 'error') {
			const json = errorJson(invalidInput(plan), plan.output);
			return { json, pairedItem, ...(toErrorOutput ? { error: plan.error } : {}) };
		}
		const includeRaw = plan.settings.includeRawResponse;
		if (plan.kind === 'remembered') {
			report.reused++;
			return { json: verificationJson(plan.answer, plan.output, { cached: true, attempts: 0, includeRaw }), pairedItem };
		}
		const outcome = outcomes[plan.request];
		const counted = { cached: plan.cached, attempts: plan.cached ? 0 : outcome.received };
		if (outcome.ok) {
			if (plan.cached) report.reused++;
			return { json: verificationJson(outcome.value, plan.output, { ...counted, includeRaw }), pairedItem };
		}
		if (isBudgetReached(outcome.error)) {
			report.capped++;
			return { json: unsentJson('budget_reached', `Not sent: ${capReached(budget)}`, plan.output, counted), pairedItem };
		}
		// Not sent because the credential was refused: the refusal is this item's answer too.
		const stoppedByRefusal = refusal !== undefined && causeOf(outcome.error) instanceof RunStoppedError;
		if (stoppedByRefusal) report.refused++;
		const cause = stoppedByRefusal ? refusal : causeOf(outcome.error);
		const error = requestError(context, cause, itemIndex, planner.requests[plan.request]);
		const failure = cause instanceof ProviderRequestError ? cause : undefined;
		const json = errorJson(
			{
				message: error.message,
				// The provider's advice, masked in the error already.
				advice: failure ? (error.description ?? undefined) : undefined,
				status: 'api_error',
				errorCode: failure?.code ?? (cause instanceof RunStoppedError ? 'not_sent' : 'unknown_error'),
				httpCode: failure?.httpCode ?? null,
			},
			plan.output,
			counted,
		);
		return { json, pairedItem, ...(toErrorOutput ? { error } : {}) };
	};
	return { items: planner.items.map(item), report };
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

function invalidInput(plan: { error: NodeOperationError; code: string }): ItemFailure {
	const { message, description } = plan.error;
	return { message, advice: description ?? undefined, status: 'invalid_input', errorCode: plan.code, httpCode: null };
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
