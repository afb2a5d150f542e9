/**
 * One request to a check, and the translation of whatever comes back: the provider's JSON with a result (which
 * the check reads, checks/index.ts), or a ProviderRequestError that says what happened, what to do, and whether
 * trying again is safe.
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

import { DEFAULT_BASE_URL } from '../../credentials/AceDataCloudApi.credentials';
import { adviceFor } from './apiErrors';
import type { RetryAdvice } from './scheduler';

export const CREDENTIAL_TYPE = 'aceDataCloudApi';

/**
 * - `http`: the provider (or a gateway) answered with an error status: not billed.
 * - `bad_response`: an HTTP 200 the node cannot read: it may have been billed.
 * - `not_sent`: the request never left n8n (refused, DNS, TLS): certainly not billed.
 * - `reply_lost`: the request was sent and no answer came back (reset, timeout): it may have been billed.
 */
type FailureKind = 'http' | 'bad_response' | 'not_sent' | 'reply_lost';

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
/** Connection failures before anything was sent that may pass on a second try. */
const TRANSIENT_NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
/** Failures before anything was sent that a second try would meet again (TLS, a malformed URL). */
const PERMANENT_NOT_SENT = new Set([
	'ERR_INVALID_URL',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** The longest wait the node accepts from a Retry-After; a longer one is a quota to report, not a burst to wait out. */
export const MAX_RETRY_WAIT_MS = 60_000;

/** The URL of a check's path under the credential's Base URL (a trailing slash there is fine). */
export function checkUrl(credentials: ICredentialDataDecryptedObject, path: string): string {
	return `${String(credentials.baseUrl || DEFAULT_BASE_URL).trim().replace(/\/+$/, '')}${path}`;
}

/** Sends one request; resolves with the provider's JSON, which has a `result`. */
export async function requestCheck(
	context: IExecuteFunctions,
	credentials: ICredentialDataDecryptedObject,
	path: string,
	body: IDataObject,
	timeoutMs: number,
	abortSignal?: AbortSignal,
): Promise<IDataObject> {
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: checkUrl(credentials, path),
		headers: { accept: 'application/json', 'content-type': 'application/json' },
		body,
		json: true,
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		abortSignal,
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

export function parseResponse(statusCode: number, headers: IDataObject, body: unknown): IDataObject {
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
	return json;
}

function httpFailure(statusCode: number, headers: IDataObject, json: IDataObject | undefined, body: unknown) {
	const error = json?.error;
	const code = String((typeof error === 'object' && error !== null ? (error as IDataObject).code : undefined) ?? json?.code ?? `http_${statusCode}`);
	const providerMessage =
		typeof error === 'string' ? error : String((error as IDataObject | undefined)?.message ?? json?.message ?? '');
	const advice = adviceFor(code, statusCode);
	const traceId = json?.trace_id ? ` Trace ID: ${String(json.trace_id)}.` : '';
	const waitMs = RETRYABLE_STATUS.has(statusCode) ? retryAfterMs(headers['retry-after']) : undefined;
	const quota = waitMs !== undefined && waitMs > MAX_RETRY_WAIT_MS;
	// The message says it too: an error item keeps the message, not the description.
	const wait = quota ? `: the provider asks to wait ${readableDuration(waitMs)}` : '';
	return new ProviderRequestError(
		`${advice.message}${wait} (HTTP ${statusCode}, ${code})`,
		'http',
		code,
		statusCode,
		`${advice.description}${quota ? ` The wait (Retry-After) is longer than the node waits (${readableDuration(MAX_RETRY_WAIT_MS)}): a daily or monthly quota is probably used up.` : ''}${providerMessage ? ` Provider says: "${providerMessage}".` : ''}${traceId}`,
		json ? (json as JsonObject) : { body: preview(body) },
		waitMs,
	);
}

function networkFailure(error: unknown, timeoutMs: number): ProviderRequestError {
	const cause = rootCause(error);
	const code = String(cause.code ?? '');
	const message = String(cause.message ?? '');
	if (TRANSIENT_NOT_SENT.has(code) || PERMANENT_NOT_SENT.has(code)) {
		// The code stays out of the message: n8n would swap a message naming it for its own generic text.
		return new ProviderRequestError(
			'Could not reach the provider',
			'not_sent',
			code,
			null,
			`${code}: the request never left n8n, so nothing was billed. Check the Base URL of the credential and the network between n8n and the provider.`,
		);
	}
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message);
	return new ProviderRequestError(
		timedOut ? `No answer from the provider within ${timeoutMs} ms` : 'The connection broke before the provider answered',
		'reply_lost',
		'reply_lost',
		null,
		`The request was sent${code ? ` (${code})` : ''}, so the provider may have answered and billed it: look at the usage on the Ace Data Cloud platform before sending it again.${timedOut ? ' Raise "Timeout" if the provider is slow.' : ''}`,
	);
}

/**
 * httpRequestWithAuthentication wraps the transport error: n8n 2.x keeps it as `cause` (the network code sits
 * underneath); n8n 1.x keeps only the code, as the wrapper's `httpCode`, and replaces the message.
 */
function rootCause(error: unknown): { code?: unknown; message?: unknown } {
	const isNetworkCode = (value: unknown): value is string => typeof value === 'string' && /^E[A-Z_]+$/.test(value);
	let current = error as { cause?: unknown; code?: unknown; httpCode?: unknown; message?: unknown };
	for (let depth = 0; depth < 5 && current; depth++) {
		if (isNetworkCode(current.code)) return current;
		if (isNetworkCode(current.httpCode)) return { code: current.httpCode, message: current.message };
		if (!current.cause) break;
		current = current.cause as typeof current;
	}
	return (error ?? {}) as { code?: unknown; message?: unknown };
}

/** Whether a failed request can have been billed: its reply may have been lost, or it could not be read. */
export function mayHaveBilled(error: unknown): boolean {
	return !(error instanceof ProviderRequestError) || error.kind === 'reply_lost' || error.kind === 'bad_response';
}

/**
 * Whether the provider refused the credential rather than the request (a wrong or expired token: 401; the
 * account: 403, a balance used up or a token disabled): every other request of the run would get the same.
 */
export function refusesEveryRequest(error: unknown): error is ProviderRequestError {
	return error instanceof ProviderRequestError && error.kind === 'http' && (error.httpCode === 401 || error.httpCode === 403);
}

/** Whether the request reached the provider at all (it counts as one of the item's `attempts`). */
export function reachedProvider(error: unknown): boolean {
	return !(error instanceof ProviderRequestError && error.kind === 'not_sent');
}

/**
 * Which failures are worth another attempt: those that cannot have been billed and may pass next time, and, when
 * the user accepts the risk of paying twice, a sent request whose reply was lost. A 200 is never sent again.
 */
export function retryAdvisor(retryLostReplies: boolean): (error: unknown) => RetryAdvice {
	return (error) => {
		if (!(error instanceof ProviderRequestError)) return { retry: false };
		const waitTooLong = error.retryAfterMs !== undefined && error.retryAfterMs > MAX_RETRY_WAIT_MS;
		const retry =
			(error.kind === 'not_sent' && TRANSIENT_NOT_SENT.has(error.code)) ||
			(error.kind === 'reply_lost' && retryLostReplies) ||
			(error.kind === 'http' && error.httpCode !== null && RETRYABLE_STATUS.has(error.httpCode) && !waitTooLong);
		return {
			retry,
			retryAfterMs: waitTooLong ? undefined : error.retryAfterMs,
			rateLimited: error.httpCode === 429,
		};
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

/** The n8n error for a failed request; `scrub` masks personal data the provider may have echoed. */
export function toNodeApiError(
	node: INode,
	error: ProviderRequestError,
	itemIndex: number,
	scrub: <T>(value: T) => T = (value) => value,
): NodeApiError {
	return new NodeApiError(node, scrub(error.details), {
		message: scrub(error.message),
		description: scrub(error.description),
		httpCode: error.httpCode === null ? undefined : String(error.httpCode),
		itemIndex,
	});
}

function readableDuration(ms: number): string {
	if (ms >= 3_600_000) return `${Math.round(ms / 360_000) / 10} h`;
	if (ms >= 60_000) return `${Math.round(ms / 6_000) / 10} min`;
	return `${Math.round(ms / 1000)} s`;
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
