/**
 * Records the package unpacked into an n8n user folder (scripts/n8n/install-package.sh) the way n8n's own
 * community-package installer records what it installs (CommunityPackagesService.downloadPackage and
 * InstalledPackagesRepository.persistPackageWithNodes in n8n 2.41.1; the same tables in 1.123.81): its version
 * under `dependencies` in <user folder>/.n8n/nodes/package.json, a row in `installed_packages` and one row per
 * node in `installed_nodes`. Settings → Community Nodes lists those rows, with the version.
 *
 * n8n's installer cannot do this itself offline: before installing it asks n8n's API whether the package is
 * allowed and the npm registry whether the version exists, then runs `npm pack` against the registry.
 *
 *   NODE_PATH=<n8n>/node_modules node scripts/n8n/record-package.js <N8N_USER_FOLDER>
 *
 * Needs Node 22.5 or newer (node:sqlite; the Node 24 that runs n8n), n8n's SQLite database created (any n8n
 * CLI command creates it) and n8n-workflow on NODE_PATH (the node files load it).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { DatabaseSync } = require('node:sqlite');

const userFolder = process.argv[2];
if (!userFolder) throw new Error('usage: record-package.js <N8N_USER_FOLDER>');
const n8nFolder = path.join(userFolder, '.n8n');
const { name } = require(path.join(__dirname, '../../package.json'));
const packageDir = path.join(n8nFolder, 'nodes/node_modules', name);
const packageJson = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));

// What n8n's loader reports per node: the description's name, display name and its highest version.
const nodes = packageJson.n8n.nodes.map((file) => {
	const exports = require(path.join(packageDir, file));
	const { description } = new (Object.values(exports)[0])();
	const versions = [description.version].flat();
	return { name: description.displayName, type: `${name}.${description.name}`, latestVersion: versions[versions.length - 1] };
});

const nodesPackageJson = path.join(n8nFolder, 'nodes/package.json');
const manifest = fs.existsSync(nodesPackageJson)
	? JSON.parse(fs.readFileSync(nodesPackageJson, 'utf8'))
	: { name: 'installed-nodes', private: true };
manifest.dependencies = { ...manifest.dependencies, [name]: packageJson.version };
fs.writeFileSync(nodesPackageJson, JSON.stringify(manifest, null, 2));

const db = new DatabaseSync(path.join(n8nFolder, 'database.sqlite'));
try {
	db.exec('BEGIN');
	db.prepare('DELETE FROM installed_nodes WHERE package = ?').run(name);
	db.prepare('DELETE FROM installed_packages WHERE packageName = ?').run(name);
	// The timestamps as n8n's ORM writes them (the columns' defaults are broken strings in n8n's SQLite schema).
	db.prepare(
		'INSERT INTO installed_packages (packageName, installedVersion, authorName, authorEmail, createdAt, updatedAt) ' +
			"VALUES (?, ?, ?, ?, STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW'), STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW'))",
	).run(
		name,
		packageJson.version,
		packageJson.author?.name ?? null,
		packageJson.author?.email ?? null,
	);
	const insertNode = db.prepare('INSERT INTO installed_nodes (name, type, latestVersion, package) VALUES (?, ?, ?, ?)');
	for (const node of nodes) insertNode.run(node.name, node.type, node.latestVersion, name);
	db.exec('COMMIT');
} finally {
	db.close();
}
process.stdout.write(`${name}@${packageJson.version}: ${nodes.map((n) => n.type).join(', ')}\n`);
