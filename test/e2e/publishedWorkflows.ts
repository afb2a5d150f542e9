/**
 * Many workflows served by one `n8n start`: each starts with a Webhook that answers once the workflow has ended,
 * all are published before n8n starts, and a test runs one by calling its webhook, then reads the execution n8n
 * saved. Booting n8n takes seconds and a webhook call a fraction of one, so a whole suite shares one process.
 */
import type { SavedExecution, Server } from './n8n';
import type { N8nInstance } from './n8n';
import type { workflow } from './workflows';

type Workflow = ReturnType<typeof workflow>;

const WEBHOOK_TYPE = 'n8n-nodes-base.webhook';

export class PublishedWorkflows {
	private constructor(
		private readonly n8n: N8nInstance,
		private readonly server: Server,
		private readonly url: string,
	) {}

	/** Imports and publishes the workflows, then starts n8n (credentials are the caller's to import first). */
	static async start(n8n: N8nInstance, workflows: Workflow[]): Promise<PublishedWorkflows> {
		await n8n.importWorkflows(workflows);
		for (const { id } of workflows) await n8n.activateWorkflow(id);
		const { server, url } = await n8n.start();
		return new PublishedWorkflows(n8n, server, url);
	}

	/** Runs a workflow through its webhook; resolves with the execution n8n saved, once it has ended. */
	async run(published: Workflow): Promise<SavedExecution> {
		const webhook = published.nodes.find((node) => node.type === WEBHOOK_TYPE);
		if (!webhook) throw new Error(`workflow ${published.id} has no webhook`);
		const route = `${this.url}/webhook/${String(webhook.parameters.path)}`;
		const before = this.n8n.savedExecutions(published.id).length;
		// n8n registers the webhooks of published workflows a moment after it reports ready: until then, a 404.
		let status = 404;
		await this.server.waitFor(async () => {
			const response = await fetch(route, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
			status = response.status;
			await response.arrayBuffer();
			return status !== 404;
		}, `the webhook of ${published.id}`);
		let saved: SavedExecution | undefined;
		await this.server.waitFor(() => {
			saved = this.n8n.savedExecutions(published.id).slice(before).at(-1);
			return saved !== undefined && !['new', 'running'].includes(saved.status);
		}, `the saved execution of ${published.id} (its webhook answered ${status})`);
		return saved!;
	}

	async stop(): Promise<void> {
		await this.server.stop();
	}
}
