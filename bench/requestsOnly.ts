/**
 * The floor of scenario 1: a node that only sends, `options.concurrency` at a time, each item's triple through
 * the Verify node's own transport (n8n's request helper, the credential decrypted once). It evaluates no
 * expression, checks nothing, paces nothing and retries nothing, so no node making these calls through n8n can
 * be faster in the same engine: whatever it takes above the ideal is n8n's and the machine's.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { PHONE_THREE_ELEMENTS } from '../nodes/AceDataPhoneVerify/checks';
import { CREDENTIAL_TYPE, requestCheck } from '../nodes/AceDataPhoneVerify/transport';

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
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const output = new Array<INodeExecutionData>(items.length);
		let next = 0;
		const worker = async () => {
			for (let index = next++; index < items.length; index = next++) {
				const { name, phone, idCard } = items[index].json;
				const body = { name, phone, id_card: idCard } as IDataObject;
				const answer = await requestCheck(this, credentials, PHONE_THREE_ELEMENTS.path, body, 30_000);
				output[index] = { json: { ...answer }, pairedItem: { item: index } };
			}
		};
		await Promise.all(Array.from({ length: concurrency }, worker));
		return [output];
	}
}
