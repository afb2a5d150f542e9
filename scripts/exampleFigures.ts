/**
 * What the example workflows show when they run against the sandbox: the figures their sticky notes (and the
 * README) state, checked by scripts/check-examples.ts (`n8n execute`) and scripts/browser-check.ts (the editor).
 */
import { PHOTO_BASE } from '../test/support/checkCases';
import type { RunData } from './savedRuns';
import { items, routed } from './savedRuns';

export const BATCH_ID = 'aceExBatchCsv001';
export const WEBHOOK_ID = 'aceExLeadToDb001';
export const CRM_ID = 'aceExLeadToCrm01';
export const AGENT_ID = 'aceExAgentTool01';
export const ONBOARDING_ID = 'aceExOnboardId01';
export const PAYOUT_ID = 'aceExPayoutCard1';

/** What the batch example's Summary node says. */
export const BATCH_EXPECTED = {
	rows: 14,
	billedCalls: 5,
	matches: 5,
	mismatches: 1,
	notVerified: 8,
	duplicatesNotBilledAgain: 1,
	invalidRows: 1,
};

/** How many rows its Verify node routes to each output (Route by Result on). */
export const BATCH_ROUTED = { Match: 5, Mismatch: 1, 'Not Verified': 8 };

/** What its Cost estimate node says: the dry run of the same rows (12 would be sent, so at most 12 billed). */
export const ESTIMATE_EXPECTED = {
	rows: 14,
	atMostBilled: 12,
	duplicates: 1,
	invalidRows: 1,
};

/** The batch example's note, phrase by phrase, built from the figures above. */
export function batchNoteFigures(): string[] {
	const routed = Object.entries(BATCH_ROUTED)
		.map(([output, count]) => `${output} ${count}`)
		.join(', ');
	return [
		`${BATCH_EXPECTED.rows} rows → ${routed}`,
		`${BATCH_EXPECTED.billedCalls} billed calls`,
		`${BATCH_EXPECTED.matches} matches`,
		`at most ${ESTIMATE_EXPECTED.atMostBilled} billed`,
	];
}

/** Sandbox identities the notes give, with the outcome each gets. */
export const ZHANG = { name: '张三', phone: '13800138000', idCard: '11010519491231002X' };

/** What the data table example answers a lead without an email (its table is keyed by email), as its note says. */
export const NO_EMAIL_STATUS = 422;
export function webhookNoteFigures(): string[] {
	return [`A lead without an email is answered \`${NO_EMAIL_STATUS}\``];
}

/** The outputs of a Verify node with Route by Result on, in order. */
export const OUTPUTS = ['Match', 'Mismatch', 'Not Verified'] as const;
export type Output = (typeof OUTPUTS)[number];

/** The onboarding example's form path and Verify nodes: the ID card photo first, then the mobile. */
export const ONBOARDING_FORM_PATH = 'acedata-onboarding';
export const ONBOARDING_VERIFY_NODES = ['Read the ID card photo', 'Check the mobile is theirs'] as const;

/**
 * The onboarding form's sandbox submissions its note lists: the photo (any host, PHOTO_BASE in the note), the
 * mobile, where the ID card check and then the mobile check send it, the node it ends at, and what it bills.
 */
export const ONBOARDING_CASES: ReadonlyArray<{ photo: string; mobile: string; routes: Output[]; endsAt: string; billed: number }> = [
	{ photo: 'zhang-san.jpg', mobile: '13800138000', routes: ['Match', 'Match'], endsAt: 'Save the verified customer', billed: 2 },
	{ photo: 'zhang-san.jpg', mobile: '13900139000', routes: ['Match', 'Mismatch'], endsAt: 'Flag for review', billed: 2 },
	{ photo: 'li-si.jpg', mobile: '13700137000', routes: ['Mismatch'], endsAt: 'Flag for review', billed: 1 },
	{ photo: 'wang-wu.jpg', mobile: '13600136000', routes: ['Not Verified'], endsAt: 'Retry later', billed: 0 },
];

/** The onboarding example's note, case by case: `**photo + mobile** → routes`, and what the case bills. */
export function onboardingNoteFigures(): string[] {
	return [
		`${PHOTO_BASE}/${ONBOARDING_CASES[0].photo}`,
		...ONBOARDING_CASES.map(({ photo, mobile, routes, billed }) => `**${photo} + ${mobile}** → ${routes.join(', ')}: ${billedCalls(billed)}`),
	];
}

/** What a run of the onboarding example shows: where each Verify node that ran sent the submission, and the billed calls. */
export function onboardingRunFigures(runData: RunData): { routes: Output[]; billed: number } {
	const ran = ONBOARDING_VERIFY_NODES.filter((node) => runData[node]);
	return {
		routes: ran.map((node) => OUTPUTS[routed(runData, node, OUTPUTS.length).findIndex((count) => count > 0)]),
		billed: ran.flatMap((node) => verifiedItems(runData, node)).filter((item) => item.billable).length,
	};
}

/** Every item of a routed Verify node's run, output by output. */
function verifiedItems(runData: RunData, node: string): Array<Record<string, unknown>> {
	return OUTPUTS.flatMap((_, output) => items(runData, node, output));
}

function billedCalls(count: number): string {
	return count === 0 ? 'not billed' : `${count} billed call${count === 1 ? '' : 's'}`;
}

/** The payout example's Verify node, where it routes the sample requests, and the status of each. */
export const PAYOUT_VERIFY_NODE = "Check the payee's card";
export const PAYOUT_ROUTED: Readonly<Record<Output, number>> = { Match: 2, Mismatch: 4, 'Not Verified': 2 };
export const PAYOUT_STATUSES: Readonly<Record<string, string>> = {
	'P-2001': 'match',
	'P-2002': 'match',
	'P-2003': 'mismatch',
	'P-2004': 'card_reported_lost',
	'P-2005': 'card_expired',
	'P-2006': 'card_restricted',
	'P-2007': 'service_busy',
	'P-2008': 'daily_limit',
};
/** The matches and the refusals the provider bills (mismatch, lost, expired, restricted). */
export const PAYOUT_BILLED = 6;
/** Its Verify node's Max Billed Calls: above what the sample bills, so the cap is shown, not hit. */
export const PAYOUT_MAX_BILLED_CALLS = 10;

/** What a run of the payout example shows: the requests per output, each one's status, and the billed calls. */
export function payoutRunFigures(runData: RunData): { routed: Record<Output, number>; statuses: Record<string, unknown>; billed: number } {
	const results = verifiedItems(runData, PAYOUT_VERIFY_NODE);
	const counts = routed(runData, PAYOUT_VERIFY_NODE, OUTPUTS.length);
	return {
		routed: Object.fromEntries(OUTPUTS.map((output, index) => [output, counts[index]])) as Record<Output, number>,
		statuses: Object.fromEntries(results.map((item) => [String(item.payout_id), item.status]).sort()),
		billed: results.filter((item) => item.billable).length,
	};
}

/** The payout example's note, phrase by phrase, built from the figures above. */
export function payoutNoteFigures(): string[] {
	const perOutput = OUTPUTS.map((output) => `${output} ${PAYOUT_ROUTED[output]}`).join(', ');
	return [
		`${Object.keys(PAYOUT_STATUSES).length} requests → ${perOutput}`,
		`${PAYOUT_BILLED} billed calls`,
		`*Max Billed Calls* is ${PAYOUT_MAX_BILLED_CALLS}`,
		...Object.entries(PAYOUT_STATUSES).map(([payout, status]) => `${payout} (\`${status}\`)`),
	];
}
