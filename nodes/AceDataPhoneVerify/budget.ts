/**
 * The "Max Billed Calls" cap of a node, for the whole execution: every run of the node in it (loop batches, Retry
 * On Fail, an agent's calls, even at the same time) counts against it. A request may start only while the calls the
 * node billed in the execution so far plus its requests holding a place stay under the cap, since any request in
 * flight may come back billed. A request keeps its place through its retries (they are that request), until it is
 * billed — a reply that was lost counts as billed: it may have been answered — or it ends. So however many requests
 * run at once, in however many runs, the provider never bills the node more than its cap in one execution. Requests
 * waiting for a place get one in the order they asked.
 *
 * The count lives in the node's context, which n8n keeps for the execution (and saves with it); the places held and
 * the queue live beside it, in this process.
 */

interface Waiting {
	holder: string;
	cap: number;
	signal: AbortSignal;
	admit: (admitted: boolean) => void;
}

/** Where a node's context keeps what the node billed in the execution. */
interface SpentCount {
	billedCalls?: unknown;
}

const SPENDINGS = new WeakMap<SpentCount, Spending>();

/** What a node's cap is measured against, shared by every run of the node in the execution. */
export class Spending {
	/** The requests holding a place, whichever run they belong to. */
	private readonly holders = new Set<string>();
	private readonly queue: Waiting[] = [];
	private readonly watched = new WeakSet<AbortSignal>();

	/** @param count the node's context: its `billedCalls` is what the node billed (or may have) so far. */
	private constructor(private readonly count: SpentCount) {}

	/** The spending a node's context counts, the same object for every run of the node in the execution. */
	static of(count: SpentCount): Spending {
		let spending = SPENDINGS.get(count);
		if (!spending) {
			spending = new Spending(count);
			SPENDINGS.set(count, spending);
		}
		return spending;
	}

	/** Calls the node billed (or may have) in the execution so far. */
	spent(): number {
		return Number(this.count.billedCalls ?? 0);
	}

	/** A call was billed (or may have been). */
	charge(): void {
		this.count.billedCalls = this.spent() + 1;
	}

	/** A place under `cap` for `holder`: at once when it has one or there is room and nobody waits, else in turn. */
	async reserve(holder: string, cap: number, signal: AbortSignal): Promise<boolean> {
		if (this.holders.has(holder)) return true;
		if (this.queue.length === 0 && this.hasRoom(cap)) {
			this.holders.add(holder);
			return true;
		}
		if (this.spent() >= cap || signal.aborted) return false;
		// One listener per signal, however many wait: a run may hold dozens of requests at the gate.
		if (!this.watched.has(signal)) {
			this.watched.add(signal);
			signal.addEventListener('abort', () => this.queue.filter((w) => w.signal === signal).forEach((w) => this.leave(w, false)), {
				once: true,
			});
		}
		return await new Promise<boolean>((admit) => this.queue.push({ holder, cap, signal, admit }));
	}

	/** `holder` is done, or was billed: its place is free, and what was billed may leave others no place at all. */
	release(holder: string): void {
		this.holders.delete(holder);
		this.admitWaiting();
	}

	/** Admits whoever now fits, in the order they asked; refuses whoever never will. */
	private admitWaiting(): void {
		for (const waiting of [...this.queue]) {
			if (this.spent() >= waiting.cap) this.leave(waiting, false);
			else if (this.hasRoom(waiting.cap)) {
				this.holders.add(waiting.holder);
				this.leave(waiting, true);
			}
		}
	}

	private hasRoom(cap: number): boolean {
		return this.spent() + this.holders.size < cap;
	}

	private leave(waiting: Waiting, admitted: boolean): void {
		const at = this.queue.indexOf(waiting);
		if (at === -1) return;
		this.queue.splice(at, 1);
		waiting.admit(admitted);
	}
}

/** Tells one run's requests apart from another's among the execution's holders. */
let runsSeen = 0;

/** One run's view of its node's cap: the cap, its requests by index. */
export class BilledCallBudget {
	private readonly run = ++runsSeen;

	/** @param cap the most billed calls of the node in the execution; 0 = no cap. */
	constructor(
		readonly cap: number,
		private readonly spending: Spending,
	) {}

	/** Calls the node billed (or may have) in the execution so far, this run's included. */
	get billedCalls(): number {
		return this.spending.spent();
	}

	/**
	 * A place for the next attempt of request `index`: at once when it holds one already or there is room, false
	 * once the billed calls alone reach the cap (or `signal` fires); in between, waits for a place to free up.
	 */
	async reserve(index: number, signal: AbortSignal): Promise<boolean> {
		return this.cap <= 0 || (await this.spending.reserve(this.holder(index), this.cap, signal));
	}

	/** An attempt of request `index` came back: billed (or possibly billed) is counted, and spends its place. */
	attemptEnded(index: number, billed: boolean): void {
		if (!billed) return;
		this.spending.charge();
		this.release(index);
	}

	/** Request `index` is done: a place it still holds is free again. */
	release(index: number): void {
		this.spending.release(this.holder(index));
	}

	private holder(index: number): string {
		return `${this.run}:${index}`;
	}
}
