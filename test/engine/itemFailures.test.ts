/**
 * Whatever goes wrong for one item while it is read — an expression that throws, an option that cannot work for
 * it — is that item's error: with Continue On Fail the others are still sent and answered, in order; without,
 * the run fails before anything is sent. Settings that cannot work for any item name the setting.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { parametersFor, runVerify } from '../support/engine';
import { FROM_ITEM } from '../support/identities';
import type { MockProvider } from '../support/mockProvider';
import { DEFAULT_TOKEN, startMockProvider } from '../support/mockProvider';
import { SANDBOX_IDENTITIES } from '../support/sandboxIdentities';

let provider: MockProvider;
beforeAll(async () => (provider = await startMockProvider()));
afterAll(async () => await provider.close());
beforeEach(() => provider.reset());

const people = SANDBOX_IDENTITIES.slice(0, 4).map(({ name, phone, idCard }) => ({ name, phone, idCard }));

async function verify(
	items: IDataObject[],
	parameters: INodeParameters,
	onError?: 'continueRegularOutput' | 'continueErrorOutput',
	typeVersion?: number,
) {
	return await runVerify({
		parameters,
		items,
		credentials: { apiToken: DEFAULT_TOKEN, baseUrl: provider.url },
		onError,
		typeVersion,
	});
}

/** The name from `$json.person` when there is one, else from a node that does not exist: throws for that item. */
const NAME_OR_LOOKUP = "={{ $json.person ? $json.person.name : $('Lookup').item.json.name }}";
const items = people.map((person, index) =>
	index === 2 ? { phone: person.phone, idCard: person.idCard } : { person: { name: person.name }, phone: person.phone, idCard: person.idCard },
);

describe('an expression that throws for one item', () => {
	const parameters = { ...FROM_ITEM, name: NAME_OR_LOOKUP };

	it('with Continue On Fail becomes that item’s error item; the others are sent and answered, in order', async () => {
		const run = await verify(items, parameters, 'continueRegularOutput');
		expect(run.error).toBeUndefined();
		const output = run.outputs()[0];
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(output.map((item) => item.json.status)).toEqual(['match', 'match', 'invalid_input', 'match']);
		expect(output[2].json).toMatchObject({ errorCode: 'expression_error', attempts: 0, billable: false });
		expect(String(output[2].json.error)).toMatch(/Referenced node doesn't exist/);
		// The name is read first: nothing of that item was read, so its echo is empty.
		expect(output[2].json.input).toEqual({ name: '', phone: '', idCard: '' });
		expect(provider.requests.map((request) => request.body?.phone)).toEqual([people[0], people[1], people[3]].map((p) => p.phone));
	});

	it('with the error output leaves by it, naming the item', async () => {
		const run = await verify(items, parameters, 'continueErrorOutput');
		const [success, errors] = run.outputs();
		expect(success.map((item) => item.pairedItem)).toEqual([0, 1, 3].map((item) => ({ item })));
		expect(errors.map((item) => item.pairedItem)).toEqual([{ item: 2 }]);
		expect(String(errors[0].json.error)).toMatch(/Referenced node doesn't exist/);
	});

	it('without Continue On Fail fails the run before anything is sent', async () => {
		const run = await verify(items, parameters);
		expect(run.error?.message).toMatch(/Referenced node doesn't exist/);
		expect(provider.requests).toHaveLength(0);
	});
});

describe('an option that cannot work for one item', () => {
	it('an unknown verification mode from an expression: that item only', async () => {
		const parameters = { ...FROM_ITEM, verifyMode: '={{ $json.mode ?? "short" }}' };
		const modes = people.map((person, index) => ({ ...person, mode: index === 1 ? 'thorough' : 'long' }));
		const run = await verify(modes, parameters, 'continueRegularOutput');
		expect(run.json().map((item) => item.status)).toEqual(['match', 'invalid_input', 'match', 'match']);
		expect(run.json()[1]).toMatchObject({ errorCode: 'invalid_settings', error: 'Unknown Verification Mode "thorough"' });
		expect(provider.requests).toHaveLength(3);
	});

	it.each([1, 2])('a public key from an expression that is empty for one item (node version %i)', async (version) => {
		const parameters = parametersFor(version, {
			...FROM_ITEM,
			options: { encryption: 'local', publicKey: '={{ $json.key }}' },
		});
		const withKeys = people.map((person, index) => ({ ...person, key: index === 0 ? '' : 'not a key' }));
		const run = await verify(withKeys, parameters, 'continueRegularOutput', version);
		expect(run.error).toBeUndefined();
		const [first, second] = run.json();
		expect(first).toMatchObject({ status: 'invalid_input', errorCode: 'invalid_settings' });
		expect(String(first.error)).toMatch(/No public key set/);
		expect(String(second.error)).toMatch(/not a complete PEM block/);
		expect(provider.requests).toHaveLength(0);
	});
});

describe('settings that cannot work are caught before anything is sent, naming the setting', () => {
	const cases: Array<[string, INodeParameters, RegExp]> = [
		['no field chosen to encrypt', { encryption: 'local', encryptFields: [], publicKey: 'x' }, /Encrypt Fields is empty/],
		['an unknown field to encrypt', { encryption: 'local', encryptFields: ['idCard', 'passport'], publicKey: 'x' }, /Encrypt Fields holds an unknown field: passport/],
		['a key that is not a PEM', { encryption: 'local', publicKey: 'ssh-rsa AAAA' }, /public key is not a complete PEM block/],
		['pre-encrypted without key blob and IV', { encryption: 'preEncrypted', encryptList: ['idCard'] }, /"Already Encrypted" needs Key Blob, IV/],
		['an unknown pre-encrypted field', { encryption: 'preEncrypted', encryptList: ['idcard'], ciphertextBlob: 'b', iv: 'i' }, /Encrypted Fields holds an unknown field: idcard/],
	];

	describe.each([1, 2])('node version %i', (version) => {
		it.each(cases)('%s: the run fails at once and nothing is sent', async (_label, settings, message) => {
			const run = await verify(people, parametersFor(version, { ...FROM_ITEM, options: settings }), undefined, version);
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toMatch(message);
			expect(provider.requests).toHaveLength(0);
		});

		it.each(cases)('%s: with Continue On Fail every item says so, and nothing is sent', async (_label, settings, message) => {
			const run = await verify(people, parametersFor(version, { ...FROM_ITEM, options: settings }), 'continueRegularOutput', version);
			expect(run.json().map((item) => item.errorCode)).toEqual(people.map(() => 'invalid_settings'));
			for (const item of run.json()) expect(String(item.error)).toMatch(message);
			expect(provider.requests).toHaveLength(0);
		});
	});
});
