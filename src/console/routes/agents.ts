// Console accounts: the list for supervisors; creating, editing, resetting and closing for admins.
import express, { type Router } from 'express';
import { z } from 'zod';
import { LANGUAGES } from '../../content/languages.ts';
import { agentLanguages, consoleSession, normalizeUsername } from '../auth.ts';
import { ROLE_NAMES } from '../catalog.ts';
import { hashPassword, passwordProblem } from '../password.ts';
import type { RouteContext } from './context.ts';
import { IdParams, parsed, UNREADABLE } from './validate.ts';

/** What an admin sets of an account, when creating or editing it. */
const AccountBody = z.object({
  displayName: z.string().trim().min(2, 'Ad soyad yazın.').max(100),
  role: z.enum(['agent', 'supervisor', 'admin']),
  department: z.string().trim().max(200).optional(),
  // The languages the agent answers citizens in: the queue puts cases in them first. Left as they
  // are when not sent (Turkish for a new account).
  languages: z
    .array(z.enum(LANGUAGES, { message: 'Bilinmeyen bir dil seçildi.' }))
    .min(1, 'En az bir dil seçin.')
    .transform((codes) => [...new Set(codes)])
    .optional(),
});
// Fields in the order their problems are reported (the first one is shown).
const NewAgentBody = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9._-]{2,40}$/, 'Kullanıcı adı 2–40 harf, rakam, nokta, tire ya da alt çizgi olmalı.'),
  ...AccountBody.shape,
  password: z.string().max(200),
});
const ActiveBody = z.object({ active: z.boolean() });

export function agentRoutes({ db, logger, auth, catalog, handoff, municipalityWords, supervisorOnly, adminOnly }: RouteContext): Router {
  const api = express.Router();

  api.get('/agents', supervisorOnly, async (_request, response) => {
    const rows = await db.agent.findMany({ orderBy: [{ role: 'asc' }, { displayName: 'asc' }], select: { id: true, username: true, displayName: true, role: true, department: true, languages: true, active: true } });
    // "Locked": guessed at from many addresses (login-throttle.ts); its own recent addresses still get in.
    const locked = await Promise.all(rows.map((a) => auth.throttle.lockedFor(a.username)));
    response.json({ agents: rows.map((a, i) => ({ ...a, languages: agentLanguages(a.languages), roleName: ROLE_NAMES[a.role] ?? a.role, locked: locked[i]! > 0 })) });
  });

  api.post('/agents', adminOnly, async (request, response) => {
    const body = parsed(NewAgentBody, request.body ?? {}, response);
    if (!body) return;
    const problem = passwordProblem(body.password, [body.username, body.displayName, ...municipalityWords]);
    if (problem) return void response.status(400).json({ error: problem });
    const department = body.department || null;
    if (body.role === 'agent' && !department) return void response.status(400).json({ error: 'Görevlinin bir birimi olmalı.' });
    const username = normalizeUsername(body.username);
    if (await db.agent.findUnique({ where: { username } })) return void response.status(409).json({ error: 'Bu kullanıcı adı zaten kullanılıyor.' });
    const created = await db.agent.create({ data: { username, displayName: body.displayName, role: body.role, department, languages: (body.languages ?? ['tr']).join(','), passwordHash: await hashPassword(body.password) } });
    logger.info({ agent: username, role: created.role, by: consoleSession(response).agent.username }, 'console account created');
    response.status(201).json({ id: created.id, username });
  });

  // An admin corrects a name, moves someone to another department or gives them another role. Not
  // one's own role: the last admin could demote themselves and leave nobody to manage accounts.
  api.post('/agents/:id', adminOnly, async (request, response, next) => {
    try {
      const params = parsed(IdParams, request.params, response, UNREADABLE);
      if (!params) return;
      const body = parsed(AccountBody, request.body ?? {}, response);
      if (!body) return;
      const me = consoleSession(response).agent;
      const target = await db.agent.findUnique({ where: { id: params.id } });
      if (!target) return void response.status(404).json({ error: 'Hesap bulunamadı.' });
      const department = body.department || null;
      if (body.role === 'agent' && !department) return void response.status(400).json({ error: 'Görevlinin bir birimi olmalı.' });
      if (department && !(await catalog.departments(db)).includes(department)) return void response.status(400).json({ error: 'Bu birim tanımlı değil.' });
      if (target.id === me.id && body.role !== target.role) return void response.status(409).json({ error: 'Kendi rolünüzü değiştiremezsiniz; bunu başka bir yönetici yapabilir.' });
      const languages = body.languages ? body.languages.join(',') : target.languages;
      await db.agent.update({ where: { id: target.id }, data: { displayName: body.displayName, role: body.role, department, languages } });
      const now = { displayName: body.displayName, role: body.role, department, languages };
      const changed = (['displayName', 'role', 'department', 'languages'] as const).filter((field) => now[field] !== target[field]);
      logger.info({ agent: target.username, changed, by: me.username }, 'console account updated');
      response.json({ ok: true });
    } catch (error) {
      next(error);
    }
  });

  api.post('/agents/:id/password', adminOnly, async (request, response, next) => {
    try {
      const params = parsed(IdParams, request.params, response, UNREADABLE);
      if (!params) return;
      const result = await auth.resetPassword(consoleSession(response).agent, params.id);
      if (!result.ok) return void response.status(result.status).json({ error: result.message });
      response.json({ ok: true, password: result.password });
    } catch (error) {
      next(error);
    }
  });

  // Opening an account also lifts a lock-out; closing one ends its sessions at once and hands
  // its conversations back to the queue. Nobody closes their own account or the last admin's.
  api.post('/agents/:id/active', adminOnly, async (request, response, next) => {
    try {
      const params = parsed(IdParams, request.params, response, UNREADABLE);
      if (!params) return;
      const body = parsed(ActiveBody, request.body ?? {}, response, UNREADABLE);
      if (!body) return;
      const me = consoleSession(response).agent;
      const target = await db.agent.findUnique({ where: { id: params.id } });
      if (!target) return void response.status(404).json({ error: 'Hesap bulunamadı.' });
      if (!body.active) {
        if (target.id === me.id) return void response.status(409).json({ error: 'Kendi hesabınızı kapatamazsınız.' });
        const admins = await db.agent.count({ where: { role: 'admin', active: true } });
        if (target.role === 'admin' && target.active && admins <= 1) return void response.status(409).json({ error: 'Son yönetici hesabı kapatılamaz.' });
        await db.agent.update({ where: { id: target.id }, data: { active: false } });
        await db.agentSession.deleteMany({ where: { agentId: target.id } });
        await handoff.agentClosed(me, target);
      } else {
        await db.agent.update({ where: { id: target.id }, data: { active: true } });
        await auth.throttle.unlock(target.username);
      }
      logger.info({ agent: target.username, active: body.active, by: me.username }, body.active ? 'console account opened' : 'console account closed');
      response.json({ ok: true });
    } catch (error) {
      next(error);
    }
  });

  return api;
}
