/**
 * The "Max Billed Calls" cap: a request may start only while the calls billed so far plus the requests holding a
 * place stay under the cap, since any request in flight may come back billed. A request keeps its place through
 * its retries (they are that request), until it is billed — a reply that was lost counts as billed: it may have
 * been answered — or it ends. So however many requests run at once, the provider never bills more than the cap.
 */
export class BilledCallBudget {
	/** The requests (by index) holding a place. */
	private readonly holders = new Set<number>();
	private readonly waiting = new Set<() => void>();
	private readonly watched = new WeakSet<AbortSignal>();

	/**
	 * @param cap the most billed calls; 0 = no cap.
	 * @param billed calls already billed before this run (earlier runs of the node in the same execution).
	 */
	constructor(
		readonly cap: number,
		private billed = 0,
	) {}

	/** Calls billed (or possibly billed) so far, earlier runs included. */
	get billedCalls(): number {
		return this.billed;
	}

	/**
	 * A place for the next attempt of request `holder`: at once when it holds one already or there is room, false
	 * once the billed calls alone reach the cap (or `signal` fires); in between, waits for a place to free up.
	 */
	async reserve(holder: number, signal: AbortSignal): Promise<boolean> {
		if (this.cap <= 0 || this.holders.has(holder)) return true;
		while (this.billed + this.holders.size >= this.cap) {
			if (this.billed >= this.cap || signal.aborted) return false;
			// One listener per signal, however many wait: a run may hold dozens of requests at the gate.
			if (!this.watched.has(signal)) {
				this.watched.add(signal);
				signal.addEventListener('abort', () => this.wakeAll(), { once: true });
			}
			await new Promise<void>((wake) => this.waiting.add(wake));
		}
		this.holders.add(holder);
		return true;
	}

	/** An attempt of request `holder` came back: billed (or possibly billed) spends its place; else it keeps it. */
	attemptEnded(holder: number, billed: boolean): void {
		if (!billed) return;
		this.billed++;
		this.release(holder);
	}

	/** Request `holder` is done: a place it still holds is free again. */
	release(holder: number): void {
		if (this.holders.delete(holder)) this.wakeAll();
	}

	private wakeAll(): void {
		const waiting = [...this.waiting];
		this.waiting.clear();
		for (const wake of waiting) wake();
	}
}
