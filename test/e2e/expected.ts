/**
 * What the node's contract (../shared/node-contract.md) says every output item looks like, for the end-to-end
 * tests to compare real runs with.
 */
/** Every item, answer or error or unsent, has these keys in this order. */
export const OUTPUT_KEYS = [
	'result', 'status', 'matched', 'billable', 'description', 'isp', 'resultDetail', 'traceId', 'cached', 'attempts',
	'input', 'error', 'errorCode', 'httpCode',
];

/** The `input` echo with masking on: first character of the name, 3 + 4 digits of the mobile, 6 + 2 of the ID. */
export const masked = (p: { name: string; phone: string; idCard: string }) => ({
	name: `${p.name[0]}${'*'.repeat([...p.name].length - 1)}`,
	phone: `${p.phone.slice(0, 3)}****${p.phone.slice(-4)}`,
	idCard: `${p.idCard.slice(0, 6)}**********${p.idCard.slice(-2)}`,
});

/** The sum of a numeric or boolean field over items (booleans count 1). */
export const total = (items: Array<Record<string, unknown>>, field: string): number =>
	items.reduce((sum, item) => sum + Number(item[field] ?? 0), 0);

