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

const KEY_FORM = '--key 平台密钥ID=BASE64公钥，例如 --key smartedu-2026=drnd38+csnBmNFtNkOMEbe0SFrwYgFDXtTbb18jFg4k=';
const KEY_FORM_EN = 'e.g. --key smartedu-2026=drnd38+csnBmNFtNkOMEbe0SFrwYgFDXtTbb18jFg4k=';

/** Parses "ID=BASE64" as given on the command line (--key), saying which part is wrong. */
export function parseKeyArg(arg: string): [string, string] {
  const bad = (zh: string, en: string) => new AppError('bad-request', `${zh}，须写成 ${KEY_FORM} / ${en}; --key takes ID=BASE64, ${KEY_FORM_EN}`);
  const raw = (b64: string) => (/^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64') : null);
  // A bare key's base64 padding is an "=" too: "--key AAAA…=" is a key without its id, not an id without a key.
  if (raw(arg.trim())?.length === 32) throw bad('--key 只给了公钥，缺少平台密钥ID', '--key has a public key but no key id');
  const eq = arg.indexOf('=');
  if (eq < 0) throw bad(`--key “${arg}” 缺少“=”`, `--key "${arg}" has no "="`);
  const id = arg.slice(0, eq).trim();
  const b64 = arg.slice(eq + 1).trim();
  if (id === '') throw bad('--key 缺少平台密钥ID（“=”前面的部分）', '--key has no key id before the "="');
  const bytes = raw(b64);
  if (!bytes) throw bad(`--key ${id} 的公钥不是 Base64`, `the public key of --key ${id} is not base64`);
  if (bytes.length !== 32) throw bad(`--key ${id} 的公钥应为 32 字节，这里是 ${bytes.length} 字节`, `the public key of --key ${id} is ${bytes.length} bytes, not 32`);
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

/**
 * A signing key checked before anything is written with it: an export whose key fails at the end has copied
 * every file for nothing, and left a feed.json that names a key without its signature beside it.
 */
export function checkSigningKey(key: Pick<SigningKey, 'keyId' | 'privateKey'>): void {
  if (key.keyId.trim() === '') throw new AppError('bad-request', '签名密钥缺少 keyId / the signing key has no keyId');
  try {
    sign(Buffer.alloc(0), key);
  } catch (err) {
    throw new AppError('bad-request', `签名密钥 ${key.keyId} 不可用：privateKey 须为 32 字节 Ed25519 私钥（base64）/ signing key ${key.keyId} is unusable: ${(err as Error).message}`);
  }
}

export const sha256Hex = (data: Buffer | string): string => crypto.createHash('sha256').update(data).digest('hex');
