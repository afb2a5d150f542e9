/**
 * n8n's logger in the engine tests (imported by the harness, test/support/engine.ts, before n8n-core).
 *
 * n8n-core reports every node error through its logger (its ErrorReporter logs the message at level error), and
 * the node logs its progress at level info. Printed, that is dozens of console blocks for errors the tests expect,
 * around the test report. Under jest's test environment test/support/n8nLogEnvironment.ts, n8n's logger keeps each
 * line in `n8nLogLines` instead; the environment empties the list when a test starts and, when the test fails,
 * adds what n8n logged during it to the failure. Elsewhere (the benchmark) n8n's own logger stays.
 */
import * as path from 'node:path';

import type { Logger } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';

declare global {
	/** Set by test/support/n8nLogEnvironment.ts: the lines n8n logged during the current test. */
	var n8nLogLines: string[] | undefined;
}

const lines = globalThis.n8nLogLines;

if (lines) {
	const record =
		(level: string) =>
		(message: string, metadata?: object): void => {
			const extra = metadata && Object.keys(metadata).length > 0 ? ` ${JSON.stringify(metadata)}` : '';
			lines.push(`${level}: ${message}${extra}`);
		};
	const capturingLogger: Logger & { scoped(): Logger } = {
		error: record('error'),
		warn: record('warn'),
		info: record('info'),
		// n8n's default level is info: its debug lines (each node started, finished) would bury the rest.
		debug: () => {},
		scoped: () => capturingLogger,
	};

	// n8n-core takes its logger from its DI container (`Container.get(Logger)`: the ErrorReporter, a node's
	// `this.logger`), the workflow engine from n8n-workflow's LoggerProxy. The container and the Logger class are
	// resolved from n8n-core's own folder, so they are the ones n8n-core uses.
	const fromCore = { paths: [path.dirname(require.resolve('n8n-core/package.json'))] };
	/* eslint-disable @typescript-eslint/no-require-imports */
	const { Container } = require(require.resolve('@n8n/di', fromCore)) as {
		Container: { set(type: unknown, instance: unknown): void };
	};
	const { Logger: LoggerClass } = require(require.resolve('@n8n/backend-common', fromCore)) as { Logger: unknown };
	/* eslint-enable @typescript-eslint/no-require-imports */
	Container.set(LoggerClass, capturingLogger);
	LoggerProxy.init(capturingLogger);
}
