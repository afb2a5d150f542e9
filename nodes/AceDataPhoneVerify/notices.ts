/**
 * What a run tells the people around it, beside its items: the notices above the output in the editor (n8n's
 * execution hints) for what a green run did not do, and the execution's totals as its custom data, which the
 * executions list shows and filters by.
 */
import type { IExecuteFunctions, NodeExecutionHint } from 'n8n-workflow';

import type { AnswerMemory } from './answerMemory';
import { adviceFor } from './apiErrors';
import type { BilledCallBudget } from './budget';
import type { RunReport } from './outcomes';
import { count } from './outcomes';
import type { SendingResult } from './sending';

export function runHints(
	context: IExecuteFunctions,
	report: RunReport,
	budget: BilledCallBudget,
	{ refusal }: SendingResult,
): NodeExecutionHint[] {
	const messages: string[] = [];
	if (report.refused > 0 && refusal) {
		const reason = refusal.message.charAt(0).toLowerCase() + refusal.message.slice(1);
		const advice = adviceFor(refusal.code, refusal.httpCode ?? 0).description;
		messages.push(`${count(report.refused, 'item')} not sent: ${reason}. ${advice}`);
	}
	if (report.capped > 0) {
		messages.push(
			`${count(report.capped, 'item')} not sent: the cap of ${count(budget.cap, 'billed call')} (Max Billed Calls) was reached, with ${count(budget.billedCalls, 'call')} billed in this execution.`,
		);
	}
	if (context.getNode().retryOnFail) messages.push(RETRY_ON_FAIL_HINT);
	return messages.map(hint);
}

export function dryRunHints(wouldSend: number): NodeExecutionHint[] {
	return [hint(`Dry run: nothing was sent. A real run would send ${count(wouldSend, 'request')} (each may be billed).`)];
}

const RETRY_ON_FAIL_HINT =
	'Retry On Fail is on: items answered earlier in this execution are not sent again (nor billed); a retry sends only the items that failed.';

function hint(message: string): NodeExecutionHint {
	return { message, type: 'info', location: 'outputPane' };
}

/**
 * The execution's totals as custom data. Through the expression proxy's `$execution.customData`, which n8n 1.x
 * and 2.x both have (2.x also offers `this.customData`; 1.x gives the node nothing else).
 */
export function publishTotals(context: IExecuteFunctions, memory: AnswerMemory): void {
	const { customData } = context.getWorkflowDataProxy(0).$execution as {
		customData?: { setAll: (values: Record<string, string>) => void };
	};
	customData?.setAll(memory.totals());
}
