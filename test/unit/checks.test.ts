/**
 * Rules every check's table must keep, whatever its codes: what the node promises of all of them (the codes
 * themselves are judged against the provider mock's own tables in test/engine/checks.test.ts).
 */
import {
	CHECKS,
	classify,
	codeEntry,
	DEFAULT_MIN_SIMILARITY,
	FAMILY_ANSWER_KEYS,
	readAnswer,
	statusesOf,
} from '../../nodes/AceDataPhoneVerify/checks';
import { FIELD_LABELS } from '../../nodes/AceDataPhoneVerify/fields';
import { toolDescription } from '../../nodes/AceDataPhoneVerify/toolDescription';
import { FAMILY_ANSWER_KEYS as CONTRACT_ANSWER_KEYS } from '../support/contract';

const SETTINGS = { verifyMode: 'default' as const, minSimilarity: DEFAULT_MIN_SIMILARITY, photoWarnings: {} };

describe.each(CHECKS)('$id', (check) => {
	it('keeps every billed answer for the execution: a billed code is final, so it is never bought twice', () => {
		for (const [code, entry] of Object.entries(check.results)) {
			if (entry.billable) expect([code, entry.final]).toEqual([code, true]);
		}
	});

	it('gives each code its own status, and matched only on the Match route', () => {
		const plain = Object.entries(check.results).filter(([code]) => check.refine?.code !== code);
		expect(new Set(plain.map(([, entry]) => entry.status)).size).toBe(plain.length);
		for (const [code] of plain) {
			const { matched, route } = classify(check, { result: code, fields: {} }, SETTINGS);
			expect([code, matched]).toEqual([code, route === 'match']);
		}
	});

	it.each(['-99', '', 'constructor', '__proto__', 'toString', '0.0', '+1'])(
		'reads %j as unknown: not billed, not final, Not Verified',
		(result) => {
			expect(classify(check, { result, fields: {} }, SETTINGS)).toEqual({
				status: 'unknown',
				matched: false,
				billable: false,
				final: false,
				route: 'notVerified',
			});
			expect(codeEntry(check, result)).toBeUndefined();
		},
	);

	it('reads a code with spaces around it as the code', () => {
		const [code] = Object.keys(check.results);
		expect(codeEntry(check, ` ${code}\n`)).toBe(check.results[code]);
	});

	it('adds only the answer keys the contract lists, in its order', () => {
		const own = readAnswer(check, { result: Object.keys(check.results)[0] }).fields;
		const order = Object.keys(own).map((key) => CONTRACT_ANSWER_KEYS.indexOf(key));
		expect(order.every((index) => index >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
	});

	it('tells an AI agent what it needs and what it answers', () => {
		const text = toolDescription(check);
		for (const { field } of check.fields) expect(text).toContain(FIELD_LABELS[field].toLowerCase());
		for (const status of statusesOf(check)) expect(text).toContain(status);
		expect(text).toContain('billable');
	});
});

describe('the family', () => {
	it('gives every item the contract’s answer keys, in its order', () => {
		expect(FAMILY_ANSWER_KEYS).toEqual(CONTRACT_ANSWER_KEYS);
	});

	it('has one check per path and per resource and operation', () => {
		expect(new Set(CHECKS.map((check) => check.path)).size).toBe(CHECKS.length);
		expect(new Set(CHECKS.map((check) => check.id)).size).toBe(CHECKS.length);
		for (const check of CHECKS) expect(check.id).toBe(`${check.resource}.${check.operation}`);
	});

	it('reads "success" where an ID card check’s spec says so, and the portrait’s Success whatever its case', () => {
		const byId = (id: string) => CHECKS.find((check) => check.id === id)!;
		expect(classify(byId('idCard.twoElements'), { result: 'success', fields: {} }, SETTINGS)).toMatchObject({ status: 'match', billable: true });
		const portrait = byId('idCard.portrait');
		for (const result of ['Success', 'SUCCESS', 'success', '0']) {
			expect(classify(portrait, { result, fields: { similarity: 80 } }, SETTINGS)).toMatchObject({ status: 'match', billable: true });
		}
	});

	it('decides the portrait by Minimum Similarity, the similarity itself included', () => {
		const portrait = CHECKS.find((check) => check.id === 'idCard.portrait')!;
		const at = (similarity: number, minSimilarity: number) =>
			classify(portrait, { result: 'Success', fields: { similarity } }, { ...SETTINGS, minSimilarity }).route;
		expect([at(70, 70), at(69.99, 70), at(100, 100), at(0, 0)]).toEqual(['match', 'mismatch', 'match', 'match']);
	});

	it('leaves the portrait’s file out of raw, and its text in the fields, empty text as null', () => {
		const portrait = CHECKS.find((check) => check.id === 'idCard.portrait')!;
		const answer = readAnswer(portrait, { result: 'Success', sim: '88.5', portrait: 'AAAA', warnings: '-9101|-7777', name: '', quality: '' });
		expect(answer.binary).toBe('AAAA');
		expect(answer.raw.portrait).toBe('[binary: portrait]');
		expect(answer.fields).toMatchObject({ similarity: 88.5, warnings: ['border_incomplete', '-7777'], ocrName: null, quality: null });
	});
});
