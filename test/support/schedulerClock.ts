/**
 * Puts the node's scheduler on a virtual clock for an engine test: n8n's engine, the node, n8n's request helper and
 * the provider mock on 127.0.0.1 stay real; only the scheduler's `now` and `sleep` are replaced. A request takes no
 * virtual time, and the clock moves on only while none is on the wire, so the pace the node keeps is measured
 * exactly, however loaded the machine. Call `restore` after the run.
 */
import * as scheduler from '../../nodes/AceDataPhoneVerify/scheduler';
import type { SchedulerOptions, Settled } from '../../nodes/AceDataPhoneVerify/scheduler';
import { virtualClock } from './virtualClock';

export function schedulerOnVirtualClock() {
	const clock = virtualClock();
	/** Every attempt the node started: its request's index and when, in virtual ms. */
	const starts: Array<{ index: number; at: number }> = [];
	let onTheWire = 0;
	const { runScheduled } = scheduler;
	async function onVirtualClock<T, R>(
		source: Iterable<T> | AsyncIterable<T>,
		run: (task: T, index: number) => Promise<R>,
		options: SchedulerOptions,
	): Promise<Array<Settled<R>>> {
		const timed = async (task: T, index: number) => {
			starts.push({ index, at: clock.now() });
			onTheWire++;
			try {
				return await run(task, index);
			} finally {
				onTheWire--;
			}
		};
		const running = runScheduled(source, timed, { ...options, now: clock.now, sleep: clock.sleep });
		return await clock.drive(running, () => onTheWire > 0);
	}
	const spy = jest.spyOn(scheduler, 'runScheduled').mockImplementation(onVirtualClock);
	return { clock, starts, restore: () => spy.mockRestore() };
}
