/**
 * The bank card checks. On bank cards most refusals are billed: a lost, expired or restricted card is an answer
 * the provider charges for (docs/checks.md).
 */
import type { CheckDefinition, CheckField, ResultCode } from './definition';

const billedRefusal = (status: string, meaning: string): ResultCode => ({ status, billable: true, final: true, route: 'mismatch', meaning });

/** Bank card two, three and four elements: the provider's guides give the three this table. */
const CARD_HOLDER_RESULTS: Readonly<Record<string, ResultCode>> = {
	'0': { status: 'match', billable: true, final: true, route: 'match', meaning: 'the card and its holder’s details belong together' },
	'-1': billedRefusal('mismatch', 'they do not belong together'),
	'-4': billedRefusal('holder_info_wrong', 'cardholder information is incorrect'),
	'-5': billedRefusal('no_card_not_present_payment', 'card-not-present payment is not enabled on the card'),
	'-6': billedRefusal('card_confiscated', 'the card has been confiscated'),
	'-7': billedRefusal('card_number_invalid', 'invalid card number'),
	'-8': billedRefusal('no_issuing_bank', 'no issuing bank for this card'),
	'-9': billedRefusal('card_dormant', 'the card is uninitialised or dormant'),
	'-10': billedRefusal('card_fraudulent', 'fraudulent card, or a card the machine kept'),
	'-11': billedRefusal('card_reported_lost', 'the card has been reported lost'),
	'-12': billedRefusal('card_expired', 'the card has expired'),
	'-13': billedRefusal('card_restricted', 'restricted card'),
	'-14': billedRefusal('password_attempts_exceeded', 'too many wrong password attempts'),
	'-15': billedRefusal('transaction_not_supported', 'the issuing bank does not support this check'),
	'-2': { status: 'name_invalid', billable: false, final: true, route: 'notVerified', meaning: 'name verification failed' },
	'-3': { status: 'card_number_wrong', billable: false, final: true, route: 'notVerified', meaning: 'the card number is wrong' },
	'-16': { status: 'service_busy', billable: false, final: false, route: 'notVerified', meaning: 'verification centre busy' },
	'-17': { status: 'daily_limit', billable: false, final: true, route: 'notVerified', meaning: 'daily attempt limit exceeded; try again tomorrow' },
};

const NAME: CheckField = { field: 'name', api: 'name', required: true, description: 'The cardholder’s name' };
const BANK_CARD: CheckField = { field: 'bankCard', api: 'bank_card', required: true };
const ID_CARD: CheckField = {
	field: 'idCard',
	api: 'id_card',
	required: true,
	description: 'The 18-character resident ID number the card was opened with',
};

export const BANK_CARD_LOOKUP: CheckDefinition = {
	id: 'bankCard.lookup',
	resource: 'bankCard',
	operation: 'lookup',
	name: 'Look Up Issuing Bank',
	description: 'Which bank issued a card, and what kind of card it is (debit, credit, prepaid, quasi-credit)',
	path: '/identity/bankcard/check-1e',
	fields: [BANK_CARD],
	encryption: 'list',
	results: {
		'0': { status: 'found', billable: true, final: true, route: 'match', meaning: 'found: accountBank and accountType say what' },
		'-1': { status: 'no_information', billable: true, final: true, route: 'notVerified', meaning: 'no information on this card' },
		'-2': { status: 'service_busy', billable: false, final: false, route: 'notVerified', meaning: 'verification centre busy' },
		'-3': { status: 'card_not_found', billable: false, final: true, route: 'mismatch', meaning: 'the card does not exist' },
	},
	answerFields: [
		{ output: 'accountBank', api: 'account_bank', type: 'text' },
		{
			output: 'accountType',
			api: 'account_type',
			type: 'number',
			names: { '1': 'debit', '2': 'credit', '3': 'prepaid', '4': 'quasi_credit' },
			readableAs: 'accountTypeName',
		},
	],
};

export const BANK_CARD_TWO_ELEMENTS: CheckDefinition = {
	id: 'bankCard.twoElements',
	resource: 'bankCard',
	operation: 'twoElements',
	name: 'Verify Name + Card',
	description: 'Whether a bank card belongs to this name',
	path: '/identity/bankcard/check-2e',
	fields: [NAME, BANK_CARD],
	encryption: 'list',
	results: CARD_HOLDER_RESULTS,
	answerFields: [],
};

export const BANK_CARD_THREE_ELEMENTS: CheckDefinition = {
	id: 'bankCard.threeElements',
	resource: 'bankCard',
	operation: 'threeElements',
	name: 'Verify Name + Card + ID Number',
	description: 'Whether a bank card belongs to this name and ID card number',
	path: '/identity/bankcard/check-3e',
	fields: [NAME, BANK_CARD, ID_CARD],
	encryption: 'list',
	results: CARD_HOLDER_RESULTS,
	answerFields: [],
};

export const BANK_CARD_FOUR_ELEMENTS: CheckDefinition = {
	id: 'bankCard.fourElements',
	resource: 'bankCard',
	operation: 'fourElements',
	name: 'Verify Name + Card + ID Number + Mobile',
	description: 'Whether a bank card belongs to this name and ID card number, with this mobile number reserved at the bank',
	path: '/identity/bankcard/check-4e',
	fields: [NAME, BANK_CARD, ID_CARD, { field: 'phone', api: 'phone', required: true, description: 'The mobile number reserved at the bank for this card' }],
	encryption: 'list',
	results: CARD_HOLDER_RESULTS,
	answerFields: [],
};
