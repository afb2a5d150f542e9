/**
 * The ID card checks. On ID cards a mismatch is `-1`, and it is billed (docs/checks.md).
 */
import type { AnswerField, CheckDefinition, PhotoWarnings, ResultCode } from './definition';

/** ID card two elements and the OCR: the provider's guides give both this table. */
const ID_CARD_RESULTS: Readonly<Record<string, ResultCode>> = {
	'0': { status: 'match', billable: true, final: true, route: 'match', meaning: 'name and ID number match' },
	'-1': { status: 'mismatch', billable: true, final: true, route: 'mismatch', meaning: 'name and ID number do not match' },
	'-2': { status: 'id_card_invalid', billable: false, final: true, route: 'notVerified', meaning: 'invalid ID number (length, check character)' },
	'-3': { status: 'name_invalid', billable: false, final: true, route: 'notVerified', meaning: 'invalid name (length, format)' },
	'-4': { status: 'database_error', billable: false, final: false, route: 'notVerified', meaning: 'ID database service exception' },
	'-5': { status: 'no_record', billable: false, final: true, route: 'notVerified', meaning: 'no record of this ID number' },
	'-6': { status: 'system_upgrading', billable: false, final: false, route: 'notVerified', meaning: 'the authority’s system is being upgraded; try again later' },
	'-7': { status: 'daily_limit', billable: false, final: true, route: 'notVerified', meaning: 'daily attempt limit exceeded; try again tomorrow' },
};

/** One spec says these checks return "success" where the guides show `0`: both are read as `0`. */
const SUCCESS_IS_ZERO = { success: '0' };

/** What a photo of the card says: the person's data, the user's to keep, never kept in the saved execution. */
const cardText = (output: string, api: string): AnswerField => ({ output, api, type: 'text', personal: true });

export const ID_CARD_TWO_ELEMENTS: CheckDefinition = {
	id: 'idCard.twoElements',
	resource: 'idCard',
	operation: 'twoElements',
	name: 'Verify Name + ID Number + Validity',
	description: 'Whether a name and an ID card number belong together, on a card with this validity period',
	path: '/identity/idcard/check-2e',
	fields: [
		{ field: 'name', api: 'name', required: true },
		{ field: 'idCard', api: 'id_card', required: true },
		{ field: 'validityBegin', api: 'validity_begin', required: true },
		{ field: 'validityEnd', api: 'validity_end', required: true },
	],
	encryption: 'list',
	results: ID_CARD_RESULTS,
	aliases: SUCCESS_IS_ZERO,
	answerFields: [],
};

export const ID_CARD_OCR: CheckDefinition = {
	id: 'idCard.ocr',
	resource: 'idCard',
	operation: 'ocr',
	name: 'Read ID Card Photo (OCR) and Verify',
	description:
		'Reads the name, ID number, sex, ethnicity, birth date and address from a photo of the ID card’s portrait side and checks that name and number belong together; or checks a name and ID number without a photo',
	path: '/identity/idcard/ocr',
	fields: [
		{ field: 'imageUrl', api: 'image_url', required: false, description: 'Public http(s) URL of a photo of the ID card’s portrait side' },
		{ field: 'name', api: 'name', required: false, description: 'Without a photo: the person’s name as on the ID card' },
		{ field: 'idCard', api: 'id_card', required: false, description: 'Without a photo: the 18-character ID number' },
	],
	anyOf: [['imageUrl'], ['name', 'idCard']],
	encryption: 'list',
	results: ID_CARD_RESULTS,
	aliases: SUCCESS_IS_ZERO,
	answerFields: [
		cardText('ocrName', 'name'),
		cardText('ocrIdCard', 'id_card'),
		cardText('ocrSex', 'sex'),
		cardText('ocrNation', 'nation'),
		cardText('ocrBirth', 'birth'),
		cardText('ocrAddress', 'address'),
	],
};

/** The photo warnings the engine reports (its Warnings codes, `|`-separated). */
const PHOTO_WARNINGS: Readonly<Record<string, string>> = {
	'-9101': 'border_incomplete',
	'-9102': 'photocopy',
	'-9103': 'screen_reshoot',
	'-9104': 'temporary_id_card',
	'-9105': 'occluded',
	'-9106': 'edited',
	'-8001': 'blurred',
};

/** The similarity from which the provider's guide judges the photo to show the same person. */
export const DEFAULT_MIN_SIMILARITY = 70;

/** The provider's `config`, in its guide's names: only the warnings asked for (none: no `config` at all). */
function photoConfig(warnings: PhotoWarnings): Record<string, unknown> {
	const config: Record<string, unknown> = {};
	if (warnings.copyWarn) config.copy_warn = true;
	if (warnings.borderCheckWarn) config.border_check_warn = true;
	if (warnings.reshootWarn) config.reshoot_warn = true;
	if (warnings.detectPsWarn) config.detect_ps_warn = true;
	if (warnings.tempIdWarn) config.temp_id_warn = true;
	if (warnings.quality) config.quality = warnings.quality;
	return Object.keys(config).length ? { config } : {};
}

export const ID_CARD_PORTRAIT: CheckDefinition = {
	id: 'idCard.portrait',
	resource: 'idCard',
	operation: 'portrait',
	name: 'Verify ID Card Portrait Photo',
	description:
		'Whether the portrait on an ID card photo is the person the authority has on record for the card’s name and number (a similarity from 0 to 100), with the card’s text and the cropped portrait',
	path: '/identity/idcard/check-1e',
	fields: [{ field: 'imageUrl', api: 'image_url', required: true, description: 'Public http(s) URL of a photo of the ID card’s portrait side' }],
	encryption: 'none',
	settings: ['minSimilarity', 'photoWarnings'],
	body: ({ photoWarnings }) => photoConfig(photoWarnings),
	results: {
		// The verdict is the similarity's: `refine`. Billing is not documented: a comparison made is counted billed.
		Success: { status: 'match', billable: true, final: true, route: 'match', meaning: 'compared: similarity says whether it is the same person' },
		'FailedOperation.OcrWarningOccurred': {
			status: 'photo_warning',
			billable: false,
			final: true,
			route: 'notVerified',
			meaning: 'a photo warning you asked for occurred (warnings says which); nothing was compared',
		},
	},
	aliases: { success: 'Success', '0': 'Success', 'failedoperation.ocrwarningoccurred': 'FailedOperation.OcrWarningOccurred' },
	answerFields: [
		cardText('ocrName', 'name'),
		cardText('ocrIdCard', 'id_num'),
		cardText('ocrSex', 'sex'),
		cardText('ocrNation', 'nation'),
		cardText('ocrBirth', 'birth'),
		cardText('ocrAddress', 'address'),
		{ output: 'similarity', api: 'sim', type: 'number' },
		{ output: 'warnings', api: 'warnings', type: 'list', names: PHOTO_WARNINGS },
		{ output: 'quality', api: 'quality', type: 'number' },
	],
	binary: { api: 'portrait', output: 'portrait', fileName: 'portrait.jpg', mimeType: 'image/jpeg' },
	refine: {
		code: 'Success',
		statuses: ['match', 'mismatch', 'no_similarity'],
		verdict: ({ fields }, { minSimilarity }) => {
			const similarity = fields.similarity;
			if (typeof similarity !== 'number') return { status: 'no_similarity', route: 'notVerified' };
			return similarity >= minSimilarity ? { status: 'match', route: 'match' } : { status: 'mismatch', route: 'mismatch' };
		},
	},
};
