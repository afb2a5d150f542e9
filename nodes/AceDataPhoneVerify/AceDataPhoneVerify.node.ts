import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { AnswerMemory } from './answerMemory';
import { BilledCallBudget } from './budget';
import { OUTPUTS_EXPRESSION, properties } from './description';
import { ItemParameters } from './itemParameters';
import { dryRunHints, publishTotals, runHints } from './notices';
import { dryRunItems, firstFailure, resultItems, routeItems } from './outcomes';
import { Planner } from './planner';
import { sendRequests } from './sending';
import { readRunSettings } from './settings';
import { CREDENTIAL_TYPE } from './transport';

export class AceDataPhoneVerify implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Ace Data Phone Verify',
		name: 'aceDataPhoneVerify',
		icon: { light: 'file:aceDataPhoneVerify.svg', dark: 'file:aceDataPhoneVerify.dark.svg' },
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle:
			'={{ $parameter.options && $parameter.options.dryRun ? "dry run: sends nothing" : $parameter.routeByResult ? "route by result" : "verify name + mobile + ID" }}',
		description:
			'Check that a name, a mainland China mobile number and an ID card number belong together (Ace Data Cloud three-element verification)',
		defaults: { name: 'Ace Data Phone Verify' },
		// The panel's Docs link, to the README's section on using the node. Used as it is: a codex URL gets n8n's
		// query string appended after any #fragment, which then leads nowhere.
		documentationUrl: 'https://github.com/acedatacloud/n8n-nodes-acedata-phone-verify#use-it',
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS_EXPRESSION,
		// A literal name: n8n's package checks read it statically.
		credentials: [{ name: 'aceDataCloudApi', required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const parameters = new ItemParameters(this, items);
		const run = readRunSettings(parameters);
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const continueOnFail = this.continueOnFail();
		// The answers bought earlier in this execution (a Retry On Fail re-run, a loop, an agent's calls): never
		// bought again. Skipping duplicates off means: send every item.
		const memory = new AnswerMemory(this, String(credentials.apiToken ?? ''));

		// 1. Plan the items: validate locally and decide which request each item waits for. Without Continue On
		// Fail one item that cannot be planned fails the run, so every item is checked before anything is sent (and
		// billed); with it, such an item only becomes an error item, so sending starts while later items are planned.
		const planner = new Planner(this, parameters, items, run.skipDuplicates ? memory : undefined, continueOnFail);
		if (run.dryRun) {
			await planner.planAll();
			this.addExecutionHints(...dryRunHints(planner.requests.length));
			return routeItems(dryRunItems(this, planner), run.routeByResult);
		}
		const requests = continueOnFail ? planner.plan() : await planner.planAll();

		// 2. Send each distinct request once: paced, concurrent, retried where that is safe, within the cap on
		// billed calls, which counts this node's earlier runs in the same execution too (a loop, an agent's calls).
		// Without Continue On Fail the first final failure fails the run, so nothing new is sent (and billed) after it.
		const execution = this.getContext('node');
		const budget = new BilledCallBudget(run.maxBilledCalls, Number(execution.billedCalls ?? 0));
		try {
			const sent = await sendRequests(this, credentials, requests, run, budget, memory, !continueOnFail).finally(
				() => (execution.billedCalls = budget.billedCalls),
			);
			if (!continueOnFail) {
				const failure = firstFailure(this, planner, sent.outcomes);
				if (failure) throw failure;
			}

			// 3. One output item per input item, in input order, on the output its result routes to.
			const { items: output, report } = resultItems(this, planner, sent, budget);
			memory.countReused(report.reused);
			this.addExecutionHints(...runHints(this, report, budget, sent));
			return routeItems(output, run.routeByResult);
		} finally {
			// Also when the run fails: what it bought is part of the execution's cost.
			publishTotals(this, memory);
		}
	}
}
