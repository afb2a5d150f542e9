// The TypeScript compiler copies no assets: put each icon (and the node's codex file, which n8n
// reads from beside the compiled node) into dist/.
const { src, dest } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
	}).pipe(dest('dist'));
}

exports['build:icons'] = copyIcons;
