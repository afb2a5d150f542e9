/**
 * Run data as n8n keeps it (an execution's `resultData.runData`), read alike by scripts/check-examples.ts (from
 * `n8n execute --rawOutput`, and through n8n's REST API with the owner's cookie) and scripts/browser-check.ts
 * (through the REST API with the editor's session).
 */
import { parse } from 'flatted';

export interface RunData {
	[node: string]: Array<{ executionStatus?: string; data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>;
}

/** The items of one output of a node's first run. */
export function items(runData: RunData, node: string, output = 0): Array<Record<string, unknown>> {
	return (runData[node]?.[0]?.data?.main?.[output] ?? []).map((i) => i.json);
}

/** How many items each of a node's first `outputs` outputs got. */
export function routed(runData: RunData, node: string, outputs: number): number[] {
	return Array.from({ length: outputs }, (_, output) => items(runData, node, output).length);
}

/** The nodes whose run did not succeed (a node that failed keeps the run's other nodes green). */
export function failedNodes(runData: RunData): string[] {
	return Object.entries(runData)
		.filter(([, tasks]) => tasks.some((task) => task.executionStatus !== 'success'))
		.map(([node]) => node);
}

/** A call to n8n's REST API with some session, resolving with the JSON answer. */
export type Rest = <T>(method: string, route: string) => Promise<T>;

export interface SavedRun {
	id: string;
	status: string;
	runData: RunData;
}

/** The latest execution n8n saved for a workflow, with its run data; undefined while there is none. */
export async function lastRun(rest: Rest, workflowId: string): Promise<SavedRun | undefined> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const list = await rest<{ data: { results: Array<{ id: string }> } }>('GET', `/rest/executions?filter=${filter}&limit=1`);
	const id = list.data.results[0]?.id;
	if (!id) return undefined;
	const execution = await rest<{ data: { status: string; data: string } }>('GET', `/rest/executions/${id}`);
	const data = parse(execution.data.data) as { resultData: { runData: RunData } };
	return { id, status: execution.data.status, runData: data.resultData.runData };
}
