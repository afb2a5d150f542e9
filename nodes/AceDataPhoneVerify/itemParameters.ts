/**
 * Reads the node's parameters item by item the cheap way wherever that gives exactly what n8n's expression
 * engine gives: a parameter without an expression is read once for all items, and a plain reference to the
 * item's own JSON (`={{ $json.name }}`, `={{ $json.person["id card"] }}`) is read straight from the item.
 * Anything else (other nodes, functions, text around the braces) goes through `getNodeParameter` as usual.
 *
 * n8n evaluates each expression in a sandbox, about half a millisecond per parameter and item; a batch of
 * thousands of items read this way costs next to nothing, so reading every item before sending is cheap.
 */
import type { IExecuteFunctions, INodeExecutionData, NodeParameterValueType } from 'n8n-workflow';

type Source =
	| { kind: 'fixed'; value: unknown }
	| { kind: 'json'; path: string[] }
	| { kind: 'expression' };

/** `={{ $json` followed by `.key`, `["key"]`, `['key']` or `[0]` segments, and nothing else but spaces. */
const JSON_REFERENCE = /^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\s*(?:"[^"\\]*"|'[^'\\]*'|\d+)\s*\])+)\s*\}\}$/;
const SEGMENT = /\.([A-Za-z_$][\w$]*)|\[\s*(?:"([^"\\]*)"|'([^'\\]*)'|(\d+))\s*\]/g;
/** Keys that reach into the prototype chain: left to n8n's sandbox, which treats them its own way. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class ItemParameters {
	private readonly sources = new Map<string, Source>();

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly items: INodeExecutionData[],
	) {}

	/** The parameter's value for one item, as `getNodeParameter(name, itemIndex, fallback)` returns it. */
	get(name: string, itemIndex: number, fallback: NodeParameterValueType | object): unknown {
		const source = this.source(name, fallback);
		if (source.kind === 'fixed') return source.value;
		if (source.kind === 'json') return readPath(this.items[itemIndex]?.json, source.path);
		return this.context.getNodeParameter(name, itemIndex, fallback);
	}

	/** Whether the parameter holds no expression, so it is the same for every item. */
	isFixed(name: string, fallback: NodeParameterValueType | object): boolean {
		return this.source(name, fallback).kind === 'fixed';
	}

	private source(name: string, fallback: NodeParameterValueType | object): Source {
		let source = this.sources.get(name);
		if (!source) {
			source = this.classify(name, fallback);
			this.sources.set(name, source);
		}
		return source;
	}

	private classify(name: string, fallback: NodeParameterValueType | object): Source {
		const raw = this.context.getNode().parameters[name];
		if (!hasExpression(raw) && this.items.length) {
			try {
				return { kind: 'fixed', value: this.context.getNodeParameter(name, 0, fallback) };
			} catch {
				// Read item by item instead, so that the error names each item.
			}
		}
		const path = typeof raw === 'string' ? jsonPath(raw) : undefined;
		return path ? { kind: 'json', path } : { kind: 'expression' };
	}
}

function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/** The keys of a plain `$json` reference, or undefined for any other expression. */
export function jsonPath(expression: string): string[] | undefined {
	const match = JSON_REFERENCE.exec(expression);
	if (!match) return undefined;
	const path = [...match[1].matchAll(SEGMENT)].map((segment) => segment[1] ?? segment[2] ?? segment[3] ?? segment[4]);
	return path.some((key) => UNSAFE_KEYS.has(key)) ? undefined : path;
}

/** n8n's answer for a path: the value, or undefined as soon as a step is missing (it does not throw). */
function readPath(json: unknown, path: string[]): unknown {
	let value = json;
	for (const key of path) {
		if (value === undefined || value === null) return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}
