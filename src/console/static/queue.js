// The queue: open tickets and the conversations waiting for an agent, emergencies first, then
// oldest first, refreshed live when anything changes.
import { api, clear, el, fmtAge, fmtDateTime, hasRole, live, loadMe, slaChip, statusPill, throttle, tickSla } from './common.js';

const body = document.getElementById('queue-body');
const empty = document.getElementById('queue-empty');
const departmentSelect = document.getElementById('department');
let me;
let scope;
let department = '';

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

// Refreshes can overlap (a filter click and the live stream): only the newest answer is drawn.
let asked = 0;
let drawn = 0;

async function refresh() {
  const number = ++asked;
  const params = new URLSearchParams({ scope });
  if (scope === 'department' && department) params.set('department', department);
  params.set('limit', String(shown));
  const data = await api(`/queue?${params}`);
  if (number < drawn) return;
  drawn = number;
  clear(body).append(...data.items.map(row));
  empty.hidden = data.items.length > 0;
  document.getElementById('queue-more-row').hidden = data.counts.total <= data.items.length;
  document.getElementById('queue-shown').textContent = `${data.counts.total} talebin ${data.items.length} tanesi gösteriliyor.`;
  document.getElementById('count-waiting').textContent = data.counts.waiting;
  document.getElementById('count-overdue').textContent = data.counts.overdue;
  document.getElementById('count-mine').textContent = data.counts.mine;
  document.getElementById('count-total').textContent = data.counts.total;
  document.title = data.counts.waiting > 0 ? `(${data.counts.waiting}) Kuyruk · Çözüm Merkezi` : 'Kuyruk · Çözüm Merkezi';
}

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
  document.getElementById('queue-more').addEventListener('click', () => {
    shown = Math.min(200, shown + PAGE);
    refresh().catch(() => undefined);
  });
  setScope(allowed.includes(saved) ? saved : supervisor ? 'all' : 'department');
  const refreshSoon = throttle(() => refresh().catch(() => undefined), 500);
  live(() => refreshSoon());
  tickSla();
  // Ages ("5 dk önce") move on even when nothing else happens.
  setInterval(() => refresh().catch(() => undefined), 60000);
}

start();
