/**
 * Takes the README's screenshots: each example workflow open in the n8n editor, as PNG, 1400×800, and the
 * Verify node's panel (node version 2) with Encryption set to "Encrypt Before Sending", and its list of options.
 *
 *   npm start                              # in another terminal: n8n with the examples and the local owner
 *   npx tsx scripts/screenshots.ts         # → docs/images/<example>.png, docs/images/verify-node-*.png
 *
 * Drives Debian's headless Chromium through the DevTools protocol, so it needs no browser package from npm;
 * the examples hold Chinese names, which need a CJK font (without one they show as boxes):
 *
 *   apt-get install chromium fonts-noto-cjk
 *
 * Signs in as the local owner `npm start` creates. The node panel is shown on a scratch workflow, created
 * through n8n's REST API and deleted afterwards, so the examples stay as they are. Options (environment):
 * N8N_URL (default http://localhost:5678), CHROMIUM (default chromium), ONLY=<example file name without .json,
 * or verify-node for the panel pictures>.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { LOCAL_OWNER, SANDBOX_CREDENTIAL } from './start';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const OUT_DIR = path.join(ROOT, 'docs', 'images');
const N8N_URL = process.env.N8N_URL ?? 'http://localhost:5678';
/** Examples run in the editor before their picture, to show item counts and green checks (sandbox only). */
const RUN_FIRST = new Set(['batch-from-csv.json']);
/** After the canvas, a picture of each of these nodes with its output open: <example>-<suffix>.png. */
const NODE_OUTPUT: Record<string, Array<{ node: string; suffix: string }>> = {
	'batch-from-csv.json': [
		{ node: 'Summary', suffix: 'summary' },
		{ node: 'Cost estimate', suffix: 'estimate' },
	],
};
const WIDTH = 1400;
const HEIGHT = 800;
/** The node panel is taller than the canvas pictures: every parameter of the encryption panel fits. */
const PANEL_HEIGHT = 1000;
const VERIFY_TYPE = 'n8n-nodes-acedata-phone-verify.aceDataPhoneVerify';

/** The parts of the WebSocket API used here (global in Node 22+, behind a flag in Node 20). */
interface Socket {
	send(data: string): void;
	close(): void;
	addEventListener(type: 'message', listener: (event: { data: string }) => void): void;
	addEventListener(type: 'open' | 'error' | 'close', listener: (event: unknown) => void): void;
}
type SocketConstructor = new (url: string) => Socket;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A minimal DevTools-protocol client over one browser connection (flat sessions). */
class Cdp {
	private nextId = 1;
	private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

	private constructor(private socket: Socket) {
		socket.addEventListener('message', (event) => {
			const message = JSON.parse(event.data) as { id?: number; result?: unknown; error?: { message: string } };
			if (message.id === undefined) return;
			const waiter = this.pending.get(message.id);
			this.pending.delete(message.id);
			if (message.error) waiter?.reject(new Error(message.error.message));
			else waiter?.resolve(message.result);
		});
	}

	static connect(url: string): Promise<Cdp> {
		const WebSocketImpl = (globalThis as unknown as { WebSocket: SocketConstructor }).WebSocket;
		const socket = new WebSocketImpl(url);
		return new Promise((resolve, reject) => {
			socket.addEventListener('open', () => resolve(new Cdp(socket)));
			socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)));
		});
	}

	send<T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string): Promise<T> {
		const id = this.nextId++;
		this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
		return new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
	}

	close(): void {
		this.socket.close();
	}
}

async function launchChromium(profile: string): Promise<{ browser: ChildProcess; wsUrl: string }> {
	const browser = spawn(
		process.env.CHROMIUM ?? 'chromium',
		[
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--hide-scrollbars',
			`--user-data-dir=${profile}`,
			`--window-size=${WIDTH},${HEIGHT}`,
			'--remote-debugging-port=0',
			'about:blank',
		],
		{ stdio: 'ignore', detached: true },
	);
	const portFile = path.join(profile, 'DevToolsActivePort');
	for (let i = 0; i < 100; i++) {
		if (fs.existsSync(portFile)) {
			const [port, wsPath] = fs.readFileSync(portFile, 'utf8').trim().split('\n');
			if (port && wsPath) return { browser, wsUrl: `ws://127.0.0.1:${port}${wsPath}` };
		}
		await sleep(100);
	}
	throw new Error('Chromium did not open its DevTools port (is Debian\'s `chromium` installed?)');
}

async function main(): Promise<void> {
	const examples = fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.filter((f) => !process.env.ONLY || f === `${process.env.ONLY}.json`)
		.map((f) => ({
			file: f,
			...(JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, f), 'utf8')) as { id: string; nodes: unknown[] }),
		}));
	fs.mkdirSync(OUT_DIR, { recursive: true });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'acedata-chromium-'));
	const { browser, wsUrl } = await launchChromium(profile);
	const cdp = await Cdp.connect(wsUrl);
	try {
		const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
		const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
		const page = <T = Record<string, unknown>>(method: string, params: object = {}) => cdp.send<T>(method, params, sessionId);
		const evaluate = async <T>(expression: string): Promise<T> => {
			const { result, exceptionDetails } = await page<{ result: { value: T }; exceptionDetails?: { text: string } }>(
				'Runtime.evaluate',
				{ expression, awaitPromise: true, returnByValue: true },
			);
			if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.text}`);
			return result.value;
		};
		const waitFor = async (expression: string, what: string, ms = 30_000) => {
			const deadline = Date.now() + ms;
			while (Date.now() < deadline) {
				if (await evaluate<boolean>(expression).catch(() => false)) return;
				await sleep(250);
			}
			throw new Error(`timed out waiting for ${what}`);
		};

		/** Opens a node on the canvas the way a user does: a double-click. */
		const openNode = async (name: string) => {
			const box = await evaluate<{ x: number; y: number } | null>(`(() => {
				const el = document.querySelector('[data-node-name=${JSON.stringify(name)}]');
				if (!el) return null;
				const r = el.getBoundingClientRect();
				return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
			})()`);
			if (!box) throw new Error(`node "${name}" not found on the canvas`);
			for (const [type, clickCount] of [['mousePressed', 1], ['mouseReleased', 1], ['mousePressed', 2], ['mouseReleased', 2]] as const) {
				await page('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount });
			}
			await waitFor(`!!document.querySelector('[data-test-id="ndv"]')`, `the "${name}" node to open`);
			await sleep(1000);
		};
		const shoot = async (file: string) => {
			const { data } = await page<{ data: string }>('Page.captureScreenshot', { format: 'png' });
			const out = path.join(OUT_DIR, file);
			fs.writeFileSync(out, Buffer.from(data, 'base64'));
			process.stdout.write(`${path.relative(ROOT, out)}\n`);
		};
		/** A call to n8n's REST API from the signed-in page (its cookie and browser id go along). */
		const rest = async <T>(method: string, route: string, body?: unknown): Promise<T> =>
			await evaluate<T>(`fetch(${JSON.stringify(route)}, {
				method: ${JSON.stringify(method)}, credentials: 'include',
				headers: { 'content-type': 'application/json', 'browser-id': localStorage.getItem('n8n-browserId') },
				${body === undefined ? '' : `body: ${JSON.stringify(JSON.stringify(body))},`}
			}).then(async (r) => { if (!r.ok) throw new Error(${JSON.stringify(`${method} ${route}`)} + ': HTTP ' + r.status); return r.json(); })`);

		await page('Emulation.setDeviceMetricsOverride', { width: WIDTH, height: HEIGHT, deviceScaleFactor: 1, mobile: false });
		await page('Page.enable');

		// Sign in the way the editor does: its browser id travels with the login, so the session cookie is valid.
		await page('Page.navigate', { url: `${N8N_URL}/signin` });
		await waitFor(`!!localStorage.getItem('n8n-browserId')`, 'the editor to load');
		const status = await evaluate<number>(`fetch('/rest/login', {
			method: 'POST', credentials: 'include',
			headers: { 'content-type': 'application/json', 'browser-id': localStorage.getItem('n8n-browserId') },
			body: JSON.stringify(${JSON.stringify({ emailOrLdapLoginId: LOCAL_OWNER.email, password: LOCAL_OWNER.password })}),
		}).then((r) => r.status)`);
		if (status !== 200) throw new Error(`signing in as ${LOCAL_OWNER.email} failed (HTTP ${status})`);

		for (const example of examples) {
			await page('Page.navigate', { url: `${N8N_URL}/workflow/${example.id}` });
			await waitFor(
				`document.querySelectorAll('.vue-flow__node').length >= ${example.nodes.length}`,
				`the ${example.nodes.length} nodes of ${example.file}`,
			);
			// Let the canvas fit the view, icons load and entrance animations finish.
			await sleep(2500);
			// Close what pops up over the canvas (a published workflow opens its production checklist).
			await evaluate(`document.querySelector('[data-test-id="suggested-actions-close"]')?.click(), true`);
			if (RUN_FIRST.has(example.file)) {
				const steps = (example.nodes as { type: string }[]).filter((n) => !n.type.endsWith('.stickyNote')).length;
				await evaluate(`document.querySelector('[data-test-id="execute-workflow-button"]').click(), true`);
				await waitFor(
					`document.querySelectorAll('[data-test-id="canvas-node-status-success"]').length >= ${steps}`,
					`a successful run of ${example.file}`,
					60_000,
				);
				await sleep(1000);
			}
			// One step out from "fit view": the floating Execute button no longer covers the lowest nodes.
			await evaluate(`document.querySelector('[data-test-id="zoom-out-button"]')?.click(), true`);
			// The "executed successfully" toast would cover the lower right corner.
			await evaluate(`document.querySelectorAll('.el-notification__closeBtn').forEach((b) => b.click()), true`);
			await page('Input.dispatchMouseEvent', { type: 'mouseMoved', x: WIDTH - 5, y: HEIGHT / 2 });
			await evaluate(`document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`);
			await sleep(800);
			await shoot(example.file.replace(/\.json$/, '.png'));

			for (const detail of NODE_OUTPUT[example.file] ?? []) {
				// Open the node the way a user does (double-click), then show its output as JSON.
				await openNode(detail.node);
				await evaluate(`(() => {
					const panel = document.querySelector('[data-test-id="output-panel"]') || document;
					const json = [...panel.querySelectorAll('[data-test-id^="radio-button"], label, button')].find((el) => el.textContent.trim() === 'JSON');
					json?.click();
					getSelection()?.removeAllRanges();
					return !!json;
				})()`);
				await sleep(1000);
				await shoot(example.file.replace(/\.json$/, `-${detail.suffix}.png`));
				// Back to the canvas for the next one.
				for (const type of ['keyDown', 'keyUp']) {
					await page('Input.dispatchKeyEvent', { type, key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27 });
				}
				await waitFor(`!document.querySelector('[data-test-id="ndv"]')`, `the "${detail.node}" node to close`);
				await sleep(500);
			}
		}

		if (!process.env.ONLY || process.env.ONLY === 'verify-node') {
			// A new Verify node (version 2) with "Encrypt Before Sending" chosen, on a scratch workflow.
			const created = await rest<{ data: { id: string } }>('POST', '/rest/workflows', {
				name: 'Screenshot: the Verify node panel (deleted afterwards)',
				nodes: [
					{
						id: '3f1c2a9e-0b7d-4e55-9a61-2c8d4e7f1a01',
						name: 'Verify identity',
						type: VERIFY_TYPE,
						typeVersion: 2,
						position: [0, 0],
						parameters: {
							name: '={{ $json.name }}',
							phone: '={{ $json.phone }}',
							idCard: '={{ $json.idCard }}',
							encryption: 'local',
							options: {},
						},
						credentials: { aceDataCloudApi: SANDBOX_CREDENTIAL },
					},
				],
				connections: {},
				settings: { executionOrder: 'v1' },
				active: false,
			});
			const id = created.data.id;
			try {
				await page('Emulation.setDeviceMetricsOverride', { width: WIDTH, height: PANEL_HEIGHT, deviceScaleFactor: 1, mobile: false });
				await page('Page.navigate', { url: `${N8N_URL}/workflow/${id}` });
				await waitFor(`document.querySelectorAll('.vue-flow__node').length >= 1`, 'the scratch workflow');
				await sleep(2000);
				await openNode('Verify identity');
				// Away from the parameters, whose hover controls would show.
				await page('Input.dispatchMouseEvent', { type: 'mouseMoved', x: WIDTH - 150, y: PANEL_HEIGHT - 150 });
				await evaluate(`getSelection()?.removeAllRanges(), document.activeElement?.blur?.(), true`);
				await sleep(500);
				await shoot('verify-node-panel.png');
				// The options a user can add, in the node's order.
				await evaluate(`(() => {
					const add = [...document.querySelectorAll('[data-test-id="ndv"] button, [data-test-id="ndv"] .el-select')]
						.find((el) => /add option/i.test(el.textContent ?? '') || /add option/i.test(el.querySelector('input')?.placeholder ?? ''));
					add?.scrollIntoView({ block: 'center' });
					(add?.querySelector('input') ?? add)?.click();
					return !!add;
				})()`);
				await sleep(1200);
				await shoot('verify-node-options.png');
			} finally {
				await page('Emulation.setDeviceMetricsOverride', { width: WIDTH, height: HEIGHT, deviceScaleFactor: 1, mobile: false });
				// n8n 2.x deletes only an archived workflow; 1.x has no archive and deletes at once.
				await rest('POST', `/rest/workflows/${id}/archive`, {}).catch(() => undefined);
				await rest('DELETE', `/rest/workflows/${id}`);
			}
		}
	} finally {
		cdp.close();
		if (browser.pid !== undefined) {
			try {
				process.kill(-browser.pid, 'SIGTERM');
			} catch {
				// already gone
			}
		}
		await sleep(500);
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

if (!(globalThis as { WebSocket?: unknown }).WebSocket) {
	// Node 20: WebSocket is behind a flag; run again with it.
	const result = spawnSync(process.execPath, [...process.execArgv, '--experimental-websocket', ...process.argv.slice(1)], {
		stdio: 'inherit',
	});
	process.exitCode = result.status ?? 1;
} else {
	main().catch((error: Error) => {
		process.stderr.write(`${error.message}\n`);
		process.exitCode = 1;
	});
}
