import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	UsableAsToolDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { AnswerMemory } from './answerMemory';
import { BilledCallBudget, Spending } from './budget';
import type { CheckDefinition } from './checks';
import { answerKeys, CHECKS, checkFor, FAMILY_ANSWER_KEYS, PHONE_THREE_ELEMENTS, RESOURCES } from './checks';
import { OUTPUTS_EXPRESSION, properties, toolProperties } from './description';
import { ItemParameters } from './itemParameters';
import { dryRunHints, publishTotals, runHints } from './notices';
import { dryRunItems, firstFailure, resultItems, routeItems } from './outcomes';
import type { OutputShape } from './output';
import { Planner } from './planner';
import { sendRequests } from './sending';
import { readRunSettings } from './settings';
import { CREDENTIAL_TYPE } from './transport';

/** What the panel's subtitle says of each check (version 3). */
const CHECK_SUBTITLES = Object.fromEntries(
	CHECKS.map((check) => [`${check.resource}.${check.operation}`, `${RESOURCES.find((r) => r.value === check.resource)!.name}: ${check.name}`]),
);

export class AceDataPhoneVerify implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Ace Data Identity Verify',
		name: 'aceDataPhoneVerify',
		icon: { light: 'file:aceDataPhoneVerify.svg', dark: 'file:aceDataPhoneVerify.dark.svg' },
		group: ['transform'],
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle: `={{ $parameter.options && $parameter.options.dryRun ? "dry run: sends nothing" : $parameter.resource ? ${JSON.stringify(CHECK_SUBTITLES)}[$parameter.resource + "." + $parameter.operation] : $parameter.routeByResult ? "route by result" : "verify name + mobile + ID" }}`,
		description:
			'KYC identity checks (实名认证) by Ace Data Cloud: mobile number status, name + mobile (+ ID number), ID card name + number + validity, ID card photo OCR and portrait, bank card issuer and two to four elements',
		defaults: { name: 'Ace Data Identity Verify' },
		// The panel's Docs link, to the README's section on using the node. Used as it is: a codex URL gets n8n's
		// query string appended after any #fragment, which then leads nowhere.
		documentationUrl: 'https://github.com/acedatacloud/n8n-nodes-acedata-phone-verify#use-it',
		// As a tool, the description the agent reads comes first (n8n's type lacks `properties` here; n8n spreads
		// these over the node's description for its tool variant, in 1.x and 2.x alike).
		usableAsTool: { replacements: { properties: toolProperties } as UsableAsToolDescription['replacements'] },
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS_EXPRESSION,
		// A literal name: n8n's package checks read it statically.
		credentials: [{ name: 'aceDataCloudApi', required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const shape = outputShape(this);
		const { check } = shape;
		const parameters = new ItemParameters(this, items);
		const run = readRunSettings(parameters);
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const continueOnFail = this.continueOnFail();
		// The answers bought earlier in this execution (a Retry On Fail re-run, a loop, an agent's calls): never
		// bought again. Skipping duplicates off means: send every item.
		const memory = new AnswerMemory(this, check, String(credentials.apiToken ?? ''));

		// 1. Plan the items: validate locally and decide which request each item waits for. Without Continue On
		// Fail one item that cannot be planned fails the run, so every item is checked before anything is sent (and
		// billed); with it, such an item only becomes an error item, so sending starts while later items are planned.
		const planner = new Planner(this, check, parameters, items, run.skipDuplicates ? memory : undefined, continueOnFail);
		if (run.dryRun) {
			await planner.planAll();
			this.addExecutionHints(...dryRunHints(planner.requests.length));
			return routeItems(dryRunItems(this, shape, planner), run.routeByResult);
		}
		const requests = continueOnFail ? planner.plan() : await planner.planAll();

		// 2. Send each distinct request once: paced, concurrent, retried where that is safe, within the node's cap on
		// billed calls, which counts all its runs in the execution (a loop, an agent's calls, Retry On Fail).
		// Without Continue On Fail the first final failure fails the run, so nothing new is sent (and billed) after it.
		const budget = new BilledCallBudget(run.maxBilledCalls, Spending.of(this.getContext('node')));
		try {
			const sent = await sendRequests(this, check, credentials, requests, run, budget, memory, !continueOnFail);
			if (!continueOnFail) {
				const failure = firstFailure(this, planner, sent.outcomes);
				if (failure) throw failure;
			}

			// 3. One output item per input item, in input order, on the output its result routes to.
			const { items: output, report } = await resultItems(this, shape, planner, sent, budget);
			memory.countReused(report.reused);
			this.addExecutionHints(...runHints(this, report, budget, sent));
			return routeItems(output, run.routeByResult);
		} finally {
			// Also when the run fails: what it bought is part of the execution's cost.
			publishTotals(this, memory);
		}
	}
}

/**
 * The check the node asks and the keys of its items: version 3 the panel's check with every check's answer keys;
 * versions 1 and 2 phone three elements with the keys they had.
 */
function outputShape(context: IExecuteFunctions): OutputShape {
	if (context.getNode().typeVersion < 3) return { check: PHONE_THREE_ELEMENTS, answerKeys: answerKeys(PHONE_THREE_ELEMENTS) };
	const resource = context.getNodeParameter('resource', 0, 'phone');
	const operation = context.getNodeParameter('operation', 0, 'threeElements');
	const check: CheckDefinition | undefined = checkFor(resource, operation);
	if (!check) {
		throw new NodeOperationError(context.getNode(), `Unknown check: resource "${String(resource)}", operation "${String(operation)}"`, {
			description: `Choose a Resource and an Operation the node offers (${CHECKS.map((c) => `${c.resource} → ${c.operation}`).join(', ')}).`,
		});
	}
	return { check, answerKeys: FAMILY_ANSWER_KEYS };
}
