/**
 * The cheap way of reading parameters must give exactly what n8n's expression engine gives: a probe node inside
 * n8n's engine reads each parameter both ways, for items with missing fields, numbers, nested paths, bracket keys
 * and values with spaces.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ItemParameters, jsonPath } from '../../nodes/AceDataPhoneVerify/itemParameters';
import { runVerify } from '../support/engine';

const PARAMETERS: Record<string, string> = {
	plain: '={{ $json.name }}',
	tight: '={{$json.name}}',
	missing: '={{ $json.missing }}',
	nested: '={{ $json.person.name }}',
	deepMissing: '={{ $json.person.missing.deeper }}',
	doubleQuoted: '={{ $json["id card"] }}',
	singleQuoted: "={{ $json['id card'] }}",
	mixed: '={{ $json.person["full name"] }}',
	index: '={{ $json.list[1] }}',
	number: '={{ $json.phone }}',
	nullValue: '={{ $json.none }}',
	object: '={{ $json.person }}',
	spaces: '={{ $json.spaced }}',
	length: '={{ $json.spaced.length }}',
	// Not plain references: n8n evaluates them.
	textAround: '=Mr {{ $json.name }}',
	trailingSpace: '={{ $json.name }} ',
	method: '={{ $json.name.toUpperCase() }}',
	input: '={{ $input.item.json.name }}',
	fixed: '张三',
};

const ITEMS: IDataObject[] = [
	{
		name: '张三',
		'id card': '11010519491231002X',
		person: { name: '李四', 'full name': '李 四' },
		list: ['a', 'b'],
		phone: 13800138000,
		none: null,
		spaced: '  王 五  ',
	},
	{ name: 'John Smith', person: null, list: [], phone: '138 0013 8000' },
	{},
];

/** Outputs, per item, each parameter read both ways. */
const probe: INodeType = {
	description: {
		displayName: 'Probe',
		name: 'probe',
		group: ['transform'],
		version: 1,
		description: 'Reads parameters both ways',
		defaults: {},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: Object.keys(PARAMETERS).map((name) => ({ displayName: name, name, type: 'string', default: '' })),
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const parameters = new ItemParameters(this, items);
		return [
			items.map((_, itemIndex) => {
				const json: IDataObject = {};
				for (const name of Object.keys(PARAMETERS)) {
					json[name] = {
						n8n: wrap(() => this.getNodeParameter(name, itemIndex, '')),
						cheap: wrap(() => parameters.get(name, itemIndex, '')),
					} as IDataObject;
				}
				return { json };
			}),
		];
	},
};

/** undefined does not survive run data: name it. */
function wrap(read: () => unknown) {
	const value = read();
	return value === undefined ? '<undefined>' : value;
}

describe('reading parameters without the expression engine', () => {
	it('gives what n8n gives, for every kind of reference and item', async () => {
		const run = await runVerify({ parameters: PARAMETERS, items: ITEMS, credentials: {}, nodeType: probe });
		expect(run.error).toBeUndefined();
		const output = run.json();
		expect(output).toHaveLength(ITEMS.length);
		for (const item of output) {
			for (const name of Object.keys(PARAMETERS)) {
				const { n8n, cheap } = item[name] as IDataObject;
				expect({ name, value: cheap }).toEqual({ name, value: n8n });
			}
		}
		// The cases say something: n8n gave real values, and undefined for the missing ones.
		expect((output[0].doubleQuoted as IDataObject).n8n).toBe('11010519491231002X');
		expect((output[0].spaces as IDataObject).n8n).toBe('  王 五  ');
		expect((output[1].nested as IDataObject).n8n).toBe('<undefined>');
	});

	it('recognises only plain references to the item’s own JSON', () => {
		expect(jsonPath(PARAMETERS.mixed)).toEqual(['person', 'full name']);
		expect(jsonPath(PARAMETERS.index)).toEqual(['list', '1']);
		for (const name of ['textAround', 'trailingSpace', 'method', 'input', 'fixed']) expect(jsonPath(PARAMETERS[name])).toBeUndefined();
		expect(jsonPath('={{ $json.constructor }}')).toBeUndefined();
		expect(jsonPath('={{ $json["a\\"b"] }}')).toBeUndefined();
	});

	it('leaves an expression error to n8n, which names the item', async () => {
		const throwing: INodeType = {
			...probe,
			async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
				const parameters = new ItemParameters(this, this.getInputData());
				for (let itemIndex = 0; itemIndex < 2; itemIndex++) parameters.get('plain', itemIndex, '');
				return [[]];
			},
		};
		const run = await runVerify({
			parameters: { plain: "={{ $json.person ? $json.person.name : $('Lookup').item.json.name }}" },
			items: ITEMS,
			credentials: {},
			nodeType: throwing,
		});
		expect(run.error?.message).toMatch(/Referenced node doesn't exist/);
		expect((run.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
	});
});
