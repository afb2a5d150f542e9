/**
 * A chat model on 127.0.0.1 that speaks OpenAI's Chat Completions API (what n8n's OpenAI Chat Model calls at its
 * credential's Base URL) and plays a script instead of thinking: an AI agent's end-to-end test without any AI.
 *
 * A script is picked by a marker in the conversation's first user message; it lists the tool calls to make, one
 * per model turn, each with the arguments given, to the first tool the agent offers. Once every call has had its
 * answer, the model ends with a short text. Streaming requests get the same turn as server-sent events.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatScript {
	/** Text the first user message contains. */
	marker: string;
	/** Arguments of each tool call, in order. */
	toolCalls: Array<Record<string, unknown>>;
}

interface ChatMessage {
	role: string;
	content?: unknown;
	tool_call_id?: string;
}

interface ChatRequest {
	model?: string;
	messages: ChatMessage[];
	tools?: Array<{ function: { name: string } }>;
	stream?: boolean;
}

export interface MockChatModel {
	/** For the OpenAI credential's Base URL. */
	url: string;
	/** Each request's body as received. */
	requests: ChatRequest[];
	/** The tool results the agent sent back, per script marker, in order. */
	toolResults(marker: string): string[];
	close(): Promise<void>;
}

interface AssistantMessage {
	role: 'assistant';
	content: string | null;
	tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
}

const text = (content: unknown): string => (typeof content === 'string' ? content : JSON.stringify(content ?? ''));

export async function startMockChatModel(scripts: ChatScript[]): Promise<MockChatModel> {
	const requests: ChatRequest[] = [];

	function scriptOf(request: ChatRequest): ChatScript | undefined {
		const firstUser = request.messages.find((m) => m.role === 'user');
		return scripts.find((s) => text(firstUser?.content).includes(s.marker));
	}

	/** The assistant's next message: the next scripted tool call, or the closing text. */
	function nextMessage(request: ChatRequest): AssistantMessage {
		const script = scriptOf(request);
		const answered = request.messages.filter((m) => m.role === 'tool').length;
		const call = script?.toolCalls[answered];
		const tool = request.tools?.[0]?.function.name;
		if (!call || !tool) return { role: 'assistant', content: script ? 'All checks are done.' : 'No script for this conversation.' };
		return {
			role: 'assistant',
			content: null,
			tool_calls: [{ id: `call_${answered + 1}`, type: 'function', function: { name: tool, arguments: JSON.stringify(call) } }],
		};
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
				res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
				return;
			}
			const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
			requests.push(request);
			const message = nextMessage(request);
			const finish = message.tool_calls ? 'tool_calls' : 'stop';
			const base = { id: `chatcmpl-${requests.length}`, created: Math.floor(Date.now() / 1000), model: request.model ?? 'mock' };
			const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
			if (!request.stream) {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finish }], usage }));
				return;
			}
			const delta = message.tool_calls
				? { role: 'assistant', tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) }
				: { role: 'assistant', content: message.content };
			const event = (choices: unknown[], extra: object = {}) =>
				`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`;
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.write(event([{ index: 0, delta, finish_reason: null }]));
			res.write(event([{ index: 0, delta: {}, finish_reason: finish }], { usage }));
			res.end('data: [DONE]\n\n');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		toolResults(marker) {
			// The last request of a conversation holds every tool result it got.
			const conversation = requests.filter((r) => scriptOf(r)?.marker === marker).at(-1);
			return (conversation?.messages ?? []).filter((m) => m.role === 'tool').map((m) => text(m.content));
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
