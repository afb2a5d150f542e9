/** What both benchmarks measure the same way: error modes, the slow-provider scenario, the targets compared against. */
import type { MockOptions } from '../test/support/mockProvider';

/**
 * How the node under test meets a failure: n8n's default (no "On Error" setting: the node fails the run, and ours
 * reads every item before it sends anything), or Continue On Fail (a failed item becomes an error item).
 */
export type ErrorMode = 'stop' | 'continue';

export const ERROR_MODE_LABEL: Record<ErrorMode, string> = {
	stop: 'default error handling',
	continue: 'Continue On Fail',
};

/** Both modes, the default first. */
export const ERROR_MODES: ErrorMode[] = ['stop', 'continue'];

/** Ours in the default error mode ÷ the same run with Continue On Fail: reading items first must cost next to nothing. */
export const SAME_AS_CONTINUE_TARGET = '≤ 1.05';
/** Ours ÷ n8n's HTTP Request node (three body-field expressions), time per item at 0 ms latency. */
export const VS_HTTP_REQUEST_TARGET = '≤ 0.8';

/** How a rate-limited provider of scenario 2 limits: a token bucket of `burst`, 429s with or without Retry-After. */
export interface Limiter {
	/** Names the limiter in row keys (bench/n8n.ts) and labels. */
	key: string;
	label: string;
	burst: number;
	/** Seconds in each 429's Retry-After; null: none. */
	retryAfterSeconds: number | null;
	target: string;
	/** Whether n8n's HTTP Request node is measured against it too. */
	withHttpRequestNode: boolean;
}

/**
 * Scenario 2: 400 items against a provider limited to 20 requests/s that answers in 20 ms, the node with its
 * default options. The answer comes back before the next start is due (50 ms apart), so a refused request is the only
 * one in flight. Three limiters: a burst of 20 (the pace never meets it), and a strict one that allows no burst (a
 * request that arrives less than 50 ms after the last one it accepted is refused, so a few ms of jitter on the way
 * meet a 429), with `Retry-After: 1` and without it. Ideal: 400 ÷ 20/s = 20 s.
 */
export const RATE_LIMITED = {
	items: 400,
	seed: 102,
	latencyMs: 20,
	perSecond: 20,
	limiters: [
		{ key: 'burst20', label: 'burst 20', burst: 20, retryAfterSeconds: 1, target: '≤ 1.02, 0 failed', withHttpRequestNode: true },
		{ key: 'strict', label: 'strict, Retry-After 1 s', burst: 1, retryAfterSeconds: 1, target: '≤ 1.10, 0 failed', withHttpRequestNode: true },
		{ key: 'strictNoWait', label: 'strict, no Retry-After', burst: 1, retryAfterSeconds: null, target: '≤ 1.10, 0 failed', withHttpRequestNode: false },
	] satisfies Limiter[],
	mock(limiter: Limiter): Omit<MockOptions, 'resultFor'> {
		const { burst, retryAfterSeconds } = limiter;
		return { latencyMs: this.latencyMs, rateLimit: { perSecond: this.perSecond, burst }, retryAfterSeconds };
	},
	idealMs(): number {
		return (this.items / this.perSecond) * 1000;
	},
	scenario(limiter: Limiter): string {
		return `2. 400 items, provider 20/s (${limiter.label}), answers in 20 ms`;
	},
};

/**
 * Scenario 4: 200 distinct items against a provider limited to 20 requests/s (token bucket, burst 20) that answers
 * in 50 ms to 2 s, the node with its default options. The limit allows the run 10 s of starts, and the last answer
 * comes one latency after the last start: ideal = 10 s + latency.
 */
export const SLOW_PROVIDER = {
	items: 200,
	seed: 104,
	latenciesMs: [50, 300, 800, 2000],
	perSecond: 20,
	target: '≤ 1.02, 0 failed',
	mock(latencyMs: number): Omit<MockOptions, 'resultFor'> {
		return { latencyMs, rateLimit: { perSecond: this.perSecond, burst: this.perSecond }, retryAfterSeconds: 1 };
	},
	idealMs(latencyMs: number): number {
		return (this.items / this.perSecond) * 1000 + latencyMs;
	},
	scenario(latencyMs: number): string {
		return `4. 200 items, provider 20/s, answers in ${latencyMs.toLocaleString('en-US')} ms`;
	},
};

/** Whether an output item reports a failure: only error items carry `error`. */
export function failedItem(json: Record<string, unknown>): boolean {
	return json.error !== undefined;
}
