/** The most events (start or arrival times, in ms) in any one-second window [t, t + 1000). */
export function busiestSecond(times: number[]): number {
	return Math.max(0, ...times.map((t) => times.filter((s) => s >= t && s < t + 1000).length));
}
