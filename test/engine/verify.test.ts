/**
 * The Verify node inside n8n's engine against the provider mock: request mapping, outputs, routing,
 * statuses, local validation and Continue On Fail.
 */
import type { IDataObject } from 'n8n-workflow';

import { NO_ANSWER_FIELDS } from '../support/contract';
import { runVerify } from '../support/engine';
import { FROM_ITEM } from '../support/identities';
import type { MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider, VERIFY_PATH } from '../support/mockProvider';
import { SANDBOX_IDENTITIES } from '../support/sandboxIdentities';

let provider: MockProvider;
beforeAll(async () => (provider = await startMockProvider()));
afterAll(async () => await provider.close());
beforeEach(() => provider.reset());

const person = (name: string) => {
	const found = SANDBOX_IDENTITIES.find((p) => p.name === name);
	if (!found) throw new Error(name);
	return { name: found.name, phone: found.phone, idCard: found.idCard };
};
const credentials = () => ({ apiToken: DEFAULT_TOKEN, baseUrl: provider.url });

async function verify(items: IDataObject[], parameters: IDataObject = {}, onError?: 'continueRegularOutput' | 'continueErrorOutput') {
	return await runVerify({ parameters: { ...FROM_ITEM, ...parameters }, items, credentials: credentials(), onError });
}

describe('request mapping', () => {
	it('sends the three elements under the API names with the Bearer token and JSON headers', async () => {
		const run = await verify([person('张三')]);
		expect(run.error).toBeUndefined();
		expect(provider.requests).toHaveLength(1);
		const [request] = provider.requests;
		expect(request.method).toBe('POST');
		expect(request.path).toBe(VERIFY_PATH);
		expect(request.authorization).toBe(`Bearer ${DEFAULT_TOKEN}`);
		expect(request.headers.accept).toBe('application/json');
		expect(request.headers['content-type']).toMatch(/^application\/json/);
		expect(request.body).toEqual({ name: '张三', phone: '13800138000', id_card: '11010519491231002X' });
	});

	it.each([
		['default', undefined],
		['short', '0'],
		['long', '1'],
	])('verification mode %s sends verify_mode %s', async (verifyMode, wire) => {
		await verify([person('张三')], { verifyMode });
		expect(provider.requests[0].body?.verify_mode).toBe(wire);
		expect('verify_mode' in (provider.requests[0].body ?? {})).toBe(wire !== undefined);
	});

	it('sends normalised values: +86, spaces and dashes, lowercase x, middle-dot variants', async () => {
		await verify([{ name: ' 阿依古丽•买买提 ', phone: '+86 150-0015-0000', idCard: '650102199003070013' }]);
		expect(provider.requests[0].body).toEqual({ name: '阿依古丽·买买提', phone: '15000150000', id_card: '650102199003070013' });
		provider.reset();
		await verify([{ name: '张三', phone: '8613800138000', idCard: '11010519491231002x' }]);
		expect(provider.requests[0].body).toMatchObject({ phone: '13800138000', id_card: '11010519491231002X' });
	});

	it('tolerates a trailing slash in the base URL', async () => {
		const run = await runVerify({
			parameters: FROM_ITEM,
			items: [person('张三')],
			credentials: { apiToken: DEFAULT_TOKEN, baseUrl: `${provider.url}/` },
		});
		expect(run.json()[0].status).toBe('match');
		expect(provider.requests[0].path).toBe(VERIFY_PATH);
	});

	it('resolves fixed values and expressions reaching into nested fields', async () => {
		const run = await runVerify({
			parameters: {
				name: '={{ $json.contact.first + $json.contact.last }}',
				phone: '13800138000',
				idCard: '={{ $json.documents[0].number }}',
				verifyMode: '={{ $json.detailed ? "long" : "short" }}',
			},
			items: [{ contact: { first: '张', last: '三' }, documents: [{ number: '11010519491231002X' }], detailed: true }],
			credentials: credentials(),
		});
		expect(run.json()[0].status).toBe('match');
		expect(provider.requests[0].body).toEqual({
			name: '张三',
			phone: '13800138000',
			id_card: '11010519491231002X',
			verify_mode: '1',
		});
	});

	it('converts a numeric phone and refuses an ID number that arrived as a lossy number', async () => {
		const ok = await verify([{ ...person('张三'), phone: 13800138000 }]);
		expect(ok.json()[0].status).toBe('match');
		provider.reset();
		const bad = await verify([{ ...person('王五'), idCard: 110101197001010016 }]);
		expect(bad.error?.message).toMatch(/ID Card Number.*as text/);
		expect(provider.requests).toHaveLength(0);
	});
});

describe('outputs', () => {
	it.each(SANDBOX_IDENTITIES.map((p) => [p.result, p.name]))(
		'result %s (%s) has the status, billing and match flags of the code table',
		async (result, name) => {
			const expected: Record<string, [string, boolean]> = {
				'0': ['match', true],
				'1': ['mismatch', true],
				'-1': ['no_record', false],
				'-2': ['engine_error', false],
				'-3': ['service_error', false],
				'-4': ['name_invalid', false],
				'-5': ['phone_invalid', false],
				'-6': ['daily_limit', false],
			};
			const [status, billable] = expected[result] ?? ['unknown', false];
			const run = await verify([person(name)]);
			const [json] = run.json();
			expect(json).toMatchObject({ result, status, billable, matched: status === 'match', cached: false });
			expect(typeof json.description).toBe('string');
			expect(json).toHaveProperty('isp');
			expect(json).toHaveProperty('resultDetail', null);
			expect(json).toHaveProperty('traceId', null);
		},
	);

	it('emits one flat item per input item, in order, each paired with its input', async () => {
		const items = ['张三', '李四', '王五', '欧阳娜娜'].map(person);
		const run = await verify(items);
		const [output] = run.outputs();
		expect(output.map((i) => i.json.result)).toEqual(['0', '1', '-1', '0']);
		expect(output.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		for (const item of output) {
			for (const value of Object.values(item.json)) {
				if (value && typeof value === 'object') expect(Object.keys(value)).toEqual(['name', 'phone', 'idCard']);
			}
		}
		expect(output[3].json.input).toEqual({ name: '欧阳**', phone: '139****9000', idCard: '440524**********14' });
	});

	it('gives the mismatch detail in long mode', async () => {
		const run = await verify([{ ...person('张三'), name: '张四' }], { verifyMode: 'long' });
		expect(run.json()[0]).toMatchObject({ status: 'mismatch', resultDetail: 'PhoneNameMismatch' });
	});

	it('keeps input fields when asked, with the verification fields winning a clash', async () => {
		const run = await verify([{ ...person('张三'), crmId: 'lead-7', status: 'new' }], {
			options: { keepInputFields: true },
		});
		expect(run.json()[0]).toMatchObject({ crmId: 'lead-7', name: '张三', status: 'match', matched: true });
	});

	it('adds the raw provider answer when asked and shows unmasked input when masking is off', async () => {
		const run = await verify([person('张三')], { options: { includeRawResponse: true, maskInput: false } });
		const [json] = run.json();
		expect(json.raw).toEqual({ result: '0', description: '认证通过', isp: '移动', result_detail: null });
		expect(json.input).toEqual({ name: '张三', phone: '13800138000', idCard: '11010519491231002X' });
	});
});

describe('routing by result', () => {
	it('sends matches, mismatches and everything else to their own outputs, order kept', async () => {
		const names = ['李四', '张三', '王五', '欧阳娜娜', '郑十', '钱十一', '李四'];
		const run = await verify(names.map(person), { routeByResult: true });
		const [match, mismatch, notVerified] = run.outputs();
		expect(run.outputs()).toHaveLength(3);
		expect(match.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 3 }]);
		expect(mismatch.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 6 }]);
		expect(notVerified.map((i) => [i.pairedItem, i.json.status])).toEqual([
			[{ item: 2 }, 'no_record'],
			[{ item: 4 }, 'daily_limit'],
			[{ item: 5 }, 'unknown'],
		]);
		expect(mismatch[1].json.cached).toBe(true);
	});

	it('has a single output when routing is off', async () => {
		const run = await verify(['李四', '张三'].map(person));
		expect(run.outputs()).toHaveLength(1);
	});
});

describe('local validation', () => {
	const invalid = { name: '张三', phone: '13800138000', idCard: '110105194912310021' };

	it('fails the run on an invalid item, naming field and rule with the value masked, and sends nothing', async () => {
		const run = await verify([person('张三'), invalid]);
		expect(provider.requests).toHaveLength(0);
		expect(run.error?.message).toContain('ID Card Number');
		expect(run.error?.message).toContain('checksum');
		expect(run.error?.message).toContain('110105**********21');
		// Which item, counted from 1 as the editor counts, and how to keep the run going.
		expect(run.error?.description).toBe(
			'Nothing was sent: the node checks every item before it sends any. Fix the value of item 2 upstream, or set the node\'s Settings → On Error to "Continue" to verify the other items and get this one as an error item.',
		);
		expect(JSON.stringify(run.run.data.resultData)).not.toContain('110105194912310021');
	});

	it('with Continue On Fail emits an error item for the invalid one and verifies the rest', async () => {
		const run = await verify([invalid, person('张三')], {}, 'continueRegularOutput');
		expect(provider.requests).toHaveLength(1);
		const [error, ok] = run.json();
		expect(error).toEqual({
			result: null,
			status: 'invalid_input',
			matched: false,
			billable: false,
			description: `${String(error.error)}. Item 1 was not sent. Fix the value upstream.`,
			...NO_ANSWER_FIELDS,
			traceId: null,
			cached: false,
			attempts: 0,
			input: { name: '张*', phone: '138****8000', idCard: '110105**********21' },
			error: expect.stringContaining('checksum'),
			errorCode: 'idCard.checksum',
			httpCode: null,
		});
		expect(ok.status).toBe('match');
		// One shape for both, so n8n's table view and a CRM mapping treat them alike; only an error has `error`.
		expect(Object.keys(error).filter((key) => key !== 'error')).toEqual(Object.keys(ok));
		expect(ok).not.toHaveProperty('error');
		expect(run.outputs()[0].map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('with routing, error items go to Not Verified', async () => {
		const run = await verify([invalid, person('张三')], { routeByResult: true }, 'continueRegularOutput');
		const [match, mismatch, notVerified] = run.outputs();
		expect(match).toHaveLength(1);
		expect(mismatch).toHaveLength(0);
		expect(notVerified.map((i) => [i.pairedItem, i.json.status])).toEqual([[{ item: 0 }, 'invalid_input']]);
	});

	it('with the error output, invalid items leave by n8n’s error output', async () => {
		const run = await verify([invalid, person('张三')], {}, 'continueErrorOutput');
		const [success, errors] = run.outputs();
		expect(success.map((i) => i.json.status)).toEqual(['match']);
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 0 });
		expect(String(errors[0].json.error)).toContain('checksum');
	});

	it('sends invalid values when validation is off, and lets the provider judge', async () => {
		const run = await verify([{ ...invalid, phone: '12345' }], { options: { validateInput: false } });
		expect(provider.requests[0].body).toMatchObject({ phone: '12345', id_card: '110105194912310021' });
		expect(run.json()[0].status).toBe('no_record');
	});

	it('refuses empty and non-text inputs clearly', async () => {
		const run = await verify(
			[{ ...person('张三'), name: '' }, { ...person('张三'), phone: { n: 1 } }, { ...person('张三'), name: null }],
			{},
			'continueRegularOutput',
		);
		expect(run.json().map((j) => j.errorCode)).toEqual(['name.required', 'phone.type', 'name.required']);
		expect(run.json()[1].error).toMatch(/Mobile Number: expected text but got an object/);
		expect(provider.requests).toHaveLength(0);
	});
});
