import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { adviceFor, API_ERRORS } from '../../nodes/AceDataPhoneVerify/apiErrors';
import {
	MAX_RETRY_WAIT_MS,
	mayHaveBilled,
	parseResponse,
	ProviderRequestError,
	reachedProvider,
	requestCheck,
	retryAdvisor,
	retryAfterMs,
	toNodeApiError,
	checkUrl,
} from '../../nodes/AceDataPhoneVerify/transport';
import { PHONE_THREE_ELEMENTS, readAnswer } from '../../nodes/AceDataPhoneVerify/checks';

/** The default advice: lost replies are sent again. */
const adviseRetry = retryAdvisor(true);

/** Runs `fn`, insists it throws a ProviderRequestError, and hands the error back. */
function providerError(fn: () => unknown): ProviderRequestError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(ProviderRequestError);
		return error as ProviderRequestError;
	}
	throw new Error('expected a ProviderRequestError, but nothing was thrown');
}

async function providerErrorAsync(promise: Promise<unknown>): Promise<ProviderRequestError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(ProviderRequestError);
		return error as ProviderRequestError;
	}
	throw new Error('expected a ProviderRequestError, but the promise resolved');
}

function errorBody(code: string, message = code.replace(/_/g, ' '), traceId = 'trace-123') {
	return { success: false, error: { code, message }, trace_id: traceId };
}

/** A 200 as the node reads it for phone three elements. */
const answerOf = (body: unknown) => readAnswer(PHONE_THREE_ELEMENTS, parseResponse(200, {}, body));

describe('parseResponse: answers', () => {
	it('maps a 200 answer with a result, keeping trace_id and result_detail', () => {
		const body = {
			result: '1',
			description: '认证未通过',
			isp: '移动',
			result_detail: 'PhoneIdCardMismatch',
			trace_id: '8b6c1a2e-0000-4000-8000-000000000001',
		};
		expect(answerOf(body)).toEqual({
			result: '1',
			description: '认证未通过',
			traceId: '8b6c1a2e-0000-4000-8000-000000000001',
			fields: { isp: '移动', resultDetail: 'PhoneIdCardMismatch' },
			binary: null,
			raw: body,
		});
	});

	it('gives null for a missing or empty isp, a missing or null result_detail and trace_id, an empty missing description', () => {
		const answer = answerOf({ result: '0', result_detail: null });
		expect(answer).toMatchObject({ result: '0', description: '', fields: { isp: null, resultDetail: null }, traceId: null });
		expect(answerOf({ result: '0', isp: '' }).fields.isp).toBeNull();
		expect(answerOf({ result: '0', isp: '移动' }).fields.isp).toBe('移动');
	});

	it('turns a numeric result into the string code', () => {
		expect(answerOf({ result: -1, description: '查无记录', isp: '' }).result).toBe('-1');
		expect(answerOf({ result: 0 }).result).toBe('0');
	});

	it('reads a JSON answer that arrived as a string', () => {
		const answer = answerOf('{"result":"0","description":"认证通过","isp":"联通","result_detail":null}');
		expect(answer).toMatchObject({ result: '0', description: '认证通过', fields: { isp: '联通', resultDetail: null } });
	});

	it('refuses a 200 without a result: bad_response, not retried', () => {
		const error = providerError(() => parseResponse(200, {}, { message: 'ok', trace_id: 't-1' }));
		expect(error.kind).toBe('bad_response');
		expect(error.code).toBe('missing_result');
		expect(error.httpCode).toBe(200);
		expect(error.message).toMatch(/without a verification result/);
		expect(error.description).toMatch(/not retried/);
		expect(adviseRetry(error).retry).toBe(false);
	});

	it('refuses a 200 with result null', () => {
		expect(providerError(() => parseResponse(200, {}, { result: null })).code).toBe('missing_result');
	});

	it.each([
		['plain text', 'upstream says hello'],
		['HTML', '<html>gateway hiccup</html>'],
		['broken JSON', '{"result": "0"'],
		['a JSON array', [{ result: '0' }]],
		['nothing', undefined],
	])('refuses a 200 whose body is %s: bad_response, not retried', (_label, body) => {
		const error = providerError(() => parseResponse(200, {}, body));
		expect(error.kind).toBe('bad_response');
		expect(error.code).toBe('invalid_response');
		expect(error.message).toMatch(/not JSON/);
		expect(error.description).toMatch(/Base URL/);
		expect(adviseRetry(error).retry).toBe(false);
	});

	it('quotes a long non-JSON body only in part', () => {
		const error = providerError(() => parseResponse(200, {}, 'x'.repeat(5000)));
		expect(String(error.details.body).length).toBeLessThan(300);
	});
});

describe('parseResponse: HTTP errors of api.md', () => {
	// Status, code, and a phrase of the advice a user needs, per the table of api.md.
	const ERRORS: Array<[number, string, RegExp, RegExp]> = [
		// The provider's guide words both "missing or invalid parameters": the message names both readings.
		[400, 'token_mismatched', /a field or an encryption setting .*, or the token/, /encryption settings.*current API token/],
		[401, 'token_mismatched', /a field or an encryption setting .*, or the token/, /encryption settings.*current API token/],
		[400, 'api_not_implemented', /missing or invalid parameters, or this API is not available/, /Base URL/],
		[400, 'bad_request', /invalid/, /Check the name, mobile number and ID card number/],
		[400, 'no_token', /No API token/, /Set the API Token/],
		[401, 'invalid_token', /not valid/, /Copy the token again/],
		[401, 'token_expired', /expired/, /Renew the token/],
		[403, 'used_up', /used up/, /Buy more quota/],
		[403, 'disabled', /disabled/, /Check the token's state|contact/],
		[403, 'forbidden', /refused/, /Check the token's state|contact/],
		[404, 'no_api', /does not know this API/, /Base URL/],
		[429, 'too_many_requests', /rate limit/, /Lower "Max Requests per Second"/],
		[500, 'api_error', /failed/, /Try again later/],
		[504, 'timeout', /timed out/, /Try again later/],
	];

	it.each(ERRORS)('HTTP %i %s says what happened and what to do', (status, code, message, advice) => {
		const error = providerError(() => parseResponse(status, {}, errorBody(code, 'provider text', 'trace-xyz')));
		expect(error.kind).toBe('http');
		expect(error.code).toBe(code);
		expect(error.httpCode).toBe(status);
		expect(error.message).toMatch(message);
		expect(error.message).toContain(`HTTP ${status}`);
		expect(error.message).toContain(code);
		expect(error.description).toMatch(advice);
		expect(error.description).toContain('Provider says: "provider text"');
		expect(error.description).toContain('trace-xyz');
		expect(error.details).toMatchObject({ error: { code } });
	});

	it('covers every code of the api.md table in the advice table', () => {
		const documented = [
			'token_mismatched',
			'api_not_implemented',
			'bad_request',
			'no_token',
			'invalid_token',
			'token_expired',
			'used_up',
			'disabled',
			'forbidden',
			'no_api',
			'too_many_requests',
			'api_error',
			'timeout',
		];
		for (const code of documented) expect(API_ERRORS[code]).toBeDefined();
	});

	it('says that the calls the API does not bill were not billed', () => {
		for (const [status, code] of [
			[403, 'used_up'],
			[429, 'too_many_requests'],
			[500, 'api_error'],
			[504, 'timeout'],
		] as const) {
			expect(providerError(() => parseResponse(status, {}, errorBody(code))).description).toMatch(/not billed/i);
		}
	});

	it('reads `error` given as a plain string, falling back on the status for advice', () => {
		const error = providerError(() => parseResponse(401, {}, { error: 'Unauthorized' }));
		expect(error.kind).toBe('http');
		expect(error.httpCode).toBe(401);
		expect(error.code).toBe('http_401');
		expect(error.message).toBe(`${API_ERRORS.invalid_token.message} (HTTP 401, http_401)`);
		expect(error.description).toContain('Provider says: "Unauthorized"');
	});

	it('reads a top-level code and message', () => {
		const error = providerError(() => parseResponse(403, {}, { code: 'used_up', message: 'no balance' }));
		expect(error.code).toBe('used_up');
		expect(error.description).toMatch(/Buy more quota/);
		expect(error.description).toContain('no balance');
	});

	it('gives a sane message for an unknown code with an unknown status', () => {
		const error = providerError(() => parseResponse(418, {}, errorBody('teapot', 'short and stout')));
		expect(error.code).toBe('teapot');
		expect(error.httpCode).toBe(418);
		expect(error.message).toContain('HTTP 418');
		expect(error.message).not.toMatch(/undefined|null|\[object/);
		expect(error.description).toMatch(/support/);
		expect(error.description).toContain('short and stout');
		expect(adviseRetry(error).retry).toBe(false);
	});

	it('gives a sane message when the provider code is the name of an inherited object property', () => {
		const error = providerError(() => parseResponse(418, {}, errorBody('constructor')));
		expect(error.message).toBe('The provider answered HTTP 418 (HTTP 418, constructor)');
		expect(error.description).not.toMatch(/undefined/);
	});

	it('uses the advice of the status for an unknown code with a known status', () => {
		const error = providerError(() => parseResponse(401, {}, errorBody('weird_auth_code')));
		expect(error.code).toBe('weird_auth_code');
		expect(error.message).toContain(API_ERRORS.invalid_token.message);
	});

	it('handles a non-JSON error body (a gateway page)', () => {
		const error = providerError(() => parseResponse(502, { 'retry-after': '3' }, '<html>502 Bad Gateway</html>'));
		expect(error.kind).toBe('http');
		expect(error.code).toBe('http_502');
		expect(error.httpCode).toBe(502);
		expect(error.message).toContain(API_ERRORS.api_error.message);
		expect(error.details).toEqual({ body: '<html>502 Bad Gateway</html>' });
		expect(error.retryAfterMs).toBe(3000);
		expect(error.message).not.toMatch(/undefined|\[object/);
		expect(error.description).not.toMatch(/undefined|\[object/);
	});

	it('leaves out the trace ID and provider text when there are none', () => {
		const error = providerError(() => parseResponse(500, {}, { error: { code: 'api_error' } }));
		expect(error.description).toBe(API_ERRORS.api_error.description);
	});

	it('keeps Retry-After of a 429', () => {
		const error = providerError(() => parseResponse(429, { 'retry-after': '2' }, errorBody('too_many_requests')));
		expect(error.retryAfterMs).toBe(2000);
		expect(adviseRetry(error)).toEqual({ retry: true, retryAfterMs: 2000, rateLimited: true });
	});

	it('ignores Retry-After on an error that is not retried', () => {
		const error = providerError(() => parseResponse(400, { 'retry-after': '2' }, errorBody('bad_request')));
		expect(error.retryAfterMs).toBeUndefined();
	});
});

describe('retryAfterMs', () => {
	const now = Date.UTC(2024, 5, 1, 12, 0, 0);

	it.each([
		['3', 3000],
		['0', 0],
		['1.5', 1500],
		[' 7 ', 7000],
		[2, 2000],
		[['4'], 4000],
	])('reads seconds %j', (value, ms) => {
		expect(retryAfterMs(value, now)).toBe(ms);
	});

	it('reads an HTTP date as the time left until then', () => {
		expect(retryAfterMs('Sat, 01 Jun 2024 12:00:05 GMT', now)).toBe(5000);
		expect(retryAfterMs(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
	});

	it('gives 0 for an HTTP date already past', () => {
		expect(retryAfterMs('Sat, 01 Jun 2024 11:59:00 GMT', now)).toBe(0);
	});

	it.each([undefined, null, '', 'soon', 'abc', 'later please'])('ignores %j', (value) => {
		expect(retryAfterMs(value, now)).toBeUndefined();
	});
});

describe('adviseRetry', () => {
	const http = (status: number, code = 'x') => providerError(() => parseResponse(status, {}, errorBody(code)));

	it('retries a 429 and flags the rate limit', () => {
		expect(adviseRetry(http(429, 'too_many_requests'))).toMatchObject({ retry: true, rateLimited: true });
	});

	it.each([500, 502, 503, 504])('retries HTTP %i without flagging a rate limit', (status) => {
		expect(adviseRetry(http(status))).toMatchObject({ retry: true, rateLimited: false });
	});

	it.each([400, 401, 403, 404])('does not retry HTTP %i', (status) => {
		expect(adviseRetry(http(status)).retry).toBe(false);
	});

	it('retries a lost reply (reset, time-out) only when the user accepts paying twice', () => {
		const error = new ProviderRequestError('No answer', 'reply_lost', 'reply_lost', null, '');
		expect(retryAdvisor(true)(error).retry).toBe(true);
		expect(retryAdvisor(false)(error).retry).toBe(false);
	});

	it.each(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH'])('retries %s: nothing was sent', (code) => {
		const error = new ProviderRequestError('Could not reach', 'not_sent', code, null, '');
		expect(retryAdvisor(false)(error)).toMatchObject({ retry: true, rateLimited: false });
	});

	it('does not retry a failure before sending that would only repeat (TLS)', () => {
		const error = new ProviderRequestError('TLS', 'not_sent', 'CERT_HAS_EXPIRED', null, '');
		expect(adviseRetry(error).retry).toBe(false);
	});

	it('does not wait out a Retry-After beyond the cap: the item ends, and the message says how long was asked', () => {
		const headers = { 'retry-after': '86400' };
		const error = providerError(() => parseResponse(429, headers, errorBody('too_many_requests')));
		expect(error.retryAfterMs).toBe(86_400_000);
		expect(adviseRetry(error)).toEqual({ retry: false, retryAfterMs: undefined, rateLimited: true });
		expect(error.message).toMatch(/asks to wait 24 h \(HTTP 429/);
		expect(error.description).toMatch(/Retry-After.*quota/);
		const withinCap = providerError(() =>
			parseResponse(429, { 'retry-after': String(MAX_RETRY_WAIT_MS / 1000) }, errorBody('too_many_requests')),
		);
		expect(adviseRetry(withinCap)).toEqual({ retry: true, retryAfterMs: MAX_RETRY_WAIT_MS, rateLimited: true });
		expect(withinCap.message).not.toMatch(/asks to wait/);
	});

	it('reads an HTTP-date Retry-After hours ahead the same way', () => {
		const headers = { 'retry-after': new Date(Date.now() + 3 * 3_600_000).toUTCString() };
		const error = providerError(() => parseResponse(503, headers, errorBody('api_error')));
		expect(adviseRetry(error).retry).toBe(false);
		expect(error.message).toMatch(/asks to wait 3 h/);
	});

	it('does not retry anything that is not a provider error', () => {
		expect(adviseRetry(new Error('boom'))).toEqual({ retry: false });
		expect(adviseRetry('ECONNRESET')).toEqual({ retry: false });
	});
});

describe('requestCheck: transport failures', () => {
	function contextThatFails(error: unknown) {
		const httpRequestWithAuthentication = jest.fn().mockRejectedValue(error);
		return {
			context: { helpers: { httpRequestWithAuthentication } } as unknown as IExecuteFunctions,
			httpRequestWithAuthentication,
		};
	}
	const credentials = { apiToken: 'secret-token', baseUrl: 'https://proxy.example/' };

	it('maps a reset connection (wrapped by n8n) to a lost reply: it may have been billed', async () => {
		const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		const wrapped = Object.assign(new Error('Request failed'), { cause });
		const error = await providerErrorAsync(requestCheck(contextThatFails(wrapped).context, credentials, PHONE_THREE_ELEMENTS.path, {}, 5000));
		expect(error).toMatchObject({ kind: 'reply_lost', code: 'reply_lost', httpCode: null });
		expect(error.message).toBe('The connection broke before the provider answered');
		expect(error.description).toMatch(/ECONNRESET.*may have answered and billed/);
		expect(error.description).not.toMatch(/nothing was billed/i);
		expect(mayHaveBilled(error)).toBe(true);
		expect(reachedProvider(error)).toBe(true);
	});

	it('maps a client time-out to a lost reply that says how long it waited', async () => {
		const cause = Object.assign(new Error('timeout of 5000ms exceeded'), { code: 'ECONNABORTED' });
		const error = await providerErrorAsync(requestCheck(contextThatFails(cause).context, credentials, PHONE_THREE_ELEMENTS.path, {}, 5000));
		expect(error).toMatchObject({ kind: 'reply_lost', code: 'reply_lost' });
		expect(error.message).toContain('5000 ms');
		expect(error.description).toMatch(/may have answered and billed.*Timeout/);
		expect(mayHaveBilled(error)).toBe(true);
	});

	it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])('maps %s to a failure before sending: certainly not billed', async (code) => {
		const cause = Object.assign(new Error(`connect ${code}`), { code });
		const error = await providerErrorAsync(requestCheck(contextThatFails(cause).context, credentials, PHONE_THREE_ELEMENTS.path, {}, 5000));
		expect(error).toMatchObject({ kind: 'not_sent', code });
		expect(error.description).toMatch(/never left n8n, so nothing was billed/);
		expect(mayHaveBilled(error)).toBe(false);
		expect(reachedProvider(error)).toBe(false);
	});

	it('reads the network code n8n 1.x keeps as the wrapper\'s httpCode (it drops the cause and the message)', async () => {
		const refused = Object.assign(new Error('The service refused the connection - perhaps it is offline'), { httpCode: 'ECONNREFUSED' });
		const notSent = await providerErrorAsync(requestCheck(contextThatFails(refused).context, credentials, PHONE_THREE_ELEMENTS.path, {}, 5000));
		expect(notSent).toMatchObject({ kind: 'not_sent', code: 'ECONNREFUSED' });
		const timedOut = Object.assign(new Error('The connection timed out'), { httpCode: 'ECONNABORTED' });
		const lost = await providerErrorAsync(requestCheck(contextThatFails(timedOut).context, credentials, PHONE_THREE_ELEMENTS.path, {}, 5000));
		expect(lost).toMatchObject({ kind: 'reply_lost', message: 'No answer from the provider within 5000 ms' });
	});

	it('counts a failure it cannot place as a lost reply, never as "not billed"', async () => {
		const error = await providerErrorAsync(requestCheck(contextThatFails(new Error('something odd')).context, credentials, PHONE_THREE_ELEMENTS.path, {}, 5000));
		expect(error.kind).toBe('reply_lost');
		expect(mayHaveBilled(error)).toBe(true);
	});

	it('posts JSON to the verify path of the base URL, trailing slash tolerated, and keeps the token out of errors', async () => {
		// What axios hands back: the failed request's config, headers included, and a message quoting the request.
		const failure = Object.assign(new Error('connect ECONNREFUSED (Authorization: Bearer secret-token)'), {
			code: 'ECONNREFUSED',
			config: { headers: { authorization: 'Bearer secret-token' } },
		});
		expect(JSON.stringify({ ...failure, message: failure.message })).toContain('secret-token');
		const { context, httpRequestWithAuthentication } = contextThatFails(failure);
		const error = await providerErrorAsync(requestCheck(context, credentials, PHONE_THREE_ELEMENTS.path, { name: '张三' }, 1234));
		const options = httpRequestWithAuthentication.mock.calls[0][1];
		expect(options).toMatchObject({
			method: 'POST',
			url: 'https://proxy.example/identity/phone/check-3e',
			body: { name: '张三' },
			json: true,
			timeout: 1234,
		});
		expect(options.headers).toMatchObject({ accept: 'application/json', 'content-type': 'application/json' });
		expect(JSON.stringify({ ...error, message: error.message, description: error.description })).not.toContain('secret-token');
	});
});

describe('checkUrl', () => {
	it.each([
		[{ baseUrl: 'https://api.acedata.cloud' }, 'https://api.acedata.cloud/identity/phone/check-3e'],
		[{ baseUrl: 'https://api.acedata.cloud//' }, 'https://api.acedata.cloud/identity/phone/check-3e'],
		[{ baseUrl: ' http://127.0.0.1:8080/ ' }, 'http://127.0.0.1:8080/identity/phone/check-3e'],
		[{}, 'https://api.acedata.cloud/identity/phone/check-3e'],
		[{ baseUrl: '' }, 'https://api.acedata.cloud/identity/phone/check-3e'],
	])('%j → %s', (credentials, url) => {
		expect(checkUrl(credentials, '/identity/phone/check-3e')).toBe(url);
	});
});

describe('toNodeApiError', () => {
	const node: INode = {
		id: 'n1',
		name: 'Verify',
		type: 'n8n-nodes-acedata-phone-verify.aceDataPhoneVerify',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};

	it('keeps the message, description and HTTP code', () => {
		const failure = providerError(() => parseResponse(403, {}, errorBody('used_up')));
		const error = toNodeApiError(node, failure, 3);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(failure.message);
		expect(error.description).toBe(failure.description);
		expect(error.httpCode).toBe('403');
		expect(error.context.itemIndex).toBe(3);
	});
});

describe('adviceFor', () => {
	it.each(Object.keys(API_ERRORS))('returns the entry of %s whatever the status', (code) => {
		expect(adviceFor(code, 400)).toBe(API_ERRORS[code]);
		expect(adviceFor(code, 500)).toBe(API_ERRORS[code]);
	});

	it.each([
		[400, 'bad_request'],
		[401, 'invalid_token'],
		[403, 'forbidden'],
		[404, 'no_api'],
		[429, 'too_many_requests'],
		[500, 'api_error'],
		[502, 'api_error'],
		[503, 'api_error'],
		[504, 'timeout'],
	])('falls back on the status %i for an unknown code (%s)', (status, code) => {
		expect(adviceFor('something_new', status)).toBe(API_ERRORS[code]);
	});

	it('gives a generic message naming the status for an unknown code and status', () => {
		const advice = adviceFor('something_new', 418);
		expect(advice.message).toBe('The provider answered HTTP 418');
		expect(advice.description).toMatch(/support/);
	});

	it('does not mistake inherited object names for codes', () => {
		expect(adviceFor('constructor', 418).message).toBe('The provider answered HTTP 418');
		expect(adviceFor('toString', 401)).toBe(API_ERRORS.invalid_token);
	});

	it('tells the user what to do for the token and quota errors', () => {
		expect(API_ERRORS.token_mismatched.description).toMatch(/API token/);
		expect(API_ERRORS.used_up.description).toMatch(/quota/);
		expect(API_ERRORS.too_many_requests.description).toMatch(/20 requests per second/);
	});
});
