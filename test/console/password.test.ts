// Agent passwords: scrypt with a random salt, constant-time comparison, readable stored format.
import { describe, expect, it } from 'vitest';
import { hashPassword, PASSWORD_RULE_TEXTS, passwordProblem, verifyPassword } from '../../src/console/password.ts';

describe('password hashing', () => {
  it('verifies the password it hashed and refuses any other', async () => {
    const stored = await hashPassword('Yeşilova-2026!');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain('Yeşilova');
    expect(await verifyPassword('Yeşilova-2026!', stored)).toBe(true);
    expect(await verifyPassword('yeşilova-2026!', stored)).toBe(false);
    expect(await verifyPassword('Yeşilova-2026', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash, so the same password never hashes the same twice', async () => {
    const [a, b] = await Promise.all([hashPassword('ayni-sifre-123'), hashPassword('ayni-sifre-123')]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect(await verifyPassword('ayni-sifre-123', a)).toBe(true);
    expect(await verifyPassword('ayni-sifre-123', b)).toBe(true);
  });

  it('treats an unreadable or foreign hash as a wrong password', async () => {
    for (const stored of ['', 'x', 'bcrypt$2b$10$abc', 'scrypt$16384$8$1$$', 'scrypt$abc$8$1$c2FsdA==$aGFzaA==', 'scrypt$99999999$8$1$c2FsdA==$aGFzaA==']) {
      expect(await verifyPassword('herhangi', stored)).toBe(false);
    }
  });

  it('refuses short passwords in Turkish', () => {
    expect(passwordProblem('kisa')).toBe('Şifre en az 12 karakter olmalı.');
    expect(passwordProblem(' bosluklu-sifre ')).toBe('Şifre boşlukla başlayıp bitemez.');
    expect(passwordProblem('yeterince-uzun')).toBeUndefined();
  });

  it('refuses the passwords an auditor tried, and common or guessable ones of any length', () => {
    // Accepted before (10 characters was the only rule).
    for (const weak of ['1234567890', 'password12', '1111111111']) expect(passwordProblem(weak), weak).toBe('Şifre en az 12 karakter olmalı.');
    for (const weak of ['123456789012', 'password1234', '111111111111', 'qwertyuiopas', 'Password123!', 'iloveyou2024', 'galatasaray1905', 'abcdefghijklmn']) {
      expect(passwordProblem(weak), weak).toBe(PASSWORD_RULE_TEXTS.guessable);
    }
    expect(PASSWORD_RULE_TEXTS.guessable).toContain('kolay tahmin edilir');
  });

  it('refuses a password built from the account\'s or the municipality\'s names, with or without Turkish letters', () => {
    const related = ['ayse.demir', 'Ayşe Demir', 'Yeşilova Belediyesi', 'İzmir', 'Bornova'];
    for (const weak of ['aysedemir2026', 'Yesilova2026!', 'yeşilova12345', 'bornova123456', 'belediye12345']) expect(passwordProblem(weak, related), weak).toBe(PASSWORD_RULE_TEXTS.guessable);
    for (const good of ['dogru-sifre-2026', 'mavi-kalem-ucuyor', 'kx7m-4pqa-h9tz']) expect(passwordProblem(good, related), good).toBeUndefined();
  });
});
