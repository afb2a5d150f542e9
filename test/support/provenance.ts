/**
 * The line printed above measured figures, so that a figure copied into the docs says where it came from: the
 * commit it was measured at ("-dirty" when tracked files differed from it) and the command that printed it.
 */
import { execFileSync } from 'node:child_process';

/** `command`, preceded by those of `variables` that are set (they change what is measured). */
export function provenance(command: string, variables: string[] = []): string {
	const git = (...args: string[]) => execFileSync('git', args, { cwd: __dirname, encoding: 'utf8' }).trim();
	const dirty = git('status', '--porcelain', '--untracked-files=no') ? '-dirty' : '';
	const settings = variables.filter((name) => process.env[name]).map((name) => `${name}=${process.env[name]}`);
	return `measured at commit ${git('rev-parse', '--short', 'HEAD')}${dirty} with: ${[...settings, command].join(' ')}`;
}
