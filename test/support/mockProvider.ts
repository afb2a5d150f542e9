/**
 * A real HTTP server on 127.0.0.1 that plays the provider's ten identity checks (test/support/mockChecks.ts):
 * checks the Bearer token, answers the sandbox identities, cards and photos, returns every documented error on
 * demand, bills each check by its own table, and records each request.
 * Knobs for batch tests: latency, a token-bucket rate limit (429 + Retry-After) and seeded random faults,
 * and an optional rule that answers made-up identities (`resultFor`). It records what a batch test checks:
 * every request with its plaintext triple, the 200 answers per triple, and the most requests in flight at once.
 * With a private key it decrypts encrypted fields the way the provider does.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import type { MockCheck } from './mockChecks';
import { mockCheckAt } from './mockChecks';
import { SANDBOX_ERROR_PHONES } from './sandboxIdentities';

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
	 * The result code for a request that is not the sandbox's (`undefined`: the check's default rule), by its
	 * plaintext fields (the provider's names) and the check's path. Lets generated identities have known, varied
	 * results.
	 */
	resultFor?: (fields: TripleFields & Record<string, string>, path: string) => string | undefined;
	/** PEM private key matching the public key users encrypt with. */
	privateKey?: string;
	/** Error answers repeat the name, mobile and ID number they were sent, as some gateways do. */
	echoPersonalData?: boolean;
	/** Numbers in answers (a mobile's state, a card's type, a similarity) sent as text, as the specs type them. */
	numbersAsText?: boolean;
	/** Every answer carries a `trace_id` (a UUID) and phone three elements a carrier, as the provider's do. */
	likeProvider?: boolean;
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
	/** The encryption form the body used: the flat fields of the seed, the specs' `encryption` list, or none. */
	encryptionForm: 'flat' | 'list' | undefined;
	/**
	 * What was asked, in plaintext: `name|phone|id_card` for phone three elements; for the other checks its path and
	 * its fields' values (`/identity/bankcard/check-4e|张三|6222…|…`). Undefined when a required field is missing.
	 */
	key: string | undefined;
	/** The injected fault, if this request got one instead of its real answer. */
	fault: Fault | undefined;
	status: number | 'reset' | 'hang' | 'lost';
	/** Whether the provider billed it (its check's billed codes, lost replies included): `billedAnswers` request by request. */
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
	/** Billed 200 answers (by each check's own table), per request key. */
	billedAnswers: Map<string, number>;
	/** The billable answers in all: what the provider billed. */
	readonly billedCalls: number;
	/** Every HTTP 200 sent (whatever the body, so non-JSON 200 faults too), per request key. */
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

/**
 * Reverses the provider-side scheme of the API docs (RSA-wrapped AES-256-CBC key), in either form: the seed's flat
 * fields beside the values, or the specs' `encryption` list of one object (whose `algorithm` must be AES-256-CBC).
 */
export function decryptFields(body: Record<string, unknown>, privateKey: string): Record<string, string> {
	const sealed = (Array.isArray(body.encryption) ? body.encryption[0] : body) as Record<string, unknown>;
	if (Array.isArray(body.encryption) && sealed.algorithm !== undefined && sealed.algorithm !== 'AES-256-CBC') {
		throw new Error(`algorithm ${String(sealed.algorithm)} is not the one used`);
	}
	const wrapped = Buffer.from(String(sealed.ciphertext_blob), 'base64');
	// Node 20 refuses PKCS#1 v1.5 decryption; undo the padding by hand: 00 02 <non-zero> 00 <key>.
	const padded = crypto.privateDecrypt(
		{ key: privateKey, padding: crypto.constants.RSA_NO_PADDING },
		wrapped,
	);
	if (padded[0] !== 0 || padded[1] !== 2) throw new Error('bad key padding');
	const key = padded.subarray(padded.indexOf(0, 2) + 1);
	if (key.length !== 32) throw new Error(`data key is ${key.length} bytes`);
	const iv = Buffer.from(String(sealed.iv), 'base64');
	const result: Record<string, string> = {};
	for (const field of sealed.encrypt_list as string[]) {
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

/** The HTTP error a sandbox value asks for: a mobile `1700000` + status + variant, a card starting with one, a photo `error-<status><variant>.jpg`. */
function forcedError(fields: Record<string, string>) {
	const photo = /error-(\d{4})\.jpg$/.exec(fields.image_url ?? '');
	const candidates = [fields.phone, fields.mobile, fields.bank_card?.slice(0, 11), photo ? `1700000${photo[1]}` : undefined];
	const trigger = candidates.find((value) => value !== undefined && Object.hasOwn(SANDBOX_ERROR_PHONES, value));
	return trigger === undefined ? undefined : SANDBOX_ERROR_PHONES[trigger];
}

/** How the mock names a request in `billedAnswers`, `okAnswers` and `RecordedRequest.key`. */
export function requestKey(check: MockCheck, fields: Record<string, string>): string {
	if (check.path === VERIFY_PATH) return tripleKey(fields as unknown as TripleFields);
	return [check.path, ...check.fields.map((field) => fields[field] ?? '')].join('|');
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

	/** The plaintext fields of a request to `check` (decrypting them if need be), or why the body cannot give them. */
	function readFields(record: RecordedRequest, check: MockCheck): { fields?: Record<string, string>; problem?: string } {
		const body = record.body;
		if (!body || typeof body !== 'object') return {};
		const fields: Record<string, string> = {};
		for (const field of check.fields) if (body[field] !== undefined && body[field] !== '') fields[field] = String(body[field]);
		const flat = Array.isArray(body.encrypt_list) && body.encrypt_list.length > 0;
		const list = Array.isArray(body.encryption) && body.encryption.length > 0;
		record.encryptionForm = flat ? 'flat' : list ? 'list' : undefined;
		if (record.encryptionForm && record.encryptionForm !== check.encryption) {
			return { fields, problem: check.encryption === 'none' ? 'this API takes no encryption' : `encryption must be sent ${check.encryption === 'flat' ? 'as encrypt_list, ciphertext_blob and iv' : 'as an encryption list'}` };
		}
		if (record.encryptionForm) {
			if (!options.privateKey) return { fields, problem: 'encryption is not set up' };
			try {
				record.decrypted = decryptFields(body, options.privateKey);
			} catch (error) {
				return { fields, problem: `cannot decrypt: ${(error as Error).message}` };
			}
			Object.assign(fields, record.decrypted);
		}
		if (check.required.some((group) => group.every((field) => fields[field]))) record.key = requestKey(check, fields);
		return { fields };
	}

	function answer(record: RecordedRequest): Answer | Fault {
		const tokens = options.tokens ?? { [DEFAULT_TOKEN]: 'ok' };
		const check = mockCheckAt(record.path);
		if (record.method !== 'POST' || !check) return errorAnswer(404, 'no_api');
		const { fields, problem } = readFields(record, check);
		const body = record.body;
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
		if (problem) return errorAnswer(400, 'bad_request', problem);
		if (!record.key) {
			const wanted = check.required.map((group) => group.join(', ')).join(' or ');
			return errorAnswer(400, 'bad_request', `missing fields: ${wanted}`);
		}
		const forced = forcedError(fields);
		if (forced) {
			if (forced.body !== undefined) return { status: forced.status, body: forced.body };
			const echo = options.echoPersonalData ? `: invalid ${Object.entries(fields).map(([name, value]) => `${name} ${value}`).join(', ')}` : '';
			return errorAnswer(forced.status, forced.code, `${forced.code.replace(/_/g, ' ')}${echo}`);
		}
		const verdict = check.answer(fields, body, options.resultFor as Parameters<MockCheck['answer']>[2]);
		if (check.billed.includes(verdict.result)) {
			billedAnswers.set(record.key, (billedAnswers.get(record.key) ?? 0) + 1);
			record.billed = true;
		}
		const sent = options.numbersAsText
			? Object.fromEntries(Object.entries(verdict).map(([name, value]) => [name, typeof value === 'number' ? String(value) : value]))
			: verdict;
		if (options.likeProvider) {
			sent.trace_id = crypto.randomUUID();
			if (sent.isp === '') sent.isp = '中国移动';
		}
		return record.fault === 'lost' ? 'lost' : json(200, sent);
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
				encryptionForm: undefined,
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
