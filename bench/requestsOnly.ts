/**
 * The floor of scenario 1: a node that only sends, `options.concurrency` at a time, each item's triple through n8n's
 * request helper with the same credential, as the Verify node does. It reads no parameter (no expressions),
 * checks nothing, paces nothing and retries nothing, so no node making these calls through n8n can be faster
 * in the same engine: whatever it takes above the ideal is n8n's and the machine's.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { VERIFY_PATH } from '../test/support/mockProvider';

export class RequestsOnly implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Requests only',
		name: 'requestsOnly',
		group: ['transform'],
		version: 1,
		description: 'Sends each item to the provider mock, nothing else',
		defaults: { name: 'Requests only' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'aceDataCloudApi', required: true }],
		properties: [
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				default: {},
				options: [{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 5 }],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		// Read as saved, not through getNodeParameter: this node evaluates no expression at all.
		const { concurrency } = this.getNode().parameters.options as { concurrency: number };
		const { baseUrl } = await this.getCredentials('aceDataCloudApi');
		const output = new Array<INodeExecutionData>(items.length);
		let next = 0;
		const worker = async () => {
			for (let index = next++; index < items.length; index = next++) {
				const { name, phone, idCard } = items[index].json;
				const answer = (await this.helpers.httpRequestWithAuthentication.call(this, 'aceDataCloudApi', {
					method: 'POST',
					url: `${String(baseUrl)}${VERIFY_PATH}`,
					body: { name, phone, id_card: idCard },
					json: true,
				})) as IDataObject;
				output[index] = { json: answer, pairedItem: { item: index } };
			}
		};
		await Promise.all(Array.from({ length: concurrency }, worker));
		return [output];
	}
}
