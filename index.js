// n8n loads the node and credential listed in package.json's "n8n" field; the package main is empty.
module.exports = {};
