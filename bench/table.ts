/** What both benchmarks print: Markdown tables, and a verdict after each ratio that has a target. */

/** A number with `digits` decimals, or — when there is none. */
export function format(n: number, digits = 0): string {
	return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

/** `ratio` with ` ok` or ` MISS` against a target such as "≤ 1.10, 0 failed" (any failed item misses). */
export function ratioCell(ratio: number, target: string | undefined, failed: number): string {
	if (!Number.isFinite(ratio)) return '—';
	if (!target) return ratio.toFixed(3);
	const met = ratio <= Number(/[\d.]+/.exec(target)![0]) && !failed;
	return `${ratio.toFixed(3)} ${met ? 'ok' : 'MISS'}`;
}

/** Prints a header row and the rows under it, each column as wide as its widest cell. */
export function printTable(table: string[][]): void {
	const widths = table[0].map((_, column) => Math.max(...table.map((cells) => [...cells[column]].length)));
	const line = (cells: string[]) => `| ${cells.map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length)).join(' | ')} |`;
	console.log(line(table[0]));
	console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const cells of table.slice(1)) console.log(line(cells));
}

/** "label 0.970 ok (≤ 1.05)": a ratio of two measurements with its verdict. */
export function comparison(label: string, ratio: number, target: string): string {
	return `${label} ${ratioCell(ratio, target, 0)} (${target})`;
}
