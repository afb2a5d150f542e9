/**
 * What each provider error means and what the user should do about it. Pure data: the transport
 * picks an entry by the provider's error code, falling back to the HTTP status.
 */
export interface ApiErrorAdvice {
	message: string;
	description: string;
}

const PLATFORM = 'the Ace Data Cloud platform (https://platform.acedata.cloud)';

export const API_ERRORS: Readonly<Record<string, ApiErrorAdvice>> = {
	// The provider's guide gives both the words "Bad request, possibly due to missing or invalid parameters".
	token_mismatched: {
		message: 'The provider refused the request: a field or an encryption setting it does not accept, or the token',
		description: `Check the name, mobile number and ID card number, and the encryption settings if you use them (Public Key, Encrypt Fields). If they are right, check on ${PLATFORM} that the credential holds your account's current API token. Not billed.`,
	},
	api_not_implemented: {
		message: 'The provider refused the request: missing or invalid parameters, or this API is not available at this address',
		description: 'Check the fields and the encryption settings, and the Base URL of the credential (default https://api.acedata.cloud). Not billed.',
	},
	bad_request: {
		message: 'The provider rejected the request as invalid',
		description: 'Check the name, mobile number and ID card number, and the encryption settings if you use them.',
	},
	no_token: {
		message: 'No API token reached the provider',
		description: 'Set the API Token in the Ace Data Cloud API credential.',
	},
	invalid_token: {
		message: 'The API token is not valid',
		description: `Copy the token again from ${PLATFORM} into the credential.`,
	},
	token_expired: {
		message: 'The API token has expired',
		description: `Renew the token on ${PLATFORM} and update the credential.`,
	},
	used_up: {
		message: 'The balance for this API is used up',
		description: `Buy more quota on ${PLATFORM}. This call was not billed.`,
	},
	disabled: {
		message: 'The API token or the account is disabled',
		description: `Check the token's state on ${PLATFORM}, or contact Ace Data Cloud support.`,
	},
	forbidden: {
		message: 'The provider refused access with this token',
		description: `Check the token's state on ${PLATFORM}, or contact Ace Data Cloud support.`,
	},
	no_api: {
		message: 'The provider does not know this API',
		description: 'Check the Base URL of the credential (default https://api.acedata.cloud).',
	},
	too_many_requests: {
		message: 'The provider rate limit was exceeded',
		description:
			'Lower "Max Requests per Second" or "Concurrency" in the node options (the provider allows about 20 requests per second). Not billed.',
	},
	api_error: {
		message: 'The provider failed while answering',
		description: 'Try again later. Not billed.',
	},
	timeout: {
		message: 'The provider timed out upstream',
		description: 'Try again later. Not billed.',
	},
};

/** Codes some deployments send with another status than the table's; the status decides then. */
const BY_STATUS: Readonly<Record<number, string>> = {
	400: 'bad_request',
	401: 'invalid_token',
	403: 'forbidden',
	404: 'no_api',
	429: 'too_many_requests',
	500: 'api_error',
	502: 'api_error',
	503: 'api_error',
	504: 'timeout',
};

export function adviceFor(code: string, httpCode: number): ApiErrorAdvice {
	// Own keys only: the code comes from the provider, and "constructor" or "toString" must not hit Object.prototype.
	const known = (Object.hasOwn(API_ERRORS, code) ? API_ERRORS[code] : undefined) ?? API_ERRORS[BY_STATUS[httpCode]];
	if (known) return known;
	return {
		message: `The provider answered HTTP ${httpCode}`,
		description: 'Not billed. If this persists, contact Ace Data Cloud support with the trace ID.',
	};
}
