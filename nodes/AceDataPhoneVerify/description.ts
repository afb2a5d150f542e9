/** The node's parameters: names here are a public contract (saved workflows refer to them). */
import type { INodeProperties } from 'n8n-workflow';

export const OUTPUT_NAMES = ['Match', 'Mismatch', 'Not Verified'] as const;

/** The three fields, for the options that pick some of them (which to encrypt, which are encrypted). */
const IDENTITY_FIELD_CHOICES = [
	{ name: 'Name', value: 'name' },
	{ name: 'Mobile Number', value: 'phone' },
	{ name: 'ID Card Number', value: 'idCard' },
];

/** One output, or the three routed ones when "Route by Result" is on. */
export const OUTPUTS_EXPRESSION: `={{${string}}}` = `={{ $parameter.routeByResult ? ${JSON.stringify(
	OUTPUT_NAMES.map((displayName) => ({ type: 'main', displayName })),
)} : ["main"] }}`;

export const properties: INodeProperties[] = [
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
	{
		displayName: 'Verification Mode',
		name: 'verifyMode',
		type: 'options',
		default: 'default',
		options: [
			{ name: 'Provider Default', value: 'default', description: 'Let the provider choose (the short check)' },
			{ name: 'Short', value: 'short', description: 'Consistent or not' },
			{ name: 'Long', value: 'long', description: 'On a mismatch, also says which element does not match' },
		],
	},
	{
		displayName: 'Route by Result',
		name: 'routeByResult',
		type: 'boolean',
		default: false,
		// An AI agent reads only the first output: as a tool the node keeps a single one.
		displayOptions: { hide: { '@tool': [true] } },
		description:
			'Whether to send items to three outputs (Match, Mismatch, Not Verified) instead of one',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 5,
				description: 'How many requests may be in flight at once',
			},
			{
				displayName: 'Encrypt Fields',
				name: 'encryptFields',
				type: 'multiOptions',
				displayOptions: { show: { encryption: ['local'] } },
				options: IDENTITY_FIELD_CHOICES,
				default: ['name', 'phone', 'idCard'],
				description: 'Which fields to encrypt before sending',
			},
			{
				displayName: 'Encrypted Fields',
				name: 'encryptList',
				type: 'multiOptions',
				displayOptions: { show: { encryption: ['preEncrypted'] } },
				options: IDENTITY_FIELD_CHOICES,
				default: [],
				description: 'Which of the three fields already hold ciphertext',
			},
			{
				displayName: 'Encryption',
				name: 'encryption',
				type: 'options',
				default: 'none',
				options: [
					{ name: 'None', value: 'none', description: 'Send the fields as plain text over HTTPS' },
					{
						name: 'Encrypt Before Sending',
						value: 'local',
						description: 'Encrypt the fields with AES-256-CBC and wrap the key with the provider’s RSA public key',
					},
					{
						name: 'Already Encrypted',
						value: 'preEncrypted',
						description: 'The fields are already encrypted: send them with their key blob and IV as given',
					},
				],
				description: 'Whether the personal data is sent encrypted, so that no plain text crosses the wire',
			},
			{
				displayName: 'Include Raw Response',
				name: 'includeRawResponse',
				type: 'boolean',
				default: false,
				description: 'Whether to add the provider’s JSON answer as `raw`',
			},
			{
				displayName: 'IV',
				name: 'iv',
				type: 'string',
				displayOptions: { show: { encryption: ['preEncrypted'] } },
				default: '',
				description: 'Base64 of the 16-byte AES initial vector used for the encrypted fields',
			},
			{
				displayName: 'Keep Input Fields',
				name: 'keepInputFields',
				type: 'boolean',
				default: false,
				description:
					'Whether to keep the input item’s fields in the output (the verification fields win on a name clash)',
			},
			{
				displayName: 'Key Blob',
				name: 'ciphertextBlob',
				type: 'string',
				typeOptions: { password: true },
				displayOptions: { show: { encryption: ['preEncrypted'] } },
				default: '',
				description: 'Base64 of the AES data key wrapped with the provider’s RSA public key (ciphertext_blob)',
			},
			{
				displayName: 'Mask Input in Output',
				name: 'maskInput',
				type: 'boolean',
				default: true,
				description: 'Whether the `input` echo in the output is masked (e.g. 138****5678)',
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
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 3,
				description:
					'Retries after a rate limit, a server error or a connection failure; an answered verification is never sent twice',
			},
			{
				displayName: 'Public Key',
				name: 'publicKey',
				type: 'string',
				typeOptions: { rows: 4 },
				displayOptions: { show: { encryption: ['local'] } },
				default: '',
				placeholder: '-----BEGIN PUBLIC KEY-----',
				description: 'The provider’s RSA public key (PEM) that wraps the data key',
			},
			{
				displayName: 'Skip Duplicates',
				name: 'skipDuplicates',
				type: 'boolean',
				default: true,
				description:
					'Whether identical name, number and ID in one run are sent once; the copies get the same result with `cached: true`',
			},
			{
				displayName: 'Timeout (Ms)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1000 },
				default: 30000,
				description: 'How long to wait for each answer. A timed-out request is not retried, as it may have been billed.',
			},
			{
				displayName: 'Validate Input',
				name: 'validateInput',
				type: 'boolean',
				default: true,
				description:
					'Whether to check name, mobile number and ID number locally and never call the API (or pay) for an invalid item',
			},
		],
	},
];
