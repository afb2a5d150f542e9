/**
 * The "Max Billed Calls" cap: a request may start only while the calls billed so far plus the requests in flight
 * stay under the cap, since any request in flight may come back billed. A request whose reply was lost counts as
 * billed: it may have been answered. So however many requests run at once, the provider never bills more than
 * the cap.
 */
export class BilledCallBudget {
	private inFlight = 0;
	private readonly waiting = new Set<() => void>();

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
	 * Reserves the right to send one request: true at once while there is room, false once the billed calls
	 * alone reach the cap (or `signal` fires); in between, waits for a request in flight to come back.
	 */
	async reserve(signal: AbortSignal): Promise<boolean> {
		if (this.cap <= 0) return true;
		while (this.billed + this.inFlight >= this.cap) {
			if (this.billed >= this.cap || signal.aborted) return false;
			await new Promise<void>((wake) => {
				const done = () => {
					this.waiting.delete(done);
					signal.removeEventListener('abort', done);
					wake();
				};
				this.waiting.add(done);
				signal.addEventListener('abort', done, { once: true });
			});
		}
		this.inFlight++;
		return true;
	}

	/** A reserved request came back: billed (or possibly billed), or certainly not. */
	release(billed: boolean): void {
		if (billed) this.billed++;
		if (this.cap <= 0) return;
		this.inFlight--;
		for (const wake of [...this.waiting]) wake();
	}
}
