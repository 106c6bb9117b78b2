// The acknowledgement of citizens left unanswered by a person, in a centre that has thousands of
// conversations with a person at once (a year of traffic): every one is acknowledged, none twice.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';

const temp = tempDir();
let cozum: Cozum;
const CONVERSATIONS = 2_600;

beforeAll(async () => {
  cozum = await startTestCozum(temp.dir);
}, 60_000);
afterAll(async () => {
  await cozum.close();
  temp.remove();
});

it(`acknowledges each of ${CONVERSATIONS.toLocaleString('en')} conversations an agent left unanswered, once`, async () => {
  const agent = await cozum.db.agent.create({ data: { username: 'ayse', displayName: 'Ayşe Demir', passwordHash: 'x', role: 'agent', department: 'Çözüm Merkezi' } });
  const ids = Array.from({ length: CONVERSATIONS }, (_, index) => String(index).padStart(5, '0'));
  const written = new Date(Date.now() - 60 * 60_000);
  await cozum.db.contact.createMany({ data: ids.map((id) => ({ id: `contact-${id}`, channel: 'webchat', platformUserId: `user-${id}` })) });
  await cozum.db.conversation.createMany({ data: ids.map((id) => ({ id: `conversation-${id}`, contactId: `contact-${id}`, channel: 'webchat', mode: 'agent', agentId: agent.id })) });
  await cozum.db.message.createMany({ data: ids.map((id) => ({ conversationId: `conversation-${id}`, direction: 'in', author: 'citizen', text: 'orada mısınız?', status: 'processed', createdAt: written })) });

  expect(await cozum.handoff.acknowledgeUnanswered()).toBe(CONVERSATIONS);
  const acknowledged = await cozum.db.message.findMany({ where: { direction: 'out', author: 'system' }, select: { conversationId: true, text: true } });
  expect(new Set(acknowledged.map((row) => row.conversationId)).size).toBe(CONVERSATIONS);
  expect(acknowledged[0]!.text).toContain('Ayşe');
  // The acknowledgement is now each conversation's last message: nothing is sent again.
  expect(await cozum.handoff.acknowledgeUnanswered()).toBe(0);
}, 120_000);
