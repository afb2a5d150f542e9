/**
 * The answers bought in this execution, so that n8n's machinery around the node — Retry On Fail re-running it,
 * Loop Over Items feeding it batch after batch, another Verify node, an agent calling it again — never buys the
 * same answer twice. Only final answers are kept (see `final` in the check tables): a failure may pass on a retry.
 * It also keeps the execution's totals, what was billed and what was reused, which the node publishes as the
 * execution's custom data.
 *
 * It lives in the execution's flow context, which n8n saves with the execution (in queue mode, in the database),
 * so what is saved holds nothing personal:
 * - a key is an HMAC-SHA256 of the credential's token and the request, keyed with a secret drawn for the execution
 *   that never leaves this process: a key cannot be reversed or guessed, however short or plain the token (a
 *   proxy's placeholder) and however few the possible ID numbers;
 * - a value holds what an output item shows, without what a photo of an ID card says (names, numbers, addresses)
 *   and without files: those stay beside it in this process only, as do answers beyond `MAX_SAVED_ANSWERS`.
 * An execution that n8n saves and resumes later (after a Wait node) starts with a new secret: what it bought before
 * is bought again if asked for again, never mixed up.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { Answer, CheckDefinition } from './checks';
import { codeEntry, personalKeys } from './checks';

/** What the saved memory keeps of an answer. */
type KeptAnswer = { result: string; description: string; traceId: string | null } & Record<string, unknown>;

interface MemoryStore {
	answers: Record<string, KeptAnswer>;
	/** Answers the provider billed. */
	billedCalls: number;
	reusedAnswers: number;
}

/** What lives beside the saved memory, in this process only, for as long as the execution's data does. */
interface ProcessSide {
	secret: Buffer;
	/** Which run bought each answer, and with how many requests: that run's later tries show it as bought. */
	bought: Map<string, { run: string; attempts: number }>;
	/** The personal fields and the file of each answer that has them. */
	personal: Map<string, { fields: Record<string, unknown>; binary: string | null }>;
	/** Answers beyond what is saved, and how many are saved. */
	overflow: Map<string, KeptAnswer>;
	saved: number;
	/** Reused answers per run (a run's last try counts), above what was saved before this process had the data. */
	reusedInRun: Map<string, number>;
	reusedBefore: number;
}

/** Where in the flow context the memory is kept. */
export const MEMORY_KEY = 'aceDataPhoneVerify';

/**
 * The most answers saved with an execution (about 4 MB with answers as the provider sends them: docs/answer-memory.md);
 * later ones are remembered in this process only.
 */
export const MAX_SAVED_ANSWERS = 20_000;

const PROCESS_SIDE = new WeakMap<MemoryStore, ProcessSide>();

/** An answer bought earlier in the execution. */
export interface RememberedAnswer {
	answer: Answer;
	/** Bought by an earlier try of this same run (Retry On Fail): this run's own purchase, not a reuse. */
	ownRun: boolean;
	/** Requests the provider received for it. */
	attempts: number;
}

export class AnswerMemory {
	private readonly store: MemoryStore;
	private readonly side: ProcessSide;
	/** This run: the node and its run index (Retry On Fail's tries share it; each loop batch has its own). */
	private readonly run: string;

	constructor(
		context: IExecuteFunctions,
		private readonly check: CheckDefinition,
		private readonly token: string,
	) {
		const flow = context.getContext('flow');
		const stored = flow[MEMORY_KEY] as Partial<MemoryStore> | undefined;
		this.store = Object.assign(stored ?? {}, {
			answers: stored?.answers ?? {},
			billedCalls: stored?.billedCalls ?? 0,
			reusedAnswers: stored?.reusedAnswers ?? 0,
		});
		flow[MEMORY_KEY] = this.store;
		let side = PROCESS_SIDE.get(this.store);
		if (!side) {
			const store = this.store;
			side = {
				secret: randomBytes(32),
				bought: new Map(),
				personal: new Map(),
				overflow: new Map(),
				saved: Object.keys(store.answers).length,
				reusedInRun: new Map(),
				reusedBefore: store.reusedAnswers,
			};
			PROCESS_SIDE.set(this.store, side);
		}
		this.side = side;
		this.run = `${context.getNode().name}#${String(context.getWorkflowDataProxy(0).$runIndex ?? 0)}`;
	}

	/** The memory key of a request (its check, fields and settings): the request itself stays out of what n8n saves. */
	keyOf(request: string): string {
		return createHmac('sha256', this.side.secret).update(JSON.stringify([this.token, this.check.id, request])).digest('hex');
	}

	/** An answer bought earlier in the execution; its `raw` is rebuilt from what was kept. */
	recall(key: string): RememberedAnswer | undefined {
		const kept = (Object.hasOwn(this.store.answers, key) ? this.store.answers[key] : undefined) ?? this.side.overflow.get(key);
		if (!kept) return undefined;
		const { result, description, traceId, ...shown } = kept;
		const personal = this.side.personal.get(key);
		const fields = { ...shown, ...personal?.fields };
		const raw: Record<string, unknown> = {
			result,
			description,
			...Object.fromEntries(this.check.answerFields.map((field) => [field.api, fields[field.output] ?? null])),
		};
		if (traceId) raw.trace_id = traceId;
		const bought = this.side.bought.get(key);
		return {
			answer: { result, description, traceId, fields, binary: personal?.binary ?? null, raw },
			ownRun: bought?.run === this.run,
			attempts: bought?.attempts ?? 0,
		};
	}

	/** Counts an answer the provider gave (after `attempts` requests), and keeps it under `key` when it is final. */
	answered(key: string | undefined, answer: Answer, attempts: number): void {
		const entry = codeEntry(this.check, answer.result);
		if (entry?.billable) this.store.billedCalls++;
		if (key === undefined || !entry?.final) return;
		const personal = personalKeys(this.check);
		const shown = Object.fromEntries(Object.entries(answer.fields).filter(([output]) => !personal.includes(output)));
		const kept: KeptAnswer = { result: answer.result, description: answer.description, traceId: answer.traceId, ...shown };
		if (Object.hasOwn(this.store.answers, key) || this.side.saved < MAX_SAVED_ANSWERS) {
			if (!Object.hasOwn(this.store.answers, key)) this.side.saved++;
			this.store.answers[key] = kept;
		} else {
			this.side.overflow.set(key, kept);
		}
		if (personal.length || answer.binary) {
			const fields = Object.fromEntries(personal.map((output) => [output, answer.fields[output] ?? null]));
			this.side.personal.set(key, { fields, binary: answer.binary });
		}
		this.side.bought.set(key, { run: this.run, attempts });
	}

	/** Items of this run answered without a request of their own (another item's answer, or one bought earlier). */
	countReused(items: number): void {
		this.side.reusedInRun.set(this.run, items);
		this.store.reusedAnswers = this.side.reusedBefore + [...this.side.reusedInRun.values()].reduce((sum, n) => sum + n, 0);
	}

	/** The execution's totals so far, as custom data (n8n keeps only strings there). */
	totals(): Record<'billedCalls' | 'reusedAnswers', string> {
		return { billedCalls: String(this.store.billedCalls), reusedAnswers: String(this.store.reusedAnswers) };
	}
}
