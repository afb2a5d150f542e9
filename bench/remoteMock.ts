import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import * as path from 'node:path';

import type { MockOptions } from '../test/support/mockProvider';
import type { ChildMessage, MockStats, ParentMessage } from './mockProcess';

/** The provider mock in a process of its own (see mockProcess.ts), driven from the benchmark over IPC. */
export class RemoteMock {
	private constructor(
		private readonly child: ChildProcess,
		readonly url: string,
	) {}

	static async start(options: Omit<MockOptions, 'resultFor'>): Promise<RemoteMock> {
		const child = fork(path.join(__dirname, 'mockProcess.js'), { stdio: 'inherit' });
		const started = await RemoteMock.ask(child, { type: 'start', options }, 'started');
		return new RemoteMock(child, started.url);
	}

	async stats(): Promise<MockStats> {
		return (await RemoteMock.ask(this.child, { type: 'stats' }, 'stats')).stats;
	}

	async close(): Promise<void> {
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.send({ type: 'close' } satisfies ParentMessage);
		await exited;
	}

	private static async ask<T extends ChildMessage['type']>(
		child: ChildProcess,
		message: ParentMessage,
		answer: T,
	): Promise<Extract<ChildMessage, { type: T }>> {
		return await new Promise((resolve, reject) => {
			const onMessage = (reply: ChildMessage) => {
				if (reply.type !== answer) return;
				child.off('message', onMessage);
				resolve(reply as Extract<ChildMessage, { type: T }>);
			};
			child.on('message', onMessage);
			child.once('error', reject);
			child.send(message);
		});
	}
}
