/**
 * What an AI agent reads about the node as a tool, for the chosen check: what it needs (the fields, which the
 * agent fills) and what it answers, from the check table. Pure.
 */
import type { CheckDefinition } from './checks';
import { answerKeys, statusesOf } from './checks';
import { FIELD_LABELS } from './fields';

/** Version 1 and 2 tools verify phone three elements only, and keep the words they had. */
export const LEGACY_TOOL_DESCRIPTION =
	'Check that a name, a mainland China mobile number and an ID card number belong together (Ace Data Cloud three-element verification)';

export function toolDescription(check: CheckDefinition): string {
	const needs = check.fields
		.map(({ field, required }) => `${FIELD_LABELS[field].toLowerCase()}${required || check.anyOf ? '' : ' (optional)'}`)
		.join(', ');
	const either = check.anyOf
		? ` (${check.anyOf.map((group) => group.map((field) => FIELD_LABELS[field].toLowerCase()).join(' and ')).join(', or ')})`
		: '';
	const statuses = statusesOf(check);
	const billed = Object.entries(check.results)
		.filter(([, code]) => code.billable)
		.flatMap(([code, { status }]) => (check.refine?.code === code ? check.refine.statuses : [status]));
	const extra = answerKeys(check);
	return [
		`${check.description} (Ace Data Cloud).`,
		`Needs: ${needs}${either}.`,
		`Answers: matched (true or false), status (${statuses.join(', ')}), description${extra.length ? `, ${extra.join(', ')}` : ''}.`,
		`billable says whether the answer was charged (${billed.join(', ')} are).`,
		'The same values asked again in one execution are answered from memory, free.',
	].join(' ');
}
