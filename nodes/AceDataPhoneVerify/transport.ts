/**
 * One verification request, and the translation of whatever comes back: a provider answer, or a
 * ProviderRequestError that says what happened, what to do, and whether trying again is safe.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { DEFAULT_BASE_URL, VERIFY_PATH } from '../../credentials/AceDataCloudApi.credentials';
import { adviceFor } from './apiErrors';
import type { RetryAdvice } from './scheduler';

export const CREDENTIAL_TYPE = 'aceDataCloudApi';

export interface ProviderAnswer {
	result: string;
	description: string;
	isp: string;
	resultDetail: string | null;
	traceId: string | null;
	raw: IDataObject;
}

type FailureKind = 'http' | 'bad_response' | 'connection' | 'timeout';

export class ProviderRequestError extends Error {
	constructor(
		message: string,
		readonly kind: FailureKind,
		readonly code: string,
		readonly httpCode: number | null,
		readonly description: string,
		readonly details: JsonObject = {},
		readonly retryAfterMs?: number,
	) {
		super(message);
		this.name = 'ProviderRequestError';
	}
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Failures where no answer came back, so nothing can have been billed. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

export function verifyUrl(credentials: ICredentialDataDecryptedObject): string {
	return `${String(credentials.baseUrl || DEFAULT_BASE_URL).trim().replace(/\/+$/, '')}${VERIFY_PATH}`;
}

export async function requestVerification(
	context: IExecuteFunctions,
	credentials: ICredentialDataDecryptedObject,
	body: IDataObject,
	timeoutMs: number,
): Promise<ProviderAnswer> {
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: verifyUrl(credentials),
		headers: { accept: 'application/json', 'content-type': 'application/json' },
		body,
		json: true,
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	let response: { statusCode: number; headers: IDataObject; body: unknown };
	try {
		response = await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, options, {
			// Decrypting the credential once per run, not once per request, is most of the per-item cost.
			credentialsDecrypted: { id: '', name: CREDENTIAL_TYPE, type: CREDENTIAL_TYPE, data: credentials },
		});
	} catch (error) {
		throw networkFailure(error, timeoutMs);
	}
	return parseResponse(response.statusCode, response.headers, response.body);
}

export function parseResponse(statusCode: number, headers: IDataObject, body: unknown): ProviderAnswer {
	const json = asObject(body);
	if (statusCode < 200 || statusCode >= 300) throw httpFailure(statusCode, headers, json, body);
	if (!json) {
		throw new ProviderRequestError(
			`The provider answered HTTP ${statusCode} with a body that is not JSON`,
			'bad_response',
			'invalid_response',
			statusCode,
			'The call may have been billed, so it is not retried. Check the Base URL of the credential (a proxy or captive portal can answer like this).',
			{ body: preview(body) },
		);
	}
	if (json.result === undefined || json.result === null) {
		throw new ProviderRequestError(
			'The provider answered without a verification result',
			'bad_response',
			'missing_result',
			statusCode,
			'The call may have been billed, so it is not retried. Contact Ace Data Cloud support with the trace ID if this persists.',
			{ body: json as JsonObject },
		);
	}
	return {
		result: String(json.result),
		description: String(json.description ?? ''),
		isp: String(json.isp ?? ''),
		resultDetail: json.result_detail === undefined || json.result_detail === null ? null : String(json.result_detail),
		traceId: json.trace_id ? String(json.trace_id) : null,
		raw: json,
	};
}

function httpFailure(statusCode: number, headers: IDataObject, json: IDataObject | undefined, body: unknown) {
	const error = json?.error;
	const code = String((typeof error === 'object' && error !== null ? (error as IDataObject).code : undefined) ?? json?.code ?? `http_${statusCode}`);
	const providerMessage =
		typeof error === 'string' ? error : String((error as IDataObject | undefined)?.message ?? json?.message ?? '');
	const advice = adviceFor(code, statusCode);
	const traceId = json?.trace_id ? ` Trace ID: ${String(json.trace_id)}.` : '';
	return new ProviderRequestError(
		`${advice.message} (HTTP ${statusCode}, ${code})`,
		'http',
		code,
		statusCode,
		`${advice.description}${providerMessage ? ` Provider says: "${providerMessage}".` : ''}${traceId}`,
		json ? (json as JsonObject) : { body: preview(body) },
		RETRYABLE_STATUS.has(statusCode) ? retryAfterMs(headers['retry-after']) : undefined,
	);
}

function networkFailure(error: unknown, timeoutMs: number): ProviderRequestError {
	const cause = rootCause(error);
	const code = String(cause.code ?? '');
	const message = String(cause.message ?? '');
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message)) {
		return new ProviderRequestError(
			`No answer from the provider within ${timeoutMs} ms`,
			'timeout',
			'client_timeout',
			null,
			'Not retried: the provider may already have billed the call. Raise the "Timeout" option if the provider is slow.',
		);
	}
	// The code stays out of the message: n8n would swap a message naming it for its own generic text.
	return new ProviderRequestError(
		'Could not reach the provider',
		'connection',
		code || 'connection_failed',
		null,
		`${code ? `${code}: n` : 'N'}o answer came back, so nothing was billed. Check the Base URL of the credential and the network between n8n and the provider.`,
	);
}

/** httpRequestWithAuthentication wraps the transport error; the network code sits underneath. */
function rootCause(error: unknown): { code?: unknown; message?: unknown } {
	let current = error as { cause?: unknown; code?: unknown; message?: unknown };
	for (let depth = 0; depth < 5 && current; depth++) {
		if (typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) return current;
		if (!current.cause) break;
		current = current.cause as typeof current;
	}
	return (error ?? {}) as { code?: unknown; message?: unknown };
}

export function isRetryableFailure(error: ProviderRequestError): boolean {
	if (error.kind === 'connection') return CONNECTION_CODES.has(error.code) || error.code === 'connection_failed';
	return error.kind === 'http' && error.httpCode !== null && RETRYABLE_STATUS.has(error.httpCode);
}

export function adviseRetry(error: unknown): RetryAdvice {
	if (!(error instanceof ProviderRequestError)) return { retry: false };
	return {
		retry: isRetryableFailure(error),
		retryAfterMs: error.retryAfterMs,
		rateLimited: error.httpCode === 429,
	};
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(Array.isArray(value) ? value[0] : value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function toNodeApiError(node: INode, error: ProviderRequestError, itemIndex: number): NodeApiError {
	return new NodeApiError(node, error.details, {
		message: error.message,
		description: error.description,
		httpCode: error.httpCode === null ? undefined : String(error.httpCode),
		itemIndex,
	});
}

function asObject(body: unknown): IDataObject | undefined {
	if (body && typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body)) return body as IDataObject;
	if (typeof body === 'string' && body.trim().startsWith('{')) {
		try {
			return JSON.parse(body) as IDataObject;
		} catch {
			return undefined;
		}
	}
	return undefined;
}

function preview(body: unknown): string {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : JSON.stringify(body ?? null);
	return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
