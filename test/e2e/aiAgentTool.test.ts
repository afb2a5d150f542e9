/**
 * The node as an AI agent's tool, in a real n8n (N8N_VERSION) with the packed package, without any real AI: n8n's
 * AI Agent with its OpenAI Chat Model, whose credential's Base URL points at a scripted chat model on 127.0.0.1
 * (test/support/mockOpenAi.ts) that calls the tool as a model would.
 *
 * - The same person asked for twice: one billed call, the second answer reused from the execution (`cached`).
 * - Max Billed Calls 1 and two different people: one billed call, the other `budget_reached`: the cap counts
 *   across the agent's tool calls, which n8n runs as separate runs of the tool node.
 */
import { SANDBOX_IDENTITIES } from '../support/sandboxIdentities';
import type { MockProvider } from '../support/mockProvider';
import { startMockProvider } from '../support/mockProvider';
import type { ChatScript, MockChatModel } from '../support/mockOpenAi';
import { startMockChatModel } from '../support/mockOpenAi';
import type { N8nRun } from './n8n';
import { CREDENTIAL_TYPE, ensureN8n, N8N_MAJOR, N8N_VERSION, N8nInstance } from './n8n';
import { aiAgent, manualTrigger, onRow, openAiChatModel, verifyTool, workflow } from './workflows';

const ZHANG = SANDBOX_IDENTITIES.find((p) => p.name === '张三')!;
const LI = SANDBOX_IDENTITIES.find((p) => p.result === '1')!;
const args = (p: { name: string; phone: string; idCard: string }) => ({ name: p.name, phone: p.phone, idCard: p.idCard });

/** The AI Agent version the editor gives a new node in each n8n. */
const AGENT_VERSION = N8N_MAJOR >= 2 ? 3.1 : 3;

const SAME_PERSON: ChatScript = { marker: 'Check 张三 twice', toolCalls: [args(ZHANG), args(ZHANG)] };
const CAPPED: ChatScript = { marker: 'Check 张三 and 李四', toolCalls: [args(ZHANG), args(LI)] };

const SAME_TOKEN = 'e2e-agent-token-same';
const CAPPED_TOKEN = 'e2e-agent-token-capped';
const SAME = { id: 'e2eAgentCredSame', name: 'Ace Data (mock, agent: same person)' };
const CAP = { id: 'e2eAgentCredCap1', name: 'Ace Data (mock, agent: cap 1)' };
const OPENAI = { id: 'e2eAgentOpenAi01', name: 'OpenAI (scripted model on 127.0.0.1)' };
const ID = 'e2eAgentTool001';

const WORKFLOW = workflow(
	ID,
	'E2E: the Verify node as an AI agent’s tool',
	[
		manualTrigger(),
		onRow(0, aiAgent('Agent, same person', SAME_PERSON.marker, AGENT_VERSION)),
		onRow(1, openAiChatModel('Model, same person', OPENAI)),
		onRow(1, verifyTool('Verify tool, same person', SAME)),
		onRow(2, aiAgent('Agent, cap 1', CAPPED.marker, AGENT_VERSION)),
		onRow(3, openAiChatModel('Model, cap 1', OPENAI)),
		onRow(3, verifyTool('Verify tool, cap 1', CAP, { maxBilledCalls: 1 })),
	],
	[
		['Start', 'Agent, same person'],
		['Model, same person', 'Agent, same person', 0, 'ai_languageModel'],
		['Verify tool, same person', 'Agent, same person', 0, 'ai_tool'],
		['Start', 'Agent, cap 1'],
		['Model, cap 1', 'Agent, cap 1', 0, 'ai_languageModel'],
		['Verify tool, cap 1', 'Agent, cap 1', 0, 'ai_tool'],
	],
);

let provider: MockProvider;
let model: MockChatModel;
let n8n: N8nInstance;
let run: N8nRun;

beforeAll(async () => {
	ensureN8n();
	provider = await startMockProvider({ tokens: { [SAME_TOKEN]: 'ok', [CAPPED_TOKEN]: 'ok' } });
	model = await startMockChatModel([SAME_PERSON, CAPPED]);
	n8n = N8nInstance.create();
	const verifyCredential = (ref: { id: string; name: string }, apiToken: string) => ({
		...ref,
		type: CREDENTIAL_TYPE,
		data: { apiToken, baseUrl: provider.url },
	});
	await n8n.importCredentials([
		verifyCredential(SAME, SAME_TOKEN),
		verifyCredential(CAP, CAPPED_TOKEN),
		{ ...OPENAI, type: 'openAiApi', data: { apiKey: 'sk-scripted-model', url: model.url } },
	]);
	await n8n.importWorkflows([WORKFLOW]);
	run = (await n8n.execute(ID)).run;
}, 30 * 60_000);

afterAll(async () => {
	await provider?.close();
	await model?.close();
	n8n?.remove();
});

const billedFor = (token: string) => provider.requests.filter((r) => r.authorization === `Bearer ${token}` && r.billed).length;

/** The tool answers as the agent passed them back to the model, one JSON text per call. */
const toolAnswers = (script: ChatScript) => model.toolResults(script.marker);

describe(`n8n ${N8N_VERSION}: the Verify node as an AI agent's tool (agent v${AGENT_VERSION})`, () => {
	test('the agents ran to their end, calling the tool as scripted', () => {
		expect(run.status).toBe('success');
		expect(toolAnswers(SAME_PERSON)).toHaveLength(2);
		expect(toolAnswers(CAPPED)).toHaveLength(2);
		// n8n runs the tool node once per call, each a run of its own in the execution.
		expect(run.data.resultData.runData['Verify tool, same person']).toHaveLength(2);
		expect(run.data.resultData.runData['Verify tool, cap 1']).toHaveLength(2);
	});

	test('the same person twice: one billed call, the second answer reused', () => {
		expect(billedFor(SAME_TOKEN)).toBe(1);
		const [first, second] = toolAnswers(SAME_PERSON);
		expect(first).toMatch(/"status":\s*"match"/);
		expect(first).toMatch(/"cached":\s*false/);
		expect(second).toMatch(/"status":\s*"match"/);
		expect(second).toMatch(/"cached":\s*true/);
		expect(second).toMatch(/"billable":\s*false/);
	});

	test('Max Billed Calls 1 counts across the tool calls: one billed, the other budget_reached', () => {
		expect(billedFor(CAPPED_TOKEN)).toBe(1);
		const [first, second] = toolAnswers(CAPPED);
		expect(first).toMatch(/"status":\s*"match"/);
		expect(second).toMatch(/"status":\s*"budget_reached"/);
	});
});
