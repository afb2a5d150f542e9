/**
 * A real HTTP server on 127.0.0.1 that plays the provider: checks the Bearer token, answers the
 * sandbox identities, returns every documented error on demand, and records each request.
 * Knobs for batch tests: latency, a token-bucket rate limit (429 + Retry-After) and seeded random faults,
 * and an optional rule that answers made-up identities (`resultFor`). It records what a batch test checks:
 * every request with its plaintext triple, the 200 answers per triple, and the most requests in flight at once.
 * With a private key it decrypts encrypted fields the way the provider does.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { SANDBOX_ERROR_PHONES, SANDBOX_IDENTITIES } from './sandboxIdentities';

export const VERIFY_PATH = '/identity/phone/check-3e';

/**
 * `not_enabled`: every request answered 400 token_mismatched; `not_enabled_401`: the same code as 401, as some
 * deployments send it; `not_implemented`: 400 api_not_implemented.
 */
export type TokenState = 'ok' | 'not_enabled' | 'not_enabled_401' | 'not_implemented' | 'expired' | 'used_up' | 'disabled';
/**
 * What the mock may do instead of answering: an HTTP error (429: a rate limit that refuses this one request while
 * it lets the others through), drop the connection before answering (`reset`), never answer (`hang`), answer 200
 * with HTML (`not_json`), or answer — and bill — then drop the connection before the answer is written (`lost`: the
 * client cannot know whether it was billed).
 */
export type Fault = 429 | 500 | 502 | 503 | 504 | 'reset' | 'hang' | 'not_json' | 'lost';

/** The three elements as the provider reads them (after decryption). */
export interface TripleFields {
	name: string;
	phone: string;
	id_card: string;
}

export interface MockOptions {
	port?: number;
	/** Tokens the mock knows, and what each can do. */
	tokens?: Record<string, TokenState>;
	latencyMs?: number;
	/** Token bucket: at most `perSecond` requests a second with bursts up to `burst`. */
	rateLimit?: { perSecond: number; burst?: number } | null;
	/** The Retry-After of every 429 the mock sends (its rate limit's, or a fault): 1 s when not given; none when null. */
	retryAfterSeconds?: number | null;
	/**
	 * Share of requests (0..1) answered with one of `faultKinds` instead of the real answer. Faults are drawn
	 * from one seeded sequence per triple, so a seed gives each triple the same faults on its 1st, 2nd, ...
	 * request whatever order concurrent requests arrive in: a batch test is deterministic.
	 */
	faultRate?: number;
	faultKinds?: Fault[];
	seed?: number;
	/**
	 * The result code for a triple that is not a sandbox identity (`undefined`: the default rule, '1' when the
	 * ID number belongs to a sandbox match, else '-1'). Lets generated identities have known, varied results.
	 */
	resultFor?: (fields: TripleFields) => string | undefined;
	/** PEM private key matching the public key users encrypt with. */
	privateKey?: string;
	/** Error answers repeat the name, mobile and ID number they were sent, as some gateways do. */
	echoPersonalData?: boolean;
}

export interface RecordedRequest {
	method: string;
	path: string;
	authorization: string | undefined;
	headers: http.IncomingHttpHeaders;
	bodyText: string;
	body: Record<string, unknown> | undefined;
	/** The plaintext the mock recovered from encrypted fields (API names). */
	decrypted: Record<string, string> | undefined;
	/** `name|phone|id_card` in plaintext, when the body had all three. */
	key: string | undefined;
	/** The injected fault, if this request got one instead of its real answer. */
	fault: Fault | undefined;
	status: number | 'reset' | 'hang' | 'lost';
	/** Whether the provider billed it (code 0/1, lost replies included): `billedAnswers` request by request. */
	billed: boolean;
	/** When the request (its whole body) arrived, ms since the epoch. */
	at: number;
	/** When its connection closed or its answer was sent, whichever came first; undefined while it hangs. */
	closedAt?: number;
}

export interface MockProvider {
	url: string;
	requests: RecordedRequest[];
	options: MockOptions;
	/** Billable (code 0/1) 200 answers, per `name|phone|id_card`. */
	billedAnswers: Map<string, number>;
	/** The billable answers in all: what the provider billed. */
	readonly billedCalls: number;
	/** Every HTTP 200 sent (whatever the body, so non-JSON 200 faults too), per `name|phone|id_card`. */
	okAnswers: Map<string, number>;
	/** Requests received and not yet answered (or dropped) right now. */
	readonly inFlight: number;
	/** The most requests in flight at once since the start (or the last reset). */
	readonly maxInFlight: number;
	/** TCP connections accepted since the start (or the last reset): fewer than requests means keep-alive. */
	readonly connections: number;
	reset(): void;
	close(): Promise<void>;
}

export const DEFAULT_TOKEN = 'test-token-3f9a1c0d7e';

interface Answer {
	status: number;
	body: string;
	headers?: Record<string, string>;
}

function json(status: number, body: unknown, headers?: Record<string, string>): Answer {
	return { status, body: JSON.stringify(body), headers };
}

function errorAnswer(status: number, code: string, message = code.replace(/_/g, ' ')): Answer {
	return json(status, { success: false, error: { code, message }, trace_id: crypto.randomUUID() });
}

/** Reverses the provider-side scheme of the API docs (RSA-wrapped AES-256-CBC key). */
export function decryptFields(body: Record<string, unknown>, privateKey: string): Record<string, string> {
	const wrapped = Buffer.from(String(body.ciphertext_blob), 'base64');
	// Node 20 refuses PKCS#1 v1.5 decryption; undo the padding by hand: 00 02 <non-zero> 00 <key>.
	const padded = crypto.privateDecrypt(
		{ key: privateKey, padding: crypto.constants.RSA_NO_PADDING },
		wrapped,
	);
	if (padded[0] !== 0 || padded[1] !== 2) throw new Error('bad key padding');
	const key = padded.subarray(padded.indexOf(0, 2) + 1);
	if (key.length !== 32) throw new Error(`data key is ${key.length} bytes`);
	const iv = Buffer.from(String(body.iv), 'base64');
	const result: Record<string, string> = {};
	for (const field of body.encrypt_list as string[]) {
		const decipher = crypto.createDecipheriv('aes-256-cbc', key, iv);
		result[field] = Buffer.concat([
			decipher.update(Buffer.from(String(body[field]), 'base64')),
			decipher.final(),
		]).toString('utf8');
	}
	return result;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same faults and identities in every run. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** How the mock names a triple in `billedAnswers`, `okAnswers` and `RecordedRequest.key`. */
export function tripleKey(fields: TripleFields): string {
	return `${fields.name}|${fields.phone}|${fields.id_card}`;
}

/** One draw: a fault (with `options.faultRate`), or `undefined` for the real answer. */
function drawFault(draw: () => number, options: MockOptions): Fault | undefined {
	if (!options.faultRate || draw() >= options.faultRate) return undefined;
	const kinds = options.faultKinds ?? [500, 502, 503, 504, 'reset', 'not_json'];
	return kinds[Math.floor(draw() * kinds.length)];
}

/**
 * The faults a fresh mock with these options injects for a triple before its first real answer (at most
 * `limit`): lets a test check that its seed makes the scenario it means, e.g. no triple failing 6 times in a row.
 */
export function plannedFaults(fields: TripleFields, options: MockOptions, limit = 20): Fault[] {
	const draw = seededRandom(hash(tripleKey(fields), options.seed ?? 42));
	const faults: Fault[] = [];
	for (let fault = drawFault(draw, options); fault !== undefined && faults.length < limit; fault = drawFault(draw, options)) {
		faults.push(fault);
	}
	return faults;
}

/** FNV-1a: a stable 32-bit seed for a triple's own fault sequence. */
function hash(text: string, seed: number): number {
	let h = (0x811c9dc5 ^ seed) >>> 0;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
	return h;
}

const DESCRIPTIONS: Readonly<Record<string, string>> = {
	'0': '认证通过',
	'1': '认证未通过',
	'-1': '查无记录',
	'-2': '引擎未知错误',
	'-3': '服务繁忙',
	'-4': '姓名格式错误',
	'-5': '手机号格式错误',
	'-6': '今日查询次数超限',
};

function verify(fields: TripleFields, verifyMode: unknown, options: MockOptions): Answer {
	const forced = SANDBOX_ERROR_PHONES[fields.phone];
	if (forced) {
		if (forced.body !== undefined) return { status: forced.status, body: forced.body };
		const echo = options.echoPersonalData ? `: invalid name ${fields.name}, phone ${fields.phone}, id_card ${fields.id_card}` : '';
		return errorAnswer(forced.status, forced.code, `${forced.code.replace(/_/g, ' ')}${echo}`);
	}
	const exact = SANDBOX_IDENTITIES.find(
		(p) => p.name === fields.name && p.phone === fields.phone && p.idCard === fields.id_card,
	);
	const samePerson = SANDBOX_IDENTITIES.find((p) => p.idCard === fields.id_card && p.result === '0');
	const result = exact ? exact.result : (options.resultFor?.(fields) ?? (samePerson ? '1' : '-1'));
	let resultDetail: string | null = null;
	if (result === '1' && verifyMode === '1') {
		resultDetail = samePerson && samePerson.name !== fields.name ? 'PhoneNameMismatch' : 'PhoneIdCardMismatch';
	}
	return json(200, {
		result,
		description: DESCRIPTIONS[result] ?? `engine code ${result}`,
		isp: exact?.isp ?? '',
		result_detail: resultDetail,
	});
}

export async function startMockProvider(options: MockOptions = {}): Promise<MockProvider> {
	const requests: RecordedRequest[] = [];
	const billedAnswers = new Map<string, number>();
	const okAnswers = new Map<string, number>();
	const sockets = new Set<Socket>();
	let random = seededRandom(options.seed ?? 42);
	let faultStreams = new Map<string, () => number>();
	let inFlight = 0;
	let maxInFlight = 0;
	let connections = 0;

	/** The random sequence faults are drawn from: the triple's own, or a shared one for bodies without a triple. */
	function faultRandom(key: string | undefined): () => number {
		if (key === undefined) return random;
		let stream = faultStreams.get(key);
		if (!stream) {
			stream = seededRandom(hash(key, options.seed ?? 42));
			faultStreams.set(key, stream);
		}
		return stream;
	}
	let bucket = { tokens: options.rateLimit?.burst ?? options.rateLimit?.perSecond ?? 0, at: Date.now() };

	function takeRateToken(): boolean {
		const limit = options.rateLimit;
		if (!limit) return true;
		const burst = limit.burst ?? limit.perSecond;
		const now = Date.now();
		bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
		bucket.at = now;
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	}

	/** The plaintext triple of a request (decrypting it if need be), or why the body cannot give one. */
	function readFields(record: RecordedRequest): { fields?: TripleFields; decryptFailure?: string } {
		const body = record.body;
		if (!body || typeof body !== 'object') return {};
		let fields: TripleFields = {
			name: String(body.name ?? ''),
			phone: String(body.phone ?? ''),
			id_card: String(body.id_card ?? ''),
		};
		if (Array.isArray(body.encrypt_list) && body.encrypt_list.length) {
			if (!options.privateKey) return { fields, decryptFailure: 'encryption is not set up' };
			try {
				record.decrypted = decryptFields(body, options.privateKey);
			} catch (error) {
				return { fields, decryptFailure: `cannot decrypt: ${(error as Error).message}` };
			}
			fields = { ...fields, ...record.decrypted };
		}
		if (fields.name && fields.phone && fields.id_card) record.key = tripleKey(fields);
		return { fields };
	}

	function answer(record: RecordedRequest): Answer | Fault {
		const { fields, decryptFailure } = readFields(record);
		const body = record.body;
		const tokens = options.tokens ?? { [DEFAULT_TOKEN]: 'ok' };
		if (record.method !== 'POST' || record.path !== VERIFY_PATH) return errorAnswer(404, 'no_api');
		const auth = record.authorization ?? '';
		if (!auth.startsWith('Bearer ') || !auth.slice(7)) return errorAnswer(400, 'no_token');
		const state = tokens[auth.slice(7)];
		if (!state) return errorAnswer(401, 'invalid_token');
		if (state === 'not_enabled') return errorAnswer(400, 'token_mismatched');
		if (state === 'not_enabled_401') return errorAnswer(401, 'token_mismatched');
		if (state === 'not_implemented') return errorAnswer(400, 'api_not_implemented');
		if (state === 'expired') return errorAnswer(401, 'token_expired');
		if (state === 'used_up') return errorAnswer(403, 'used_up');
		if (state === 'disabled') return errorAnswer(403, 'disabled');
		if (!takeRateToken()) {
			return errorAnswer(429, 'too_many_requests');
		}
		record.fault = drawFault(faultRandom(record.key), options);
		// A lost reply is answered (and billed) like any other; only the answer never arrives.
		if (record.fault !== undefined && record.fault !== 'lost') return record.fault;
		if (!body || typeof body !== 'object' || !fields) return errorAnswer(400, 'bad_request', 'body must be JSON');
		if (decryptFailure) return errorAnswer(400, 'bad_request', decryptFailure);
		const missing = (['name', 'phone', 'id_card'] as const).filter((field) => !fields[field]);
		if (missing.length) return errorAnswer(400, 'bad_request', `missing fields: ${missing.join(', ')}`);
		const verdict = verify(fields, body.verify_mode, options);
		const result = verdict.body.startsWith('{') ? (JSON.parse(verdict.body) as { result?: string }).result : undefined;
		if (result === '0' || result === '1') {
			billedAnswers.set(record.key!, (billedAnswers.get(record.key!) ?? 0) + 1);
			record.billed = true;
		}
		return record.fault === 'lost' ? 'lost' : verdict;
	}

	const server = http.createServer((req, res) => {
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		let open = true;
		const done = () => {
			if (open) inFlight--;
			open = false;
		};
		res.on('finish', done);
		res.on('close', done);
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const bodyText = Buffer.concat(chunks).toString('utf8');
			let body: Record<string, unknown> | undefined;
			try {
				body = bodyText ? (JSON.parse(bodyText) as Record<string, unknown>) : undefined;
			} catch {
				body = undefined;
			}
			const record: RecordedRequest = {
				method: req.method ?? '',
				path: (req.url ?? '').split('?')[0],
				authorization: req.headers.authorization,
				headers: req.headers,
				bodyText,
				body,
				decrypted: undefined,
				key: undefined,
				fault: undefined,
				status: 0,
				billed: false,
				at: Date.now(),
			};
			requests.push(record);
			res.on('close', () => (record.closedAt ??= Date.now()));
			const reply = answer(record);
			if (reply === 'reset') {
				record.status = 'reset';
				req.socket.destroy();
				return;
			}
			if (reply === 'lost') {
				record.status = 'lost';
				setTimeout(() => req.socket.destroy(), options.latencyMs ?? 0);
				return;
			}
			if (reply === 'hang') {
				record.status = 'hang';
				return;
			}
			const final: Answer =
				reply === 'not_json'
					? { status: 200, body: '<html>gateway hiccup</html>' }
					: typeof reply === 'number'
						? errorAnswer(reply, reply === 429 ? 'too_many_requests' : reply === 504 ? 'timeout' : 'api_error')
						: reply;
			if (final.status === 429 && options.retryAfterSeconds !== null) {
				final.headers = { 'retry-after': String(options.retryAfterSeconds ?? 1) };
			}
			record.status = final.status;
			if (final.status === 200 && record.key) okAnswers.set(record.key, (okAnswers.get(record.key) ?? 0) + 1);
			const send = () => {
				res.writeHead(final.status, {
					'content-type': final.body.startsWith('{') ? 'application/json' : 'text/html',
					...final.headers,
				});
				res.end(final.body);
			};
			if (options.latencyMs) setTimeout(send, options.latencyMs);
			else send();
		});
	});
	server.on('connection', (socket) => {
		connections++;
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		options,
		billedAnswers,
		okAnswers,
		get billedCalls() {
			return [...billedAnswers.values()].reduce((sum, count) => sum + count, 0);
		},
		get inFlight() {
			return inFlight;
		},
		get maxInFlight() {
			return maxInFlight;
		},
		get connections() {
			return connections;
		},
		reset() {
			requests.length = 0;
			billedAnswers.clear();
			okAnswers.clear();
			maxInFlight = inFlight;
			connections = 0;
			random = seededRandom(options.seed ?? 42);
			faultStreams = new Map();
			bucket = { tokens: options.rateLimit?.burst ?? options.rateLimit?.perSecond ?? 0, at: Date.now() };
		},
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** A web server that is not the provider, as a wrong Base URL may lead to: every path is an HTML 404 page. */
export async function startOtherServer(): Promise<{ url: string; close: () => Promise<void> }> {
	const server = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return { url, close: async () => await new Promise<void>((resolve) => server.close(() => resolve())) };
}
