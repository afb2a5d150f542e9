import { effectiveConcurrency, MAX_CONCURRENCY, UNPACED_CONCURRENCY } from '../../nodes/AceDataPhoneVerify/settings';

describe('effectiveConcurrency', () => {
	it('by default lets the pace, not the cap, limit the run: in flight = pace × 4 s (Little’s law, answers up to 4 s)', () => {
		expect(effectiveConcurrency(undefined, 20)).toBe(80);
		expect(effectiveConcurrency(0, 20)).toBe(80);
		expect(effectiveConcurrency('', 5)).toBe(20);
		// At 2 s per answer the default pace needs 40 in flight; the old default of 5 allowed 2.5 requests a second.
		expect(effectiveConcurrency(undefined, 20)).toBeGreaterThanOrEqual(20 * 2);
	});

	it('stays modest when the pace is unlimited, and within bounds for any pace', () => {
		expect(effectiveConcurrency(undefined, 0)).toBe(UNPACED_CONCURRENCY);
		expect(effectiveConcurrency(undefined, 1000)).toBe(MAX_CONCURRENCY);
		expect(effectiveConcurrency(undefined, 0.5)).toBe(5);
	});

	it('keeps the user’s own value as a hard upper bound', () => {
		expect(effectiveConcurrency(5, 20)).toBe(5);
		expect(effectiveConcurrency(3.7, 20)).toBe(3);
		expect(effectiveConcurrency(500, 20)).toBe(MAX_CONCURRENCY);
	});
});
