/**
 * Turns input items into requests for the node's check: reads each item's fields and settings, validates and
 * normalises locally, and decides which request the item waits for (items asking the same share one when duplicates
 * are skipped), or which answer bought earlier in the execution it reuses.
 *
 * Whatever goes wrong for one item while it is read (an expression that throws, a setting that cannot work, an
 * invalid value) is that item's error: with Continue On Fail it becomes the item's error item and the others go
 * on; without, planning stops there, before the run sends anything.
 *
 * Planning runs in slices and gives the event loop a turn between them: requests already sent are answered, new
 * ones start, and n8n stays responsive during a long plan.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { AnswerMemory, RememberedAnswer } from './answerMemory';
import type { CheckDefinition } from './checks';
import type { FieldName, FieldValues, RawValues } from './fields';
import { InvalidIdentityError, maskRawFields, prepareFields } from './fields';
import type { ItemParameters } from './itemParameters';
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
	/** The item's plaintext values, to mask wherever the provider repeats them; undefined when masking is off. */
	personalData: FieldValues | undefined;
	/** Where its answer is kept for the rest of the execution; undefined when duplicates are not skipped. */
	memoryKey: string | undefined;
}

/**
 * What became of one input item before any request: a request to wait for, an answer bought earlier in the
 * execution (`cached`: another item of this run has it too), or an error.
 */
export type PlannedItem =
	| { kind: 'request'; request: number; cached: boolean; settings: ItemSettings; output: OutputContext }
	| { kind: 'remembered'; remembered: RememberedAnswer; cached: boolean; settings: ItemSettings; output: OutputContext }
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
	/** Requests answered earlier in the execution that an item of this run already took. */
	private readonly recalled = new Set<string>();

	/**
	 * @param memory the answers bought earlier in the execution; undefined: every item is sent (duplicates are not
	 *   skipped).
	 * @param continueOnFail false: an item that fails to plan throws (and fails the run); true: it becomes an
	 *   error item.
	 */
	constructor(
		private readonly context: IExecuteFunctions,
		private readonly check: CheckDefinition,
		private readonly parameters: ItemParameters,
		private readonly inputItems: INodeExecutionData[],
		private readonly memory: AnswerMemory | undefined,
		private readonly continueOnFail: boolean,
	) {
		this.settingsReader = new ItemSettingsReader(context, parameters, check);
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
		// Whatever could be read stays, for the masked echo of an error item.
		const raw: RawValues = {};
		let encrypted = new Set<FieldName>();
		let keptFields: IDataObject | undefined;
		try {
			for (const { field } of this.check.fields) raw[field] = this.parameters.get(field, itemIndex, '');
			const settings = this.settingsReader.read(itemIndex);
			if (settings.encryption.mode === 'preEncrypted') encrypted = new Set(settings.encryption.fields);
			keptFields = settings.keepInputFields ? this.inputItems[itemIndex].json : undefined;
			const values = prepareFields(this.check, raw, { validate: settings.validateInput, preEncrypted: encrypted });
			const maskedInput = maskRawFields(this.check, raw, encrypted);
			const output = { input: settings.maskInput ? maskedInput : this.echo(values), maskedInput, keptFields };

			const key = this.memory ? requestKey(this.check, values, settings) : String(itemIndex);
			let request = this.requestByKey.get(key);
			const cached = request !== undefined;
			if (request === undefined) {
				const memoryKey = this.memory?.keyOf(key);
				const remembered = memoryKey === undefined ? undefined : this.memory?.recall(memoryKey);
				if (remembered) {
					// The first item of this run to take it shows it as the execution bought it; the others are copies.
					const copy = this.recalled.has(key);
					this.recalled.add(key);
					this.items.push({ kind: 'remembered', remembered, cached: copy, settings, output });
					return;
				}
				request = this.requests.length;
				this.requests.push({
					body: buildRequestBody(this.check, values, settings.check, settings.encryption),
					timeout: settings.timeout,
					firstItem: itemIndex,
					personalData: settings.maskInput ? plainValues(values, encrypted) : undefined,
					memoryKey,
				});
				this.requestByKey.set(key, request);
			}
			this.items.push({ kind: 'request', request, cached, settings, output });
		} catch (caught) {
			const { error, code } = this.asItemError(caught, itemIndex);
			if (!this.continueOnFail) throw error;
			const maskedInput = maskRawFields(this.check, raw, encrypted);
			this.items.push({ kind: 'error', error, code, output: { input: maskedInput, maskedInput, keptFields } });
		}
	}

	/** The values as sent, one key per field of the check (an optional field left empty is ''). */
	private echo(values: FieldValues): FieldValues {
		return Object.fromEntries(this.check.fields.map(({ field }) => [field, values[field] ?? '']));
	}

	/** Any failure to plan an item, as an n8n error that names the item, and a machine-readable code. */
	private asItemError(error: unknown, itemIndex: number): { error: NodeOperationError; code: string } {
		const node = this.context.getNode();
		if (error instanceof InvalidIdentityError) {
			// Counted from 1, as the editor counts items.
			const description = this.continueOnFail
				? `Item ${itemIndex + 1} was not sent. Fix the value upstream.`
				: `Nothing was sent: the node checks every item before it sends any. Fix the value of item ${itemIndex + 1} upstream, or set the node's Settings → On Error to "Continue" to verify the other items and get this one as an error item.`;
			return { error: new NodeOperationError(node, error.message, { itemIndex, description }), code: error.code };
		}
		if (error instanceof NodeOperationError) return { error, code: 'invalid_settings' };
		// An expression error keeps n8n's own message and description (which node, which item).
		const code = (error as Error | undefined)?.name === 'ExpressionError' ? 'expression_error' : 'item_error';
		return { error: new NodeOperationError(node, error as Error, { itemIndex }), code };
	}
}

/**
 * Everything that changes the provider's answer: the values, and what the check's settings add to the body (the
 * verification mode, the photo warnings); values encrypted upstream count with their key blob and IV. Equal keys
 * are sent once.
 */
function requestKey(check: CheckDefinition, values: FieldValues, settings: ItemSettings): string {
	const { encryption } = settings;
	const sealed = encryption.mode === 'preEncrypted' ? [encryption.ciphertextBlob, encryption.iv] : [];
	return JSON.stringify([check.fields.map(({ field }) => values[field] ?? null), check.body?.(settings.check) ?? {}, ...sealed]);
}

/** The values that are plaintext (fields encrypted upstream are not personal data to n8n). */
function plainValues(values: FieldValues, encrypted: ReadonlySet<FieldName>): FieldValues {
	return Object.fromEntries(Object.entries(values).filter(([field]) => !encrypted.has(field as FieldName)));
}
