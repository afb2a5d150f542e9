/**
 * Tests an API token without a billed call: an empty request body is refused by the provider, and
 * *how* it is refused tells the three cases apart (bad token, token not enabled for this API, works).
 */
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { verifyUrl } from './transport';

export async function aceDataCloudApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const token = String(data.apiToken ?? '').trim();
	if (!token) return { status: 'Error', message: 'Enter the API token' };

	let response: { statusCode: number; body: unknown };
	try {
		// The credential-test context offers only the legacy request helper; it is used here alone.
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		response = await this.helpers.request({
			method: 'POST',
			uri: verifyUrl(data),
			headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
			body: {},
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: 15000,
		});
	} catch (error) {
		const reason = (error as { code?: string }).code ?? 'no answer';
		return { status: 'Error', message: `Could not reach ${verifyUrl(data)} (${reason}): check the Base URL` };
	}

	const body = (response.body ?? {}) as IDataObject;
	const error = body.error as IDataObject | string | undefined;
	const code = typeof error === 'string' ? error : String(error?.code ?? '');
	if (response.statusCode === 401 || ['invalid_token', 'token_expired', 'no_token'].includes(code)) {
		return { status: 'Error', message: 'The API token is not valid or has expired' };
	}
	if (code === 'token_mismatched') {
		return {
			status: 'Error',
			message: 'The token works but is not enabled for the Phone Three-Element API: apply for that service on the platform',
		};
	}
	if (code === 'used_up' || code === 'disabled' || code === 'forbidden') {
		return { status: 'Error', message: `The token is accepted but cannot verify now (${code})` };
	}
	if (response.statusCode === 404 || code === 'api_not_implemented' || code === 'no_api') {
		return { status: 'Error', message: `${verifyUrl(data)} does not serve this API: check the Base URL` };
	}
	// The token passed; only the deliberately empty body was refused.
	if (response.statusCode === 400 || response.statusCode === 200) {
		return { status: 'OK', message: 'Connection tested successfully' };
	}
	return { status: 'Error', message: `Unexpected answer from the provider (HTTP ${response.statusCode})` };
}
