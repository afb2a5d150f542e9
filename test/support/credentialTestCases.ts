/**
 * What the credential test must tell apart, shared by the engine test and the end-to-end test: tokens the
 * mock provider refuses, and wrong Base URLs, each with the start of the message the test gives.
 */
import type { TokenState } from './mockProvider';

export interface FailingToken {
	case: string;
	token: string;
	/** The mock's state for the token; none: a token the mock does not know. */
	state?: TokenState;
	message: RegExp;
}

const NOT_ENABLED = /^The API token is not enabled for the Mobile Number Three Elements Verification API\. Apply for/;

export const FAILING_TOKENS: readonly FailingToken[] = [
	{ case: 'an unknown token', token: 'cred-unknown-7d0c3d', message: /^The API token is not valid\. Copy the token again/ },
	{ case: 'an expired token', token: 'cred-expired-4c7d0e', state: 'expired', message: /^The API token has expired\. Renew the token/ },
	{ case: 'a token not enabled for this API (HTTP 400)', token: 'cred-not-enabled-91b2', state: 'not_enabled', message: NOT_ENABLED },
	{ case: 'a token not enabled for this API (HTTP 401)', token: 'cred-not-enabled-401-3e5f', state: 'not_enabled_401', message: NOT_ENABLED },
	{ case: 'a token out of balance', token: 'cred-used-up-5e8f1a', state: 'used_up', message: /^The balance for this API is used up\. Buy more quota/ },
	{ case: 'a disabled token', token: 'cred-disabled-6a9b2c', state: 'disabled', message: /^The API token or the account is disabled\. Check the token/ },
	{ case: 'a blank token', token: '   ', message: /^No API token reached the provider\. Set the API Token/ },
];

/** The mock provider's token table for FAILING_TOKENS. */
export const FAILING_TOKEN_STATES: Record<string, TokenState> = Object.fromEntries(
	FAILING_TOKENS.flatMap(({ token, state }) => (state ? [[token, state]] : [])),
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
