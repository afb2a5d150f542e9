/**
 * The answers bought in this execution, so that n8n's machinery around the node — Retry On Fail re-running it,
 * Loop Over Items feeding it batch after batch, another Verify node, an agent calling it again — never buys the
 * same answer twice. Only final answers are kept (see `final` in results.ts): a failure may pass on a retry.
 *
 * It lives in the execution's flow context, which n8n saves with the execution (in queue mode, in the database):
 * so it holds no identity, not even a bare hash of one (an ID number is guessable from its plain hash). A key is
 * the HMAC-SHA256 of the request, keyed with the credential's token; a value is only what an output item shows.
 * It also keeps the execution's totals, which the node publishes as the execution's custom data.
 */
import { createHmac } from 'node:crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { classifyResult } from './results';
import type { ProviderAnswer } from './transport';

type RememberedAnswer = Pick<ProviderAnswer, 'result' | 'description' | 'isp' | 'resultDetail' | 'traceId'>;

interface MemoryStore {
	answers: Record<string, RememberedAnswer>;
	billedCalls: number;
	reusedAnswers: number;
}

/** Where in the flow context the memory is kept. */
export const MEMORY_KEY = 'aceDataPhoneVerify';

export class AnswerMemory {
	private readonly store: MemoryStore;

	constructor(
		context: IExecuteFunctions,
		private readonly token: string,
	) {
		const flow = context.getContext('flow');
		const stored = flow[MEMORY_KEY] as MemoryStore | undefined;
		this.store = stored ?? { answers: {}, billedCalls: 0, reusedAnswers: 0 };
		flow[MEMORY_KEY] = this.store;
	}

	/** The memory key of a request: the request itself must stay out of what n8n saves. */
	keyOf(request: string): string {
		return createHmac('sha256', this.token).update(request).digest('hex');
	}

	/** An answer bought earlier in the execution; its `raw` is rebuilt from what was kept. */
	recall(key: string): ProviderAnswer | undefined {
		const kept = Object.hasOwn(this.store.answers, key) ? this.store.answers[key] : undefined;
		if (!kept) return undefined;
		const raw: IDataObject = {
			result: kept.result,
			description: kept.description,
			isp: kept.isp,
			result_detail: kept.resultDetail,
			...(kept.traceId ? { trace_id: kept.traceId } : {}),
		};
		return { ...kept, raw };
	}

	/** Counts an answer the provider gave, and keeps it under `key` when it is final. */
	answered(key: string | undefined, answer: ProviderAnswer): void {
		const { final, billable } = classifyResult(answer.result);
		if (billable) this.store.billedCalls++;
		if (key === undefined || !final) return;
		const { result, description, isp, resultDetail, traceId } = answer;
		this.store.answers[key] = { result, description, isp, resultDetail, traceId };
	}

	/** Items answered without a request of their own (another item's answer, or one bought earlier). */
	countReused(items: number): void {
		this.store.reusedAnswers += items;
	}

	/** The execution's totals so far, as custom data (n8n keeps only strings there). */
	totals(): Record<'billedCalls' | 'reusedAnswers', string> {
		return { billedCalls: String(this.store.billedCalls), reusedAnswers: String(this.store.reusedAnswers) };
	}
}
