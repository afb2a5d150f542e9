/**
 * What became of each input item — its plan, and the outcome of the request it waited for — as the node's
 * output items, or as the one error that fails a run without Continue On Fail.
 */
import type { IBinaryData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BilledCallBudget } from './budget';
import type { Answer, Route } from './checks';
import { scrubJson } from './masking';
import type { ItemFailure, OutputShape } from './output';
import { errorJson, ROUTE_OUTPUT, unsentJson, verificationJson } from './output';
import type { PlannedItem, Planner, PlannedRequest } from './planner';
import { NotAdmittedError, RunStoppedError } from './scheduler';
import type { RequestOutcome, SendingResult } from './sending';
import { mayHaveBilled, ProviderRequestError, toNodeApiError } from './transport';

/** An output item and the output it goes to when routing is on. */
export interface RoutedItem {
	item: INodeExecutionData;
	route: Route;
}

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

/** Puts each item on the output its answer routes to (all on one output when routing is off). */
export function routeItems(items: RoutedItem[], routeByResult: boolean): INodeExecutionData[][] {
	if (!routeByResult) return [items.map(({ item }) => item)];
	const outputs: INodeExecutionData[][] = [[], [], []];
	for (const { item, route } of items) outputs[ROUTE_OUTPUT[route]].push(item);
	return outputs;
}

/** Not Verified: where everything without an answer goes. */
const unanswered = (item: INodeExecutionData): RoutedItem => ({ item, route: 'notVerified' });

/** A dry run: every planned item says whether a real run would send it; nothing was sent. */
export function dryRunItems(context: IExecuteFunctions, shape: OutputShape, planner: Planner): RoutedItem[] {
	const toErrorOutput = context.getNode().onError === 'continueErrorOutput';
	return planner.items.map((plan, itemIndex) => {
		const pairedItem = { item: itemIndex };
		if (plan.kind === 'error') {
			const json = errorJson(shape, invalidInput(plan), plan.output, { extra: { wouldSend: false } });
			return unanswered({ json, pairedItem, ...(toErrorOutput ? { error: plan.error } : {}) });
		}
		if (plan.kind === 'remembered') {
			const description = 'Dry run: answered earlier in this execution; a real run would reuse that answer and send nothing';
			return unanswered({ json: unsentJson(shape, 'dry_run', description, plan.output, { cached: true, extra: { wouldSend: false } }), pairedItem });
		}
		// Items counted from 1, as the editor counts them.
		const { firstItem } = planner.requests[plan.request];
		const description = plan.cached
			? `Dry run: the same identity as item ${firstItem + 1}, which would be sent; not sent again`
			: 'Dry run: a real run would send this item (and could be billed for it)';
		const json = unsentJson(shape, 'dry_run', description, plan.output, { cached: plan.cached, extra: { wouldSend: !plan.cached } });
		return unanswered({ json, pairedItem });
	});
}

/** One output item per input item, in input order, with `pairedItem`, and what the run did besides. */
export async function resultItems(
	context: IExecuteFunctions,
	shape: OutputShape,
	planner: Planner,
	{ outcomes, refusal }: SendingResult,
	budget: BilledCallBudget,
): Promise<{ items: RoutedItem[]; report: RunReport }> {
	const toErrorOutput = context.getNode().onError === 'continueErrorOutput';
	const report: RunReport = { reused: 0, capped: 0, refused: 0 };
	const files = new BinaryFiles(context, shape);

	const answered = async (
		plan: Extract<PlannedItem, { kind: 'request' | 'remembered' }>,
		answer: Answer,
		counted: { cached: boolean; bought: boolean; attempts: number },
		itemIndex: number,
	): Promise<RoutedItem> => {
		const { settings } = plan;
		const { json, route } = verificationJson(shape, answer, plan.output, { ...counted, includeRaw: settings.includeRawResponse, settings: settings.check });
		const binary = await files.of(answer);
		return { item: { json, pairedItem: { item: itemIndex }, ...(binary ? { binary } : {}) }, route };
	};

	const item = async (plan: PlannedItem, itemIndex: number): Promise<RoutedItem> => {
		const pairedItem = { item: itemIndex };
		if (plan.kind === 'error') {
			const json = errorJson(shape, invalidInput(plan), plan.output);
			return unanswered({ json, pairedItem, ...(toErrorOutput ? { error: plan.error } : {}) });
		}
		if (plan.kind === 'remembered') {
			const { answer, ownRun, attempts } = plan.remembered;
			// An earlier try of this run bought it (Retry On Fail): this run's own, as that try showed it.
			const bought = ownRun && !plan.cached;
			if (!bought) report.reused++;
			return await answered(plan, answer, { cached: !bought, bought, attempts: bought ? attempts : 0 }, itemIndex);
		}
		const outcome = outcomes[plan.request];
		const counted = { cached: plan.cached, attempts: plan.cached ? 0 : outcome.received };
		if (outcome.ok) {
			if (plan.cached) report.reused++;
			return await answered(plan, outcome.value, { ...counted, bought: !plan.cached }, itemIndex);
		}
		if (isBudgetReached(outcome.error)) {
			report.capped++;
			return unanswered({ json: unsentJson(shape, 'budget_reached', `Not sent: ${capReached(budget)}`, plan.output, counted), pairedItem });
		}
		// Not sent because the credential was refused: the refusal is this item's answer too.
		const stoppedByRefusal = refusal !== undefined && causeOf(outcome.error) instanceof RunStoppedError;
		if (stoppedByRefusal) report.refused++;
		const cause = stoppedByRefusal ? refusal : causeOf(outcome.error);
		const error = requestError(context, cause, itemIndex, planner.requests[plan.request]);
		const failure = cause instanceof ProviderRequestError ? cause : undefined;
		const json = errorJson(
			shape,
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
		return unanswered({ json, pairedItem, ...(toErrorOutput ? { error } : {}) });
	};
	const items: RoutedItem[] = [];
	for (const [itemIndex, plan] of planner.items.entries()) items.push(await item(plan, itemIndex));
	return { items, report };
}

/** A check's file from its answers (the portrait), stored with n8n once per answer however many items share it. */
class BinaryFiles {
	private readonly stored = new Map<string, Promise<IBinaryData>>();

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly shape: OutputShape,
	) {}

	async of(answer: Answer): Promise<Record<string, IBinaryData> | undefined> {
		const file = this.shape.check.binary;
		if (!file || !answer.binary) return undefined;
		let stored = this.stored.get(answer.binary);
		if (!stored) {
			stored = this.context.helpers.prepareBinaryData(Buffer.from(answer.binary, 'base64'), file.fileName, file.mimeType);
			this.stored.set(answer.binary, stored);
		}
		return { [file.output]: await stored };
	}
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
