/**
 * The node's parameters. Names are a public contract (saved workflows refer to them); display names, order and
 * display conditions are for people. Version 3 offers every check (a Resource and an Operation, each check with its
 * own fields: checkProperties.ts). Versions 1 and 2 verify phone three elements, as workflows saved with them
 * expect: version 2 puts the encryption settings beside the fields, shown when they apply; version 1 keeps them in
 * Options, where workflows saved with it have them.
 */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { checkProperties, encryptionSettings, VERIFY_MODE } from './checkProperties';
import { PHONE_THREE_ELEMENTS } from './checks';
import { defaultEncryptFields } from './fields';
import { LEGACY_TOOL_DESCRIPTION } from './toolDescription';

export const OUTPUT_NAMES = ['Match', 'Mismatch', 'Not Verified'] as const;

/** One output, or the three routed ones when "Route by Result" is on. */
export const OUTPUTS_EXPRESSION: `={{${string}}}` = `={{ $parameter.routeByResult ? ${JSON.stringify(
	OUTPUT_NAMES.map((displayName) => ({ type: 'main', displayName })),
)} : ["main"] }}`;

const VERSION_1: IDisplayOptions['show'] = { '@version': [1] };
const VERSION_2: IDisplayOptions['show'] = { '@version': [2] };
const VERSIONS_1_AND_2: IDisplayOptions['show'] = { '@version': [1, 2] };

/** Versions 1 and 2 encrypt phone three elements' fields; version 1 in Options, version 2 beside the fields. */
const legacyEncryption = (show: IDisplayOptions['show'], topLevel: boolean) => {
	const fields = PHONE_THREE_ELEMENTS.fields.map(({ field }) => field);
	return encryptionSettings(show, topLevel, fields, defaultEncryptFields(PHONE_THREE_ELEMENTS));
};

/**
 * Options in the order people look for them — what it may cost, how items are checked, what the output holds,
 * how fast requests go — not the alphabet. Version 1's encryption settings come last, shown in that version only.
 */
const OPTIONS: INodeProperties[] = [
	{
		displayName: 'Max Billed Calls',
		name: 'maxBilledCalls',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Never more billed calls than this for this node in one execution: all its runs count (a loop, Retry On Fail, an AI agent’s calls); each Verify node has its own cap. A request starts only while billed calls plus requests in flight stay under the cap; items left unsent get status budget_reached. 0 means no cap.',
	},
	{
		displayName: 'Dry Run (Send Nothing)',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description:
			'Whether to read, check and de-duplicate every item as a real run would, and send nothing: items get status dry_run, and wouldSend is true for each one a real run would send (and could bill)',
	},
	{
		displayName: 'Validate Input',
		name: 'validateInput',
		type: 'boolean',
		default: true,
		description:
			'Whether to check the fields locally (ID number check character, mobile and card formats, dates, URLs) and never call the API (or pay) for an invalid item',
	},
	{
		displayName: 'Skip Duplicates',
		name: 'skipDuplicates',
		type: 'boolean',
		default: true,
		description:
			'Whether identical requests are sent once per execution: copies in the run, and answers bought earlier in it (Retry On Fail, loops, agents), get the same result with cached true and are not billed again',
	},
	{
		displayName: 'Keep Input Fields',
		name: 'keepInputFields',
		type: 'boolean',
		default: false,
		description:
			'Whether to keep the input item’s fields in the output, unmasked (the verification fields win on a name clash)',
	},
	{
		displayName: 'Mask Input in Output',
		name: 'maskInput',
		type: 'boolean',
		default: true,
		description: 'Whether the input echo in the output is masked (e.g. 138****5678)',
	},
	{
		displayName: 'Include Raw Response',
		name: 'includeRawResponse',
		type: 'boolean',
		default: false,
		description: 'Whether to add the provider’s JSON answer as raw',
	},
	{
		displayName: 'Max Requests per Second',
		name: 'maxRequestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 20,
		description:
			'Pace of new requests (the provider allows about 20 per second); 0 means unlimited. A rate-limit answer lowers the pace, which climbs back once they stop.',
	},
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 100 },
		default: 0,
		description:
			'How many requests may be in flight at once. 0 means automatic: enough to keep the pace with answers as slow as 4 seconds (80 at 20 per second), or 10 when the pace is unlimited.',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10 },
		default: 3,
		description:
			'Retries after a server error or a failed connection (a rate limit costs none while other requests get through); an answered verification is never sent twice',
	},
	{
		displayName: 'Retry When a Reply Is Lost',
		name: 'retryLostReplies',
		type: 'boolean',
		default: true,
		description:
			'Whether to send a request again when its connection broke or timed out after it was sent. The provider may have answered and billed it, so this can bill twice (attempts shows it); off, the item ends with error code reply_lost.',
	},
	{
		displayName: 'Timeout',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1000 },
		default: 30000,
		description: 'How long to wait for each answer, in milliseconds',
	},
	...legacyEncryption(VERSION_1, false),
];

/** Versions 1 and 2: the three fields of phone three elements, and its verification mode. */
const PHONE_THREE_ELEMENTS_FIELDS: INodeProperties[] = (
	[
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 张三',
			description: 'The person’s name as on the ID card',
		},
		{
			displayName: 'Mobile Number',
			name: 'phone',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 13800138000',
			description: 'Mainland China mobile number; spaces, dashes and a leading +86 are removed',
		},
		{
			displayName: 'ID Card Number',
			name: 'idCard',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 11010519491231002X',
			description: '18-character mainland resident ID number',
		},
		VERIFY_MODE,
	] as INodeProperties[]
).map((property) => ({ ...property, displayOptions: { show: VERSIONS_1_AND_2 } }));

const version3 = checkProperties();

export const properties: INodeProperties[] = [
	...version3.beforeFields,
	...PHONE_THREE_ELEMENTS_FIELDS,
	...version3.fields,
	{
		displayName: 'Route by Result',
		name: 'routeByResult',
		type: 'boolean',
		default: false,
		// An AI agent reads only the first output: as a tool the node keeps a single one.
		displayOptions: { hide: { '@tool': [true] } },
		description: 'Whether to send items to three outputs (Match, Mismatch, Not Verified) instead of one',
	},
	...legacyEncryption(VERSION_2, true),
	...version3.encryption,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: OPTIONS,
	},
];

/**
 * The AI tool variant's parameters: the node's, after the description the agent reads. Version 3 has one per check
 * among the node's own; versions 1 and 2 keep the one n8n gave them, with its words.
 */
export const toolProperties: INodeProperties[] = [
	{
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 2 },
		default: LEGACY_TOOL_DESCRIPTION,
		required: true,
		description:
			'Explain to the LLM what this tool does, a good, specific description would allow LLMs to produce expected results much more often',
		displayOptions: { show: VERSIONS_1_AND_2 },
	},
	...properties,
];
