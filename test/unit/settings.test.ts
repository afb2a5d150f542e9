import { effectiveConcurrency, MAX_CONCURRENCY, UNPACED_CONCURRENCY } from '../../nodes/AceDataPhoneVerify/settings';

describe('effectiveConcurrency', () => {
	it('by default lets the pace, not the cap, limit the run: in flight = pace × 4 s (Little’s law, answers up to 4 s)', () => {
		expect(effectiveConcurrency(undefined, 20)).toBe(80);
		expect(effectiveConcurrency(0, 20)).toBe(80);
		expect(effectiveConcurrency('', 5)).toBe(20);
		// It follows the pace: at 2 s per answer 10 a second needs 20 in flight (the old default of 5 allowed 2.5).
		expect(effectiveConcurrency(undefined, 10)).toBe(40);
		expect(effectiveConcurrency(undefined, 12.5)).toBe(50);
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
