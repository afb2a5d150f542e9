/**
 * What a check is, as data: where it is sent, which fields it takes, what its result codes mean and cost, and
 * which fields its answer adds. The node knows checks only through these entries, so an eleventh check is one
 * more entry (and its tests). Pure: no n8n imports.
 */
import type { FieldName } from '../fields';

export type Resource = 'phone' | 'idCard' | 'bankCard';

/** Where an item goes when routing is on: the outputs Match, Mismatch, Not Verified. */
export type Route = 'match' | 'mismatch' | 'notVerified';

/** One field of a check's request. */
export interface CheckField {
	/** The node's parameter (a public name) and the field's local rules: see fields.ts. */
	field: FieldName;
	/** The provider's name for it in this check's body (phone check-1e says `mobile`, check-3e `phone`). */
	api: string;
	required: boolean;
	/** The panel's words for it in this check, when they differ from the field's own. */
	description?: string;
}

/** What one result code means: its status, whether the provider bills it, and whether asking again could change it. */
export interface ResultCode {
	status: string;
	billable: boolean;
	/** Asking again would get the same answer: it is kept for the rest of the execution and not bought twice. */
	final: boolean;
	route: Route;
	/** What the code says, for people (the docs, the agent's tool description). */
	meaning: string;
}

/** A field of the answer, as the output item shows it. */
export interface AnswerField {
	/** The key in the output item (camelCase): part of the node's public contract. */
	output: string;
	/** The provider's key in the answer. */
	api: string;
	/**
	 * - `text`: a string; an empty one is `null`.
	 * - `number`: a number, whether the provider sends `1` or `"1"`.
	 * - `list`: the provider's `|`-separated codes as a list of names (`names`), unknown codes kept as they came.
	 */
	type: 'text' | 'number' | 'list';
	/** Readable names of the values: the item also gets `readable.output` (or, for a list, the names themselves). */
	names?: Readonly<Record<string, string>>;
	/** A second key holding the readable name of the value (`accountType` 1 → `accountTypeName` "debit"). */
	readableAs?: string;
	/** Personal data (what an ID card photo says): never kept in what n8n saves with the execution. */
	personal?: boolean;
}

/** A verdict that a code leaves to another answer field (the mobile's state, the photo's similarity). */
export interface Verdict {
	status: string;
	route: Route;
}

/** The answer as a check's `refine` reads it. */
export interface AnswerView {
	fields: Readonly<Record<string, unknown>>;
}

/** How much phone three elements says about a mismatch: `default` lets the provider choose (its short check). */
export type VerifyMode = 'default' | 'short' | 'long';

/** The portrait check's photo warnings (the provider's `config`): each one on stops the comparison when it occurs. */
export interface PhotoWarnings {
	copyWarn?: boolean;
	borderCheckWarn?: boolean;
	reshootWarn?: boolean;
	detectPsWarn?: boolean;
	tempIdWarn?: boolean;
	/** A blur threshold, 1–100; 0 or absent: no blur warning. */
	quality?: number;
}

/** The panel's settings a check may read beside its fields (per item: expressions are allowed). */
export interface CheckSettings {
	verifyMode: VerifyMode;
	/** The portrait check: the similarity from which the photo shows the same person. */
	minSimilarity: number;
	photoWarnings: PhotoWarnings;
}

export type CheckSettingName = keyof CheckSettings;

export interface CheckDefinition {
	/** `resource.operation`: part of the answer memory's key, and how docs and tests name the check. */
	id: string;
	resource: Resource;
	/** The operation's value in the panel: a public name. */
	operation: string;
	/** The operation's name in the panel. */
	name: string;
	/** What it answers, in one sentence: the panel, the agent's tool description. */
	description: string;
	path: string;
	fields: readonly CheckField[];
	/**
	 * At least one of these groups must be complete (the OCR: a photo, or a name and an ID number); without it,
	 * every required field must be set.
	 */
	anyOf?: ReadonlyArray<readonly FieldName[]>;
	/**
	 * - `flat`: `encrypt_list`, `ciphertext_blob`, `iv` beside the fields (phone check-3e, as the seed has it).
	 * - `list`: an `encryption` list of one object, with `algorithm` (the other checks' specs).
	 * - `none`: the check takes no encryption (the portrait check).
	 */
	encryption: 'flat' | 'list' | 'none';
	results: Readonly<Record<string, ResultCode>>;
	/** Other spellings of a code the provider's sources show (`success` for `0`), lower case. */
	aliases?: Readonly<Record<string, string>>;
	answerFields: readonly AnswerField[];
	/** A binary file in the answer (the portrait check's photo): its key in the answer and the item's binary. */
	binary?: { api: string; output: string; fileName: string; mimeType: string };
	/** The settings of the panel this check shows and reads (besides its fields, encryption and options). */
	settings?: readonly CheckSettingName[];
	/** What those settings add to the request body; an answer is bought once per distinct body. */
	body?: (settings: CheckSettings) => Record<string, unknown>;
	/** A code whose verdict another answer field gives (the mobile's state, the photo's similarity). */
	refine?: {
		code: string;
		/** Every status `verdict` can give: for the docs and the agent's tool description. */
		statuses: readonly string[];
		verdict: (answer: AnswerView, settings: CheckSettings) => Verdict;
	};
}
