/**
 * What the credential test must tell apart, shared by the engine test and the end-to-end test: tokens the
 * mock provider refuses, and wrong Base URLs, each with the start of the message the test gives.
 *
 * n8n 2.x reads the status of a refusal (401: the token; 403: the account); n8n 1.x only its body, so there the
 * message is the one for the provider's error code (`message1x`), and a 401 that carries a 400's code cannot be
 * told from a 400 (`accepted1x`).
 */
import type { TokenState } from './mockProvider';

export interface FailingToken {
	case: string;
	token: string;
	/** The mock's state for the token; none: a token the mock does not know. */
	state?: TokenState;
	message: RegExp;
	message1x: RegExp;
	/** n8n 1.x passes the test: the answer's body is that of an accepted token. */
	accepted1x?: true;
}

const TOKEN_REFUSED = /^The API token was refused \(HTTP 401\): it is wrong or has expired\. Copy the token again/;
const ACCOUNT_REFUSED = /^The provider refused this account \(HTTP 403\): its balance is used up, or the token or the account is disabled/;

export const FAILING_TOKENS: readonly FailingToken[] = [
	{ case: 'an unknown token', token: 'cred-unknown-7d0c3d', message: TOKEN_REFUSED, message1x: /^The API token is not valid\. Copy the token again/ },
	{ case: 'an expired token', token: 'cred-expired-4c7d0e', state: 'expired', message: TOKEN_REFUSED, message1x: /^The API token has expired\. Renew the token/ },
	{ case: 'a token refused with a 400 code (401 token_mismatched)', token: 'cred-mismatched-401-3e5f', state: 'not_enabled_401', message: TOKEN_REFUSED, message1x: /^$/, accepted1x: true },
	{ case: 'a token out of balance', token: 'cred-used-up-5e8f1a', state: 'used_up', message: ACCOUNT_REFUSED, message1x: /^The balance for this API is used up\. Buy more quota/ },
	{ case: 'a disabled token', token: 'cred-disabled-6a9b2c', state: 'disabled', message: ACCOUNT_REFUSED, message1x: /^The API token or the account is disabled\. Check the token/ },
	{ case: 'a blank token', token: '   ', message: /^No API token reached the provider\. Set the API Token/, message1x: /^No API token reached the provider\. Set the API Token/ },
];

/** Tokens whose probe gets a 400 for the empty body after authentication: the test passes. */
export const ACCEPTED_TOKENS: ReadonlyArray<{ case: string; token: string; state: TokenState }> = [
	{ case: 'a working token (400 bad_request)', token: 'cred-ok-1a2b3c', state: 'ok' },
	{ case: 'a token answered 400 token_mismatched', token: 'cred-mismatched-91b2', state: 'not_enabled' },
	{ case: 'a token answered 400 api_not_implemented', token: 'cred-not-implemented-7f3a', state: 'not_implemented' },
];

/** The mock provider's token table for FAILING_TOKENS and ACCEPTED_TOKENS. */
export const CREDENTIAL_TOKEN_STATES: Record<string, TokenState> = Object.fromEntries(
	[...FAILING_TOKENS, ...ACCEPTED_TOKENS].flatMap(({ token, state }) => (state ? [[token, state]] : [])),
);

export interface WrongBaseUrl {
	case: string;
	/** From the mock provider's URL and that of a server that is not the provider (startOtherServer). */
	baseUrl: (urls: { provider: string; other: string }) => string;
	message: RegExp;
}

export const WRONG_BASE_URLS: readonly WrongBaseUrl[] = [
	{
		case: 'leads elsewhere at the provider',
		baseUrl: ({ provider }) => `${provider}/v9`,
		message: /^The provider does not know this API\. Check the Base URL/,
	},
	{
		case: 'leads to a server that is not the provider',
		baseUrl: ({ other }) => other,
		message: /^No Ace Data Cloud API answered at this Base URL\. Check the Base URL/,
	},
];
