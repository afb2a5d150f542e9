/**
 * Jest's Node environment, plus n8n's log for failing tests. It gives each test file an `n8nLogLines` list, which
 * test/support/n8nLog.ts makes n8n's logger write to instead of the console; the list is emptied when a test
 * starts and, when a test fails, the lines logged during it are added to the test's failure, so a failure still
 * shows what n8n said.
 */
import { TestEnvironment } from 'jest-environment-node';

/** The parts of jest-circus's events used here. */
interface TestEvent {
	name: string;
	test?: { errors: unknown[] };
}

export default class N8nLogEnvironment extends TestEnvironment {
	private readonly lines: string[] = [];

	async setup(): Promise<void> {
		await super.setup();
		this.global.n8nLogLines = this.lines;
	}

	handleTestEvent(event: TestEvent): void {
		if (event.name === 'test_start') this.lines.length = 0;
		if (event.name === 'test_done' && event.test && event.test.errors.length > 0 && this.lines.length > 0) {
			const log = new Error();
			// No stack: jest prints the message alone, after the test's own errors.
			log.stack = `n8n logged during this test:\n${this.lines.map((line) => `  ${line}`).join('\n')}`;
			event.test.errors.push(log);
		}
	}
}
