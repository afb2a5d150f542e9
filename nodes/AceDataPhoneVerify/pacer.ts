/**
 * Turns to start an attempt, handed out in order, at least one gap apart and never during a pause. A turn is not
 * a slot booked ahead: callers wait in a queue, and one loop lets the head go when its time has come, so a pace
 * that rises, or a pause that is lifted, moves the whole queue at once. Retries queue before first attempts: they
 * have waited already.
 */
export interface PacerClock {
	now: () => number;
	/** Resolves after `ms`, or earlier when `signal` fires (it may then reject; that is ignored). */
	sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

type Waiter = (go: boolean) => void;

export class Pacer {
	private readonly retries: Waiter[] = [];
	private readonly firsts: Waiter[] = [];
	private gapMs = 0;
	private lastStartAt = -Infinity;
	private pauseEnd = -Infinity;
	private looping = false;
	/** Ends the loop's current wait early: the timing changed, or the run halted. */
	private interrupt?: () => void;

	/**
	 * @param beforeTurn called with the time before each turn is decided (a chance to change the pace).
	 */
	constructor(
		private readonly clock: PacerClock,
		private readonly halt: AbortSignal,
		private readonly beforeTurn: (now: number) => void,
	) {
		halt.addEventListener('abort', () => this.changed(), { once: true });
	}

	/** Starts per second; 0 = no pacing. */
	setRate(perSecond: number): void {
		this.gapMs = perSecond > 0 ? Math.ceil(1000 / perSecond) : 0;
		this.changed();
	}

	/** No turn before `until`. */
	pause(until: number): void {
		this.pauseEnd = Math.max(this.pauseEnd, until);
		this.changed();
	}

	get pausedUntil(): number {
		return this.pauseEnd;
	}

	/** Resolves true when the caller may start, false once the run has halted. */
	async turn(retry: boolean): Promise<boolean> {
		if (this.halt.aborted) return false;
		const go = new Promise<boolean>((resolve) => (retry ? this.retries : this.firsts).push(resolve));
		void this.loop();
		return await go;
	}

	private changed(): void {
		this.interrupt?.();
	}

	private async loop(): Promise<void> {
		if (this.looping) return;
		this.looping = true;
		try {
			while (!this.halt.aborted && this.retries.length + this.firsts.length > 0) {
				const t = this.clock.now();
				this.beforeTurn(t);
				const due = Math.max(this.lastStartAt + this.gapMs, this.pauseEnd);
				if (t < due) {
					await this.waitOrChange(due - t);
					continue;
				}
				this.lastStartAt = t;
				(this.retries.shift() ?? this.firsts.shift())!(true);
			}
		} finally {
			this.looping = false;
		}
		if (this.halt.aborted) for (const waiter of this.retries.splice(0).concat(this.firsts.splice(0))) waiter(false);
	}

	private async waitOrChange(ms: number): Promise<void> {
		const cut = new AbortController();
		const interrupted = new Promise<void>((resolve) => (this.interrupt = resolve));
		try {
			await Promise.race([this.clock.sleep(ms, cut.signal), interrupted]);
		} catch {
			// A sleep cut short may reject: the loop looks at the time again either way.
		} finally {
			this.interrupt = undefined;
			cut.abort();
		}
	}
}
