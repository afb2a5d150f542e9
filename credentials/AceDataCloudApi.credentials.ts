import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	Icon,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export const DEFAULT_BASE_URL = 'https://api.acedata.cloud';

/**
 * An Ace Data Cloud API token. It is tested by the Verify node (`testedBy`), not here: a declarative
 * test counts every 400 as a failure and so cannot tell "token fine, empty body" from "token not
 * enabled for this API".
 */
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
			description: 'Change only to go through a proxy or to point at a test server',
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
}
