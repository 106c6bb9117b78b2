// The queue: open tickets and the conversations waiting for an agent, emergencies first, then
// oldest first. Live notices change only the rows they are about: the page asks for those rows
// (/queue/rows) and adds, replaces or removes them in place, instead of asking for the whole page
// again at every notice (at a busy centre, several a second).
import { api, clear, el, fmtAge, fmtDateTime, hasRole, live, loadMe, slaChip, statusPill, throttle, tickSla } from './common.js';

const body = document.getElementById('queue-body');
const empty = document.getElementById('queue-empty');
const departmentSelect = document.getElementById('department');
const languageSelect = document.getElementById('language');
let me;
let scope;
let department = '';
let language = '';

function link(item) {
  return item.conversationId ? `/console/conversations/${encodeURIComponent(item.conversationId)}?ticket=${encodeURIComponent(item.ticketId)}` : null;
}

function row(item) {
  const href = link(item);
  const state = item.waiting ? statusPill('waiting', 'Görevli bekliyor') : item.live ? statusPill('agent', 'Görüşmede') : statusPill(item.status, item.statusName);
  const tr = el(
    'tr',
    { class: [href ? 'row-link' : '', item.waiting ? 'is-waiting' : '', item.urgent ? 'is-urgent' : ''].join(' ').trim(), dataset: { ticket: item.ticketId, number: item.number } },
    el('td', {}, href ? el('a', { class: 'queue__number', href, text: item.number }) : el('span', { class: 'queue__number', text: item.number }), el('span', { class: 'queue__age', text: fmtAge(item.createdAt), title: fmtDateTime(item.createdAt) })),
    el('td', {}, item.urgent ? el('span', { class: 'pill pill--urgent', text: 'ACİL' }) : null, el('span', { class: 'queue__who', text: item.citizen }), el('span', { class: 'queue__summary', text: item.summary, title: item.summary })),
    el('td', { text: item.channelName }),
    el('td', { class: 'queue__language', dataset: { language: item.language }, text: item.languageName }),
    el('td', {}, el('span', { text: item.typeName }), item.categoryName ? el('span', { class: 'queue__sub', text: item.categoryName }) : null),
    el('td', { text: item.neighbourhood || '—' }),
    el('td', { text: item.department }),
    el('td', {}, state),
    el('td', { text: item.agentName || '—' }),
    el('td', {}, slaChip(item.dueAt)),
  );
  if (href) tr.addEventListener('click', (event) => {
    if (event.target.closest('a')) return;
    window.location.assign(href);
  });
  return tr;
}

// One screen at a time: the server sends a page and the counts of the whole queue.
const PAGE = 50;
let shown = PAGE;

// What the page shows: the first `shown` rows of the queue, in its order, and the queue's counts.
let items = [];
let rows = new Map();

// Cases in a language besides Turkish that the agent speaks first, then the agent's other
// languages, then the rest (as views.ts's queueOrder).
function languageRank(item) {
  const spoken = me?.agent.languages ?? ['tr'];
  if (!spoken.includes(item.language)) return 2;
  return item.language === 'tr' ? 1 : 0;
}

// Emergencies first, then by the agent's languages, then oldest first (as the server orders the queue).
function order(a, b) {
  return Number(b.urgent) - Number(a.urgent) || languageRank(a) - languageRank(b) || a.createdAt.localeCompare(b.createdAt) || (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0);
}

/** Draws `items`, building rows anew only for the tickets in `changed` (all of them when not given). */
function draw(changed) {
  const next = new Map();
  for (const item of items) next.set(item.ticketId, !changed || changed.has(item.ticketId) || !rows.has(item.ticketId) ? row(item) : rows.get(item.ticketId));
  for (const [ticketId, tr] of rows) if (next.get(ticketId) !== tr) tr.remove();
  // Appending a row already in the table moves it: the table ends up in the queue's order.
  for (const item of items) body.append(next.get(item.ticketId));
  rows = next;
  empty.hidden = items.length > 0;
}

function showCounts(counts) {
  document.getElementById('queue-more-row').hidden = counts.total <= items.length;
  document.getElementById('queue-shown').textContent = `${counts.total} talebin ${items.length} tanesi gösteriliyor.`;
  document.getElementById('count-waiting').textContent = counts.waiting;
  document.getElementById('count-overdue').textContent = counts.overdue;
  document.getElementById('count-mine').textContent = counts.mine;
  document.getElementById('count-total').textContent = counts.total;
  document.title = counts.waiting > 0 ? `(${counts.waiting}) Kuyruk · Çözüm Merkezi` : 'Kuyruk · Çözüm Merkezi';
}

function scopeParams() {
  const params = new URLSearchParams({ scope });
  if (scope === 'department' && department) params.set('department', department);
  if (language) params.set('language', language);
  return params;
}

// Whole pages can overlap (a filter click and a reconnect): only the newest answer is drawn.
let asked = 0;
let drawn = 0;
// Whole pages asked for so far and still on their way: a change of rows read before a whole page
// is not applied over it (it is asked for again after).
let pages = 0;
let pagesPending = 0;

async function refresh() {
  const number = ++asked;
  pages += 1;
  pagesPending += 1;
  try {
    const params = scopeParams();
    params.set('limit', String(shown));
    const data = await api(`/queue?${params}`);
    if (number < drawn) return;
    drawn = number;
    items = data.items;
    draw();
    showCounts(data.counts);
  } finally {
    pagesPending -= 1;
  }
}

// Tickets and conversations live notices named since the last ask; one ask at a time, so that
// answers are applied in the order of the changes.
const pending = { tickets: new Set(), conversations: new Set() };
let applying = false;

async function applyNotices() {
  if (applying || (pending.tickets.size === 0 && pending.conversations.size === 0)) return;
  applying = true;
  const tickets = new Set(pending.tickets);
  const conversations = new Set(pending.conversations);
  pending.tickets.clear();
  pending.conversations.clear();
  try {
    const page = pages;
    const params = scopeParams();
    for (const id of tickets) params.append('ticket', id);
    for (const id of conversations) params.append('conversation', id);
    const data = await api(`/queue/rows?${params}`);
    if (page !== pages || pagesPending > 0) {
      // A whole page was asked for meanwhile (another scope, or after a reconnect): these rows
      // may belong to neither; asked for again once it is drawn.
      for (const id of tickets) pending.tickets.add(id);
      for (const id of conversations) pending.conversations.add(id);
      return;
    }
    const found = new Map(data.items.map((item) => [item.ticketId, item]));
    const wasFull = items.length >= shown;
    // Rows asked about and not in the queue any more go; the others are replaced or added in order.
    items = items.filter((item) => found.has(item.ticketId) || !(tickets.has(item.ticketId) || (item.conversationId && conversations.has(item.conversationId))));
    for (const item of data.items) {
      const at = items.findIndex((i) => i.ticketId === item.ticketId);
      if (at >= 0) items[at] = item;
      else items.push(item);
    }
    items.sort(order);
    // A row added past the last one shown belongs to a later page; a row gone from a full page
    // leaves a gap only the whole page can fill.
    items = items.slice(0, shown);
    if (wasFull && items.length < shown && data.counts.total > items.length) return void refresh().catch(() => undefined);
    draw(found);
    showCounts(data.counts);
  } finally {
    applying = false;
    if (pending.tickets.size > 0 || pending.conversations.size > 0) applySoon();
  }
}

const applySoon = throttle(() => applyNotices().catch(() => undefined), 300);

function setScope(next) {
  scope = next;
  shown = PAGE;
  localStorage.setItem('cozum.queue.scope', scope);
  for (const button of document.querySelectorAll('[data-scope]')) button.setAttribute('aria-pressed', String(button.dataset.scope === scope));
  refresh().catch(() => undefined);
}

async function start() {
  me = await loadMe();
  const supervisor = hasRole(me, 'supervisor');
  const saved = localStorage.getItem('cozum.queue.scope');
  const allowed = supervisor ? ['mine', 'department', 'all'] : ['mine', 'department'];
  for (const name of me.departments) departmentSelect.append(el('option', { value: name, text: name }));
  departmentSelect.addEventListener('change', () => {
    department = departmentSelect.value;
    setScope(department ? 'department' : 'all');
  });
  for (const button of document.querySelectorAll('[data-scope]')) button.addEventListener('click', () => {
    if (button.dataset.scope !== 'department') {
      department = '';
      departmentSelect.value = '';
    }
    setScope(button.dataset.scope);
  });
  languageSelect.addEventListener('change', () => {
    language = languageSelect.value;
    setScope(scope);
  });
  document.getElementById('queue-more').addEventListener('click', () => {
    shown = Math.min(200, shown + PAGE);
    refresh().catch(() => undefined);
  });
  setScope(allowed.includes(saved) ? saved : supervisor ? 'all' : 'department');
  live((notice) => {
    // A citizen's or an agent's message changes no row of the queue.
    if (notice.kind === 'message') return;
    if (notice.kind === 'ticket' && notice.ticketId) pending.tickets.add(notice.ticketId);
    else if (notice.kind === 'conversation' && notice.conversationId) pending.conversations.add(notice.conversationId);
    else return void refresh().catch(() => undefined); // back after a dropped connection: what was missed is unknown
    if (notice.conversationId) pending.conversations.add(notice.conversationId);
    applySoon();
  });
  tickSla();
  // Ages ("5 dk önce") move on even when nothing else happens: redrawn from what the page has.
  setInterval(() => draw(), 60000);
}

start();
