/**
 * What the node's contract (../shared/node-contract.md) says every output item looks like, for the end-to-end
 * tests to compare real runs with.
 */
/**
 * Every item that is not an error (an answer, an unsent item) has these keys in this order; an error item has
 * `error` too, before `errorCode` (n8n reads an `error` key on the first item as a failed run to retry).
 */
export const OUTPUT_KEYS = [
	'result', 'status', 'matched', 'billable', 'description', 'isp', 'resultDetail', 'traceId', 'cached', 'attempts',
	'input', 'errorCode', 'httpCode',
];
export const ERROR_ITEM_KEYS = [...OUTPUT_KEYS.slice(0, -2), 'error', ...OUTPUT_KEYS.slice(-2)];

/** The `input` echo with masking on: first character of the name, 3 + 4 digits of the mobile, 6 + 2 of the ID. */
export const masked = (p: { name: string; phone: string; idCard: string }) => ({
	name: `${p.name[0]}${'*'.repeat([...p.name].length - 1)}`,
	phone: `${p.phone.slice(0, 3)}****${p.phone.slice(-4)}`,
	idCard: `${p.idCard.slice(0, 6)}**********${p.idCard.slice(-2)}`,
});

/** The sum of a numeric or boolean field over items (booleans count 1). */
export const total = (items: Array<Record<string, unknown>>, field: string): number =>
	items.reduce((sum, item) => sum + Number(item[field] ?? 0), 0);

