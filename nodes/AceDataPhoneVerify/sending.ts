/**
 * Sends the planned requests: each distinct request once, paced, concurrent, retried where that is safe, within
 * the cap on billed calls, and ended at once when the execution is cancelled. Counts, per request, how many
 * times the provider received it, so that a run's `attempts` add up to what the provider saw.
 */
import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import type { BilledCallBudget } from './budget';
import type { PlannedRequest } from './planner';
import { classifyResult } from './results';
import type { Settled } from './scheduler';
import { runScheduled } from './scheduler';
import type { RunSettings } from './settings';
import type { ProviderAnswer } from './transport';
import { mayHaveBilled, reachedProvider, requestVerification, retryAdvisor } from './transport';

/** How a request ended, and how many times the provider received it. */
export type RequestOutcome = Settled<ProviderAnswer> & { received: number };

const PROGRESS_EVERY = 250;

export async function sendRequests(
	context: IExecuteFunctions,
	credentials: ICredentialDataDecryptedObject,
	requests: Iterable<PlannedRequest> | AsyncIterable<PlannedRequest>,
	run: RunSettings,
	budget: BilledCallBudget,
	failFast: boolean,
): Promise<RequestOutcome[]> {
	const node = context.getNode();
	const cancelled = context.getExecutionCancelSignal?.();
	const received: number[] = [];

	/** One attempt, counted: whether it reached the provider, and whether it was (or may have been) billed. */
	const send = async (request: PlannedRequest, index: number): Promise<ProviderAnswer> => {
		const failed: { error?: unknown } = {};
		const answer = await requestVerification(context, credentials, request.body, request.timeout, cancelled).catch(
			(error: unknown) => void (failed.error = error ?? new Error('Request failed')),
		);
		received[index] = (received[index] ?? 0) + (answer || reachedProvider(failed.error) ? 1 : 0);
		budget.attemptEnded(index, answer ? classifyResult(answer.result).billable : mayHaveBilled(failed.error));
		// The scheduler reads the failure (ProviderRequestError) to decide on a retry; the node turns it into an
		// n8n error once the item's outcome is final.
		if (!answer) throw failed.error;
		return answer;
	};

	const settled = await runScheduled(requests, send, {
		concurrency: run.concurrency,
		maxRequestsPerSecond: run.maxRequestsPerSecond,
		maxRetries: run.maxRetries,
		failFast,
		signal: cancelled,
		adviseRetry: retryAdvisor(run.retryLostReplies),
		admit: async (signal, index) => await budget.reserve(index, signal),
		onSettled: (index) => budget.release(index),
		onProgress: (done, total) => {
			if (done % PROGRESS_EVERY === 0 || (done === total && total >= PROGRESS_EVERY)) {
				const message =
					total === undefined
						? `${node.name}: ${done} verification requests done, more being prepared`
						: `${node.name}: ${done} of ${total} verification requests done`;
				context.logger.info(message);
				context.sendMessageToUI(message);
			}
		},
	});
	return settled.map((outcome, index) => ({ ...outcome, received: received[index] ?? 0 }));
}
