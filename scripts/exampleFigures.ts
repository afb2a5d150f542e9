/**
 * What the example workflows show when they run against the sandbox: the figures their sticky notes (and the
 * README) state, checked by scripts/check-examples.ts (`n8n execute`) and scripts/browser-check.ts (the editor).
 */

export const BATCH_ID = 'aceExBatchCsv001';
export const WEBHOOK_ID = 'aceExLeadToDb001';
export const CRM_ID = 'aceExLeadToCrm01';
export const AGENT_ID = 'aceExAgentTool01';

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
