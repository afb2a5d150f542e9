/**
 * Encrypts values the way a system upstream of n8n would for "Already Encrypted" (see api.md, "Encryption"):
 * AES-256-CBC with one data key and IV for all of them, the key wrapped with the provider's RSA public key.
 * Written from the API documentation, apart from the node's own encryption code, so that a test can hand the
 * node ciphertext it did not make.
 */
import * as crypto from 'node:crypto';

export interface Sealed {
	/** Base64 ciphertext of each value, in the order given. */
	ciphertexts: string[];
	/** Base64 of the wrapped data key (the API's ciphertext_blob). */
	blob: string;
	/** Base64 of the IV. */
	iv: string;
}

export function sealValues(values: string[], publicKey: crypto.KeyLike): Sealed {
	const key = crypto.randomBytes(32);
	const iv = crypto.randomBytes(16);
	const ciphertexts = values.map((value) => {
		const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
		return Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]).toString('base64');
	});
	const blob = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, key).toString('base64');
	return { ciphertexts, blob, iv: iv.toString('base64') };
}
