/**
 * Sends the planned requests: each distinct request once, paced, concurrent, retried where that is safe, within
 * the cap on billed calls, and ended at once when the execution is cancelled. Counts, per request, how many
 * times the provider received it, so that a run's `attempts` add up to what the provider saw, and hands every
 * answer to the execution's memory as it arrives (a run that fails later keeps what it bought).
 *
 * A refused credential (a wrong token, an account out of balance) is the same answer for every request: once one
 * comes back, nothing new starts, and the run's `refusal` says why.
 */
import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import type { AnswerMemory } from './answerMemory';
import type { BilledCallBudget } from './budget';
import type { Answer, CheckDefinition } from './checks';
import { codeEntry, readAnswer } from './checks';
import type { PlannedRequest } from './planner';
import type { Settled } from './scheduler';
import { runScheduled } from './scheduler';
import type { RunSettings } from './settings';
import {
	mayHaveBilled,
	ProviderRequestError,
	reachedProvider,
	refusesEveryRequest,
	requestCheck,
	retryAdvisor,
} from './transport';

/** How a request ended, and how many times the provider received it. */
export type RequestOutcome = Settled<Answer> & { received: number };

export interface SendingResult {
	outcomes: RequestOutcome[];
	/** The provider refused the credential: the requests not sent yet were not sent. */
	refusal?: ProviderRequestError;
}

const PROGRESS_EVERY = 250;

export async function sendRequests(
	context: IExecuteFunctions,
	check: CheckDefinition,
	credentials: ICredentialDataDecryptedObject,
	requests: Iterable<PlannedRequest> | AsyncIterable<PlannedRequest>,
	run: RunSettings,
	budget: BilledCallBudget,
	memory: AnswerMemory,
	failFast: boolean,
): Promise<SendingResult> {
	const node = context.getNode();
	const cancelled = context.getExecutionCancelSignal?.();
	const received: number[] = [];
	// Halts the scheduler (no new start) without aborting the requests in flight: their answers may be billed.
	const refused = new AbortController();
	let refusal: ProviderRequestError | undefined;

	/** One attempt, counted: whether it reached the provider, and whether it was (or may have been) billed. */
	const send = async (request: PlannedRequest, index: number): Promise<Answer> => {
		const failed: { error?: unknown } = {};
		const json = await requestCheck(context, credentials, check.path, request.body, request.timeout, cancelled).catch(
			(error: unknown) => void (failed.error = error ?? new Error('Request failed')),
		);
		const answer = json ? readAnswer(check, json) : undefined;
		received[index] = (received[index] ?? 0) + (answer || reachedProvider(failed.error) ? 1 : 0);
		if (answer) memory.answered(request.memoryKey, answer, received[index]);
		budget.attemptEnded(index, answer ? codeEntry(check, answer.result)?.billable === true : mayHaveBilled(failed.error));
		if (refusesEveryRequest(failed.error) && !refusal) {
			refusal = failed.error;
			refused.abort();
		}
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
		signal: cancelled ? AbortSignal.any([cancelled, refused.signal]) : refused.signal,
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
	return { outcomes: settled.map((outcome, index) => ({ ...outcome, received: received[index] ?? 0 })), refusal };
}
