// Ed25519 keys as the feed protocol writes them: a public key is the base64 of its
// raw 32 bytes; a signature is the base64 of the 64-byte signature of feed.json.
import crypto from 'node:crypto';
import { AppError } from '../api/errors';

// DER prefixes that wrap a raw 32-byte Ed25519 key for node:crypto.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type PublicKeys = Record<string, string>;

export function publicKeyFromBase64(b64: string): crypto.KeyObject {
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 32) throw new AppError('bad-request', `an Ed25519 public key is 32 bytes; got ${raw.length}`);
  return crypto.createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Parses "ID=BASE64" as given on the command line (--key). */
export function parseKeyArg(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  if (eq < 1) throw new AppError('bad-request', `--key expects ID=BASE64, got "${arg}"`);
  const id = arg.slice(0, eq);
  const b64 = arg.slice(eq + 1);
  publicKeyFromBase64(b64); // validates length and encoding
  return [id, b64];
}

export function verifySignature(data: Buffer, signatureB64: string, publicKeyB64: string): boolean {
  const sig = Buffer.from(signatureB64.trim(), 'base64');
  if (sig.length !== 64) return false;
  return crypto.verify(null, data, publicKeyFromBase64(publicKeyB64), sig);
}

export interface SigningKey {
  keyId: string;
  /** base64 of the raw 32-byte seed */
  privateKey: string;
  publicKey: string;
}

export function generateSigningKey(keyId: string): SigningKey {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const priv = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return { keyId, privateKey: priv.toString('base64'), publicKey: pub.toString('base64') };
}

export function sign(data: Buffer, key: Pick<SigningKey, 'privateKey'>): string {
  const seed = Buffer.from(key.privateKey, 'base64');
  if (seed.length !== 32) throw new AppError('bad-request', 'an Ed25519 private key is a 32-byte seed');
  const k = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return crypto.sign(null, data, k).toString('base64');
}

export const sha256Hex = (data: Buffer | string): string => crypto.createHash('sha256').update(data).digest('hex');
