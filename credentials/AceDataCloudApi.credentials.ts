import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { API_ERRORS } from '../nodes/AceDataPhoneVerify/apiErrors';

export const DEFAULT_BASE_URL = 'https://api.acedata.cloud';
export const VERIFY_PATH = '/identity/phone/check-3e';

const PLATFORM = 'https://platform.acedata.cloud';
const TOKEN_REFUSED = `The API token was refused (HTTP 401): it is wrong or has expired. Copy the token again from the Ace Data Cloud platform (${PLATFORM}) into the credential.`;
const ACCOUNT_REFUSED = `The provider refused this account (HTTP 403): its balance is used up, or the token or the account is disabled. Check the balance and the token on the Ace Data Cloud platform (${PLATFORM}).`;
const NOT_CHECKED_NOW = 'The provider could not check the token just now (rate limit or a server error). Test again in a moment.';

/** Answers that say the token cannot verify, by the provider's error code (n8n 1.x reads every status as an answer). */
const REFUSING_CODES = ['invalid_token', 'token_expired', 'no_token', 'used_up', 'disabled', 'forbidden', 'no_api'];
/** Codes that say nothing about the token: the provider could not check it this time. */
const BUSY_CODES = ['too_many_requests', 'api_error', 'timeout'];
/** Statuses that fail the request on n8n 2.x, so that its rules can read the status itself. */
const FAILING_STATUSES = [401, 403, 429, 500, 502, 503, 504];

/**
 * The probe's body is empty, which the provider refuses after checking the token: any 400 (`bad_request`, and
 * `token_mismatched` or `api_not_implemented`, which the provider's guide words the same) means the token got
 * past authentication. Any 401 means a wrong token, whatever its code; 403 is the account; 429 and 5xx say nothing.
 *
 * n8n 2.x fails the request on the statuses in FAILING_STATUSES and reads the status rules; n8n 1.x reads every
 * answer's body, where the rules go by the error code (there, a 401 with a 400's code reads as accepted: its
 * status cannot be seen). A body rule fails the test with its message when `key` in the body equals `value`.
 */
function credentialTestRules(): Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> {
	const status = (value: number, message: string): IAuthenticateRuleResponseCode => ({
		type: 'responseCode',
		properties: { value, message },
	});
	const body = (key: string, value: unknown, message: string): IAuthenticateRuleResponseSuccessBody => ({
		type: 'responseSuccessBody',
		properties: { key, value, message },
	});
	return [
		status(401, TOKEN_REFUSED),
		status(403, ACCOUNT_REFUSED),
		...FAILING_STATUSES.filter((code) => code >= 429).map((code) => status(code, NOT_CHECKED_NOW)),
		...REFUSING_CODES.map((code) => body('error.code', code, `${API_ERRORS[code].message}. ${API_ERRORS[code].description}`)),
		...BUSY_CODES.map((code) => body('error.code', code, NOT_CHECKED_NOW)),
		body('error', undefined, `No Ace Data Cloud API answered at this Base URL. Check the Base URL (default ${DEFAULT_BASE_URL}).`),
	];
}

/** An Ace Data Cloud API token, for the Mobile Number Three Elements Verification API. */
export class AceDataCloudApi implements ICredentialType {
	name = 'aceDataCloudApi';

	displayName = 'Ace Data Cloud API';

	icon: Icon = { light: 'file:aceDataCloud.svg', dark: 'file:aceDataCloud.dark.svg' };

	documentationUrl = 'https://platform.acedata.cloud/documents/identity-phone-check-3e';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Your API token from the Ace Data Cloud platform (one token calls every service there)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			description:
				'Change only to go through a proxy or to point at a test server. If the connection test says the connection was refused or timed out, or the host was not found (ECONNREFUSED, ETIMEDOUT, ENOTFOUND), nothing answers at this address.',
		},
	];

	/**
	 * A function rather than a generic `{{$credentials.apiToken}}` template: n8n evaluates a template as an
	 * expression on every request, which was most of the per-item cost of large runs.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, authorization: `Bearer ${String(credentials.apiToken).trim()}` },
		};
	}

	/**
	 * Costs nothing: the body is empty, so the provider refuses the request after checking the token, and how it
	 * refuses tells a working token from one that is wrong, expired or whose account cannot pay (see the rules).
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL: `={{ String($credentials.baseUrl || "${DEFAULT_BASE_URL}").trim().replace(/\\/+$/, "") }}`,
			url: VERIFY_PATH,
			headers: { accept: 'application/json', 'content-type': 'application/json' },
			body: '{}',
			ignoreHttpStatusErrors: { ignore: true, except: FAILING_STATUSES },
		},
		// n8n's type wants rules of one kind; its credential tester reads each rule by its own type.
		rules: credentialTestRules() as ICredentialTestRequest['rules'],
	};
}
