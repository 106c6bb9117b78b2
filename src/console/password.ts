// Agent passwords: scrypt (node:crypto) with a random salt per password, stored as
// "scrypt$N$r$p$salt$hash" (base64) so that the cost can be raised later without breaking
// existing hashes. Comparison is constant-time.
import { randomBytes, randomInt, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import { sameSecret } from '../http/same-secret.ts';

const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 64;
/** Shortest password `agent:add` and the console accept. */
export const MIN_PASSWORD_LENGTH = 12;
/**
 * Lowest zxcvbn score accepted (0–4): 3 is "safely unguessable" in its terms, about 10^8 guesses
 * or more. Scored against zxcvbn's list of common passwords (language-common) and the words that
 * belong to this account and this municipality, which an attacker would try first.
 */
export const MIN_PASSWORD_SCORE = 3;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, keyLength, { ...options, maxmem: 256 * options.N! * options.r! }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || expected.length === 0) return false;
  const key = await scrypt(password, salt, expected.length, { N: n, r, p });
  return sameSecret(key, expected);
}

/** A hash of a random password: verifying against it costs what a real check costs. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

export const PASSWORD_RULE_TEXTS = {
  short: `Şifre en az ${MIN_PASSWORD_LENGTH} karakter olmalı.`,
  spaces: 'Şifre boşlukla başlayıp bitemez.',
  guessable:
    'Bu şifre kolay tahmin edilir: sık kullanılan şifrelere, tekrarlara, sıralı karakterlere ya da adınıza ve kurumun adına benziyor. Birkaç sözcükten oluşan, size özel daha uzun bir şifre seçin.',
};

// The common-password dictionary takes about 0.1 s to load: once, on the first check.
let estimator: ZxcvbnFactory | undefined;
function strength(password: string, related: string[]): number {
  estimator ??= new ZxcvbnFactory({ dictionary: { ...zxcvbnCommon.dictionary }, graphs: zxcvbnCommon.adjacencyGraphs });
  return estimator.check(password, related).score;
}

/** Words of a name as an attacker would type them: lower case, with and without Turkish letters. */
function variants(text: string): string[] {
  const lower = text.toLocaleLowerCase('tr');
  // "Ayşe Demir" is tried as "ayse", "demir" and "aysedemir".
  const words = [...lower.split(/[^\p{L}\p{N}]+/u), lower.replace(/[^\p{L}\p{N}]+/gu, '')].filter((word) => word.length >= 3);
  const ascii = words.map((word) => word.replace(/[çğıöşü]/g, (ch) => ({ ç: 'c', ğ: 'g', ı: 'i', ö: 'o', ş: 's', ü: 'u' })[ch]!));
  return [...new Set([...words, ...ascii])];
}

/**
 * Why a new password is refused, in Turkish, or undefined when it is acceptable. `related` holds
 * what an attacker knows of the account (user name, name, the municipality's name and place).
 */
export function passwordProblem(password: string, related: string[] = []): string | undefined {
  if (Array.from(password).length < MIN_PASSWORD_LENGTH) return PASSWORD_RULE_TEXTS.short;
  if (password.trim() !== password) return PASSWORD_RULE_TEXTS.spaces;
  const words = [...new Set([...related, 'belediye', 'belediyesi', 'çözüm'].flatMap(variants))];
  if (strength(password, words) < MIN_PASSWORD_SCORE) return PASSWORD_RULE_TEXTS.guessable;
  return undefined;
}

/** Letters and digits that cannot be mistaken for one another when read out or copied by hand. */
const TEMPORARY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A password an admin hands over after a reset: three groups of four, e.g. "kx7m-4pqa-h9tz". */
export function temporaryPassword(): string {
  const group = () => Array.from({ length: 4 }, () => TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)]).join('');
  return [group(), group(), group()].join('-');
}
