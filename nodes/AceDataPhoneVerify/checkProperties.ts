/**
 * The panel of version 3, generated from the check table: a Resource, an Operation per resource, and for the
 * chosen check only its own fields, settings, encryption and (as an AI tool) description. Names are public: saved
 * workflows refer to them (docs/checks.md lists them).
 */
import type { IDisplayOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { CheckDefinition, CheckSettingName } from './checks';
import { CHECKS, DEFAULT_MIN_SIMILARITY, RESOURCES } from './checks';
import type { FieldName } from './fields';
import { defaultEncryptFields, FIELD_LABELS } from './fields';
import { toolDescription } from './toolDescription';

export const FROM_VERSION_3: IDisplayOptions['show'] = { '@version': [{ _cnd: { gte: 3 } }] };

/** Shown for these checks (all of one resource) in version 3. */
function forChecks(checks: readonly CheckDefinition[], more: IDisplayOptions['show'] = {}): IDisplayOptions {
	return {
		show: { ...FROM_VERSION_3, resource: [checks[0].resource], operation: checks.map((check) => check.operation), ...more },
	};
}

/**
 * Things (checks, or a check's fields) grouped by resource and by what a property built for them looks like, in the
 * order they first come; the checks of each group, to show the property for.
 */
function groupedByResource<I extends CheckDefinition | { check: CheckDefinition }, T>(
	things: readonly I[],
	look: (thing: I) => T | undefined,
): Array<{ value: T; checks: CheckDefinition[] }> {
	const groups: Array<{ value: T; checks: CheckDefinition[]; key: string }> = [];
	for (const thing of things) {
		const value = look(thing);
		if (value === undefined) continue;
		const check = 'check' in thing ? thing.check : (thing as CheckDefinition);
		const key = `${check.resource}|${JSON.stringify(value)}`;
		const group = groups.find((g) => g.key === key);
		if (!group) groups.push({ value, checks: [check], key });
		else if (!group.checks.includes(check)) group.checks.push(check);
	}
	return groups;
}

/** A field's placeholder, and its description where the check gives none of its own. */
const FIELD_PANEL: Readonly<Record<FieldName, { placeholder: string; description: string }>> = {
	name: { placeholder: 'e.g. 张三', description: 'The person’s name as on the ID card' },
	phone: { placeholder: 'e.g. 13800138000', description: 'Mainland China mobile number; spaces, dashes and a leading +86 are removed' },
	idCard: { placeholder: 'e.g. 11010519491231002X', description: '18-character mainland resident ID number' },
	bankCard: { placeholder: 'e.g. 6222021234567890128', description: 'The bank card number, 12–19 digits; spaces and dashes are removed' },
	validityBegin: { placeholder: 'e.g. 20200101', description: 'The first day the ID card is valid, as printed on it: YYYYMMDD (2020-01-01 and 2020.01.01 are fine)' },
	validityEnd: {
		placeholder: 'e.g. 20300101',
		description: 'The last day the ID card is valid, as printed on it: YYYYMMDD, or 00000000 (or 长期) for a long-term card',
	},
	imageUrl: { placeholder: 'e.g. https://example.com/id-card.jpg', description: 'Public http(s) URL of the photo' },
};

function resourceProperty(): INodeProperties {
	return {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: FROM_VERSION_3 },
		options: RESOURCES.map(({ value, name, description }) => ({ name, value, description })),
		default: 'phone',
	};
}

const OPERATION: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [],
	default: '',
};

function operationProperties(): INodeProperties[] {
	return RESOURCES.map(({ value: resource }) => ({
		...OPERATION,
		displayOptions: { show: { ...FROM_VERSION_3, resource: [resource] } },
		options: CHECKS.filter((check) => check.resource === resource).map(
			(check): INodePropertyOptions => ({ name: check.name, value: check.operation, description: check.description, action: check.name }),
		),
		// A new node of the resource starts with its first check.
		default: CHECKS.find((check) => check.resource === resource)!.operation,
	}));
}

/**
 * Each field, once per resource and way of describing it, shown for the checks that take it. The panel lists them
 * in the order the resource's checks, then each check's fields, come in.
 */
function fieldProperties(): INodeProperties[] {
	const groups = groupedByResource(
		CHECKS.flatMap((check) => check.fields.map((own) => ({ check, own }))),
		({ own }) => ({ field: own.field, required: own.required, description: own.description ?? FIELD_PANEL[own.field].description }),
	);
	return groups.map(({ value: { field, required, description }, checks }) => ({
		displayName: FIELD_LABELS[field],
		name: field,
		type: 'string' as const,
		default: '',
		...(required ? { required: true } : {}),
		placeholder: FIELD_PANEL[field].placeholder,
		description,
		displayOptions: forChecks(checks),
	}));
}

export const VERIFY_MODE: INodeProperties = {
	displayName: 'Verification Mode',
	name: 'verifyMode',
	type: 'options',
	default: 'default',
	options: [
		{ name: 'Provider Default (Short Check)', value: 'default', description: 'Sends no mode and lets the provider choose; it runs the short check' },
		{ name: 'Short: Match or Mismatch', value: 'short', description: 'Says whether the three belong together' },
		{ name: 'Detailed: Also Which Element Differs', value: 'long', description: 'On a mismatch, Result Detail also says which element does not match' },
	],
	description: 'How much the answer says about a mismatch',
};

/** The settings a check reads besides its fields, for the checks that list them. */
const SETTING_PROPERTIES: Readonly<Record<CheckSettingName, Omit<INodeProperties, 'displayOptions'>>> = {
	verifyMode: VERIFY_MODE,
	minSimilarity: {
		displayName: 'Minimum Similarity',
		name: 'minSimilarity',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 100 },
		default: DEFAULT_MIN_SIMILARITY,
		description:
			'From this similarity (0–100) the photo counts as the same person: Match, else Mismatch. The provider advises 70 (about 1 false match in 1,000); 80 is about 1 in 10,000.',
	},
	photoWarnings: {
		displayName: 'Photo Warnings',
		name: 'photoWarnings',
		type: 'collection',
		placeholder: 'Add warning',
		default: {},
		description: 'Checks of the photo itself: when one you add finds a problem, nothing is compared and the item goes to Not Verified',
		options: [
			{ displayName: 'Blur Threshold', name: 'quality', type: 'number', typeOptions: { minValue: 0, maxValue: 100 }, default: 50, description: 'Warn when the photo’s quality score (0–100) is below this' },
			{ displayName: 'Edited Photo', name: 'detectPsWarn', type: 'boolean', default: true, description: 'Whether to warn when the photo shows signs of editing' },
			{ displayName: 'Incomplete or Covered Border', name: 'borderCheckWarn', type: 'boolean', default: true, description: 'Whether to warn when the card’s border is cut off or something covers the card' },
			{ displayName: 'Photo of a Screen', name: 'reshootWarn', type: 'boolean', default: true, description: 'Whether to warn when the photo was taken of a screen' },
			{ displayName: 'Photocopy', name: 'copyWarn', type: 'boolean', default: true, description: 'Whether to warn when the photo is of a photocopy' },
			{ displayName: 'Temporary ID Card', name: 'tempIdWarn', type: 'boolean', default: true, description: 'Whether to warn when the card is a temporary ID card' },
		],
	},
};

function settingProperties(): INodeProperties[] {
	return (Object.keys(SETTING_PROPERTIES) as CheckSettingName[]).flatMap((setting) =>
		groupedByResource(CHECKS, (check) => (check.settings?.includes(setting) ? true : undefined)).map(({ checks }) => ({
			...SETTING_PROPERTIES[setting],
			displayOptions: forChecks(checks),
		})),
	);
}

/** Encryption for every check that takes it: the same settings as version 2, with each check's own fields to pick. */
function encryptionProperties(): INodeProperties[] {
	const encrypting = CHECKS.filter((check) => check.encryption !== 'none');
	return groupedByResource(encrypting, (check) => check.fields.map(({ field }) => field)).flatMap(({ value: fields, checks }) =>
		encryptionSettings(forChecks(checks).show, true, fields, defaultEncryptFields(checks[0])),
	);
}

/**
 * The encryption settings for `fields`, shown under `show`. Top level (versions 2 and 3) or inside Options, where
 * version 1 has them and the mode is a sibling.
 */
export function encryptionSettings(
	show: IDisplayOptions['show'],
	topLevel: boolean,
	fields: readonly FieldName[],
	encryptedByDefault: readonly FieldName[],
): INodeProperties[] {
	const when = (mode: string): IDisplayOptions => ({ show: { ...show, encryption: [mode] } });
	// The editor marks a missing required value at once; inside a collection n8n has no required fields.
	const required = topLevel ? { required: true } : {};
	const options = fields.map((field) => ({ name: FIELD_LABELS[field], value: field }));
	return [
		{ ...ENCRYPTION_MODE, displayOptions: { show } },
		{ ...PUBLIC_KEY, displayOptions: when('local'), ...required },
		{
			displayName: 'Encrypt Fields',
			name: 'encryptFields',
			type: 'multiOptions',
			displayOptions: when('local'),
			options,
			default: [...encryptedByDefault],
			description: 'Which fields to encrypt before sending',
		},
		{
			displayName: 'Encrypted Fields',
			name: 'encryptList',
			type: 'multiOptions',
			displayOptions: when('preEncrypted'),
			options,
			default: [],
			description: 'Which fields already hold ciphertext (local checks skip them)',
		},
		{ ...KEY_BLOB, displayOptions: when('preEncrypted') },
		{ ...IV, displayOptions: when('preEncrypted') },
	];
}

const ENCRYPTION_MODE: INodeProperties = {
	displayName: 'Encryption',
	name: 'encryption',
	type: 'options',
	default: 'none',
	options: [
		{ name: 'None', value: 'none', description: 'Send the fields as plain text over HTTPS' },
		{
			name: 'Encrypt Before Sending',
			value: 'local',
			description: 'Encrypt the chosen fields in n8n with AES-256-CBC and wrap the key with the provider’s RSA public key',
		},
		{
			name: 'Already Encrypted',
			value: 'preEncrypted',
			description: 'The fields arrive encrypted from upstream: send them with their key blob and IV as given',
		},
	],
	description: 'Whether the personal data is sent encrypted, so that no plain text crosses the wire',
};

const PUBLIC_KEY: INodeProperties = {
	displayName: 'Public Key',
	name: 'publicKey',
	type: 'string',
	typeOptions: { rows: 4 },
	default: '',
	placeholder: '-----BEGIN PUBLIC KEY-----',
	description: 'The provider’s RSA public key (PEM, at least 2048 bits) that wraps the data key; pasted on one line is fine',
};

const KEY_BLOB: INodeProperties = {
	displayName: 'Key Blob',
	name: 'ciphertextBlob',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	description: 'Base64 of the AES data key wrapped with the provider’s RSA public key (ciphertext_blob)',
};

const IV: INodeProperties = {
	displayName: 'IV',
	name: 'iv',
	type: 'string',
	default: '',
	description: 'Base64 of the 16-byte AES initial vector used for the encrypted fields',
};

/** As an AI agent's tool, the description the agent reads: what the chosen check needs and what it answers. */
function toolDescriptionProperties(): INodeProperties[] {
	return CHECKS.map((check) => ({
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 4 },
		default: toolDescription(check),
		description: 'What the AI agent reads about this tool: what it needs and what it answers',
		displayOptions: { show: { ...FROM_VERSION_3, '@tool': [true], resource: [check.resource], operation: [check.operation] } },
	}));
}

/** Version 3's own properties before the shared ones (Route by Result, Options): the tool's description first. */
export function checkProperties(): { beforeFields: INodeProperties[]; fields: INodeProperties[]; encryption: INodeProperties[] } {
	return {
		beforeFields: [...toolDescriptionProperties(), resourceProperty(), ...operationProperties()],
		fields: [...fieldProperties(), ...settingProperties()],
		encryption: encryptionProperties(),
	};
}
