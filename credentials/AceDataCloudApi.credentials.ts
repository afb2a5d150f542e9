import type {
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

/**
 * Provider error codes that mean the token cannot verify now. The test sends an empty body, which the
 * provider refuses after checking the token: `bad_request` (missing fields) means the token works.
 */
const TOKEN_FAILURES = [
	'token_mismatched',
	'invalid_token',
	'token_expired',
	'no_token',
	'used_up',
	'disabled',
	'forbidden',
	'no_api',
	'api_not_implemented',
];
/** Codes that say nothing about the token: the provider could not check it this time. */
const NOT_CHECKED_NOW = ['too_many_requests', 'api_error', 'timeout'];

/**
 * n8n's credential test fails with the message of the first rule whose `key` in the response body
 * equals `value`. The error code decides, whatever HTTP status it comes with (`token_mismatched` comes
 * as 400 or 401); an answer without an `error` field is not the provider's.
 */
function credentialTestRules(): IAuthenticateRuleResponseSuccessBody[] {
	const rule = (key: string, value: unknown, message: string): IAuthenticateRuleResponseSuccessBody => ({
		type: 'responseSuccessBody',
		properties: { key, value, message },
	});
	return [
		...TOKEN_FAILURES.map((code) =>
			rule('error.code', code, `${API_ERRORS[code].message}. ${API_ERRORS[code].description}`),
		),
		...NOT_CHECKED_NOW.map((code) =>
			rule('error.code', code, `${API_ERRORS[code].message}, so the token could not be checked. Test again in a moment.`),
		),
		rule(
			'error',
			undefined,
			`No Ace Data Cloud API answered at this Base URL. Check the Base URL (default ${DEFAULT_BASE_URL}).`,
		),
	];
}

/** An Ace Data Cloud API token, for the Mobile Number Three Elements Verification API. */
export class AceDataCloudApi implements ICredentialType {
	name = 'aceDataCloudApi';

	displayName = 'Ace Data Cloud API';

	icon: Icon = { light: 'file:aceDataCloud.svg', dark: 'file:aceDataCloud.dark.svg' };

	documentationUrl = 'https://platform.acedata.cloud/documents/phone-check-3e';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The token of your Mobile Number Three Elements Verification service, from the Ace Data Cloud platform',
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
	 * Costs nothing: the body is empty, so the provider refuses the request after checking the token, and
	 * how it refuses tells a working token from one that is wrong, expired, not enabled for this API or out
	 * of balance. HTTP errors are read as answers (`ignoreHttpStatusErrors`), because the provider sends
	 * "works, but the body is empty" and "not enabled for this API" with the same status.
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL: `={{ String($credentials.baseUrl || "${DEFAULT_BASE_URL}").trim().replace(/\\/+$/, "") }}`,
			url: VERIFY_PATH,
			headers: { accept: 'application/json', 'content-type': 'application/json' },
			body: '{}',
			ignoreHttpStatusErrors: true,
		},
		rules: credentialTestRules(),
	};
}
