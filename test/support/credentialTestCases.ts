/**
 * What the credential test must tell apart, shared by the engine test and the end-to-end test: tokens the
 * gateway lets through, tokens it refuses and wrong Base URLs, each failure with the start of its message.
 */
import type { TokenState } from './mockProvider';

export interface TokenCase {
	case: string;
	token: string;
	/** The mock's state for the token; none: a token the mock does not know. */
	state?: TokenState;
}

export interface FailingToken extends TokenCase {
	message: RegExp;
}

/**
 * Tokens the gateway lets through: the empty-body probe is refused with a 400, whatever its code (the provider's
 * guide lists `token_mismatched` and `api_not_implemented` as "bad request, missing or invalid parameters").
 */
export const PASSING_TOKENS: readonly TokenCase[] = [
	{ case: 'a working token (400 bad_request)', token: 'cred-working-2f8a51', state: 'ok' },
	{ case: 'a token answered 400 token_mismatched', token: 'cred-400-mismatched-91b2', state: 'not_enabled' },
	{ case: 'a token answered 400 api_not_implemented', token: 'cred-400-not-implemented-7e04', state: 'api_not_implemented' },
];

/** Any 401 says the token is wrong, whatever its code. */
const WRONG_TOKEN = /^The API token is (not valid|wrong)\b/;

export const FAILING_TOKENS: readonly FailingToken[] = [
	{ case: 'an unknown token (401 invalid_token)', token: 'cred-unknown-7d0c3d', message: WRONG_TOKEN },
	{ case: 'a token answered 401 token_mismatched', token: 'cred-401-mismatched-3e5f', state: 'not_enabled_401', message: WRONG_TOKEN },
	{ case: 'an expired token', token: 'cred-expired-4c7d0e', state: 'expired', message: /^The API token has expired\. Renew the token/ },
	{ case: 'a token out of balance', token: 'cred-used-up-5e8f1a', state: 'used_up', message: /^The balance for this API is used up\. Buy more quota/ },
	{ case: 'a disabled token', token: 'cred-disabled-6a9b2c', state: 'disabled', message: /^The API token or the account is disabled\. Check the token/ },
	{ case: 'a blank token', token: '   ', message: /^No API token reached the provider\. Set the API Token/ },
];

/** The mock provider's token table for PASSING_TOKENS and FAILING_TOKENS. */
export const CREDENTIAL_TOKEN_STATES: Record<string, TokenState> = Object.fromEntries(
	[...PASSING_TOKENS, ...FAILING_TOKENS].flatMap(({ token, state }) => (state ? [[token, state]] : [])),
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
