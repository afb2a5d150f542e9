/**
 * Turns input items into requests: reads each item's parameters, validates and normalises locally, and decides
 * which request the item waits for (items with the same triple share one when duplicates are skipped).
 *
 * Reading parameters is n8n's expression work and costs up to a few milliseconds per item, so planning runs in
 * slices and gives the event loop a turn between them: requests already sent are answered, new ones start, and
 * n8n stays responsive during a long plan.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { Identity, IdentityField } from './identity';
import { IDENTITY_FIELDS, InvalidIdentityError, maskRawIdentity, prepareIdentity } from './identity';
import type { OutputContext } from './output';
import type { RequestBody } from './requestBody';
import { buildRequestBody } from './requestBody';
import type { ItemSettings } from './settings';
import { ItemSettingsReader } from './settings';

/** One request to send. */
export interface PlannedRequest {
	body: RequestBody;
	timeout: number;
	firstItem: number;
}

/** What became of one input item before any request: a request to wait for, or an error. */
export type PlannedItem =
	| { kind: 'request'; request: number; cached: boolean; settings: ItemSettings; output: OutputContext }
	| { kind: 'error'; error: NodeOperationError; code: string; output: OutputContext };

/** How long planning keeps the event loop before giving it a turn. */
const SLICE_MS = 4;

export class Planner {
	/** One entry per input item, in input order. */
	readonly items: PlannedItem[] = [];
	/** The distinct requests, in the order they were found; `PlannedItem.request` indexes this. */
	readonly requests: PlannedRequest[] = [];

	private readonly settingsReader: ItemSettingsReader;
	private readonly requestByKey = new Map<string, number>();

	/**
	 * @param continueOnFail false: an invalid item throws (and fails the run); true: it becomes an error item.
	 */
	constructor(
		private readonly context: IExecuteFunctions,
		private readonly inputItems: INodeExecutionData[],
		private readonly skipDuplicates: boolean,
		private readonly continueOnFail: boolean,
	) {
		this.settingsReader = new ItemSettingsReader(context);
	}

	/** Plans every item in input order, yielding each new request as soon as it is known. */
	async *plan(): AsyncGenerator<PlannedRequest> {
		let sliceEnd = Date.now() + SLICE_MS;
		for (let itemIndex = 0; itemIndex < this.inputItems.length; itemIndex++) {
			const known = this.requests.length;
			this.planItem(itemIndex);
			if (this.requests.length > known) yield this.requests[known];
			if (Date.now() >= sliceEnd) {
				await sleep(0);
				sliceEnd = Date.now() + SLICE_MS;
			}
		}
	}

	/** Plans every item before returning the requests. */
	async planAll(): Promise<PlannedRequest[]> {
		const planning = this.plan();
		while (!(await planning.next()).done);
		return this.requests;
	}

	private planItem(itemIndex: number) {
		const raw = {} as Record<IdentityField, unknown>;
		for (const field of IDENTITY_FIELDS) raw[field] = this.context.getNodeParameter(field, itemIndex, '');
		let encrypted = new Set<IdentityField>();
		let keptFields: IDataObject | undefined;
		try {
			const settings = this.settingsReader.read(itemIndex);
			if (settings.encryption.mode === 'preEncrypted') encrypted = new Set(settings.encryption.fields);
			keptFields = settings.keepInputFields ? this.inputItems[itemIndex].json : undefined;
			const identity = prepareIdentity(raw, { validate: settings.validateInput, preEncrypted: encrypted });
			const maskedInput = maskRawIdentity(raw, encrypted);
			const output = { input: settings.maskInput ? maskedInput : identity, maskedInput, keptFields };

			const key = this.skipDuplicates ? requestKey(identity, settings) : String(itemIndex);
			let request = this.requestByKey.get(key);
			const cached = request !== undefined;
			if (request === undefined) {
				request = this.requests.length;
				this.requestByKey.set(key, request);
				this.requests.push({
					body: buildRequestBody(identity, settings.verifyMode, settings.encryption),
					timeout: settings.timeout,
					firstItem: itemIndex,
				});
			}
			this.items.push({ kind: 'request', request, cached, settings, output });
		} catch (error) {
			const failure = this.asOperationError(error, itemIndex);
			if (!this.continueOnFail) throw failure.error;
			const maskedInput = maskRawIdentity(raw, encrypted);
			const output = { input: maskedInput, maskedInput, keptFields };
			this.items.push({ kind: 'error', error: failure.error, code: failure.code, output });
		}
	}

	private asOperationError(error: unknown, itemIndex: number): { error: NodeOperationError; code: string } {
		if (error instanceof InvalidIdentityError) {
			return {
				error: new NodeOperationError(this.context.getNode(), error.message, {
					itemIndex,
					description: 'Nothing was sent for this item. Fix the value upstream, or turn off "Validate Input".',
				}),
				code: error.code,
			};
		}
		if (error instanceof NodeOperationError) return { error, code: 'invalid_settings' };
		throw error;
	}
}

/** Everything that changes the provider's answer; equal keys are sent once. */
function requestKey(identity: Identity, settings: ItemSettings): string {
	const { encryption } = settings;
	const sealed = encryption.mode === 'preEncrypted' ? [encryption.ciphertextBlob, encryption.iv] : [];
	return JSON.stringify([identity.name, identity.phone, identity.idCard, settings.verifyMode, ...sealed]);
}
