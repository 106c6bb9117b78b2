// Shared by the console's pages: the JSON API with the CSRF token, the top bar, safe DOM
// building, Turkish date and duration formatting, and the live event stream.
//
// Everything that comes from a citizen (or any stored text) goes into the page through
// textContent / createTextNode, never innerHTML: a message with <script> stays text.

const RANK = { agent: 0, supervisor: 1, admin: 2 };
let csrfToken = '';
let timeZone = 'Europe/Istanbul';

/** Builds an element. `props`: class, text, title, href, on{Event}, dataset, attrs; children: nodes or strings (as text). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'href') node.setAttribute('href', safeHref(value));
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return node;
}

/** Only our own pages and https map links. */
function safeHref(value) {
  const text = String(value);
  if (text.startsWith('/console') || text.startsWith('https://www.openstreetmap.org/') || text.startsWith('https://www.google.com/maps')) return text;
  return '#';
}

/**
 * Message text as nodes, in the assistant's neutral format (src/messaging/text-format.ts, whose
 * EMPHASIS this pattern must equal: test/messaging/text-format.test.ts checks): *bold* and
 * **bold** become <strong>, _italic_ <em>; everything else stays plain text, so no markup from the
 * text is ever interpreted.
 */
const EMPHASIS = /(?<![\p{L}\p{N}*_])(\*\*|\*|_)(?=\S)(.+?)(?<=\S)\1(?![\p{L}\p{N}*_])/gu;

export function richText(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(EMPHASIS)) {
    // Underscores inside a link are part of it.
    if (/https?:\/\/\S*$/u.test(text.slice(0, match.index))) continue;
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    nodes.push(el(match[1] === '_' ? 'em' : 'strong', { text: match[2] }));
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

function toLogin() {
  window.location.assign(`/console/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
}

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(path, options = {}) {
  const init = { method: options.method ?? 'GET', credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (init.method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-CSRF-Token'] = csrfToken;
    init.body = JSON.stringify(options.body ?? {});
  }
  const response = await fetch(`/console/api${path}`, init);
  if (response.status === 401) {
    toLogin();
    throw new ApiError('Oturumunuz sona erdi.', 401);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError((response.status < 500 && data.error) || 'Bir sorun oluştu. Lütfen tekrar deneyin.', response.status);
  return data;
}

export function hasRole(me, role) {
  return RANK[me.agent.role] >= RANK[role];
}

/** Loads the agent, fills the top bar, shows what their role may use. */
export async function loadMe() {
  const me = await api('/me');
  csrfToken = me.csrfToken;
  timeZone = me.timeZone || timeZone;
  document.getElementById('me-name').textContent = me.agent.displayName;
  document.getElementById('me-role').textContent = me.agent.department ? `${me.agent.roleName} · ${me.agent.department}` : me.agent.roleName;
  document.getElementById('logout-csrf').value = me.csrfToken;
  const passwordDialog = wirePasswordDialog();
  if (me.mustChangePassword) {
    // A temporary password from an admin: nothing else works until the agent chooses their own,
    // so the page waits here and reloads once it is done.
    passwordDialog.openRequired();
    return new Promise(() => {});
  }
  for (const node of document.querySelectorAll('[data-role]')) node.hidden = !hasRole(me, node.dataset.role);
  const page = document.body.dataset.page;
  for (const link of document.querySelectorAll('[data-nav]')) if (link.dataset.nav === page) link.setAttribute('aria-current', 'page');
  return me;
}

/**
 * The top bar's "Şifre değiştir": the agent's own password, the current one asked first.
 * `openRequired` opens it with no way around it (after an admin's reset).
 */
function wirePasswordDialog() {
  const dialog = document.getElementById('password-dialog');
  const form = document.getElementById('password-form');
  const message = document.getElementById('password-message');
  const fields = ['password-current', 'password-next', 'password-again'].map((id) => document.getElementById(id));
  let required = false;
  const control = {
    openRequired() {
      required = true;
      document.getElementById('password-required').hidden = false;
      document.getElementById('password-cancel').hidden = true;
      form.reset();
      dialog.showModal();
      fields[0].focus();
    },
  };
  if (dialog.dataset.wired) return control;
  dialog.dataset.wired = 'true';
  dialog.addEventListener('cancel', (event) => {
    if (required) event.preventDefault();
  });
  const say = (text) => {
    message.textContent = text;
    message.hidden = !text;
  };
  document.getElementById('password-open').addEventListener('click', () => {
    form.reset();
    say('');
    dialog.showModal();
    fields[0].focus();
  });
  document.getElementById('password-cancel').addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const [current, next, again] = fields.map((field) => field.value);
    if (next !== again) return say('Yeni şifre ile tekrarı aynı değil.');
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const result = await api('/me/password', { method: 'POST', body: { current, next } });
      if (required) return window.location.reload();
      dialog.close();
      const others = result.otherSessionsEnded > 0 ? ` Diğer ${result.otherSessionsEnded} oturumunuz kapatıldı.` : '';
      flash(`Şifreniz değiştirildi.${others}`);
    } catch (error) {
      if (error.status === 429) setTimeout(toLogin, 4000);
      say(error.message);
    } finally {
      button.disabled = false;
    }
  });
  return control;
}

// ---- formatting

export function fmtDateTime(iso) {
  return new Intl.DateTimeFormat('tr-TR', { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function fmtTime(iso) {
  return new Intl.DateTimeFormat('tr-TR', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function fmtDay(iso) {
  return new Intl.DateTimeFormat('tr-TR', { timeZone, weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(iso));
}

/** Minutes as "45 dk", "2 sa 15 dk", "3 gün 4 sa". */
export function fmtDuration(minutes) {
  const m = Math.round(Math.abs(minutes));
  if (m < 60) return `${m} dk`;
  const hours = Math.floor(m / 60);
  if (hours < 24) return m % 60 ? `${hours} sa ${m % 60} dk` : `${hours} sa`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} gün ${hours % 24} sa` : `${days} gün`;
}

export function fmtAge(iso, now = Date.now()) {
  const minutes = (now - Date.parse(iso)) / 60000;
  return minutes < 1 ? 'az önce' : `${fmtDuration(minutes)} önce`;
}

/** The SLA countdown: how long until the due time, or how long past it. */
export function slaInfo(dueAt, now = Date.now()) {
  const minutes = (Date.parse(dueAt) - now) / 60000;
  if (minutes < 0) return { text: `${fmtDuration(minutes)} gecikti`, level: 'late' };
  return { text: `${fmtDuration(minutes)} kaldı`, level: minutes < 120 ? 'soon' : 'ok' };
}

export function slaChip(dueAt) {
  const info = slaInfo(dueAt);
  return el('span', { class: `sla-chip sla-chip--${info.level}`, text: info.text, title: `Son tarih: ${fmtDateTime(dueAt)}`, dataset: { due: dueAt } });
}

/** Re-renders every SLA chip on the page every 30 seconds, without a request. */
export function tickSla() {
  setInterval(() => {
    for (const chip of document.querySelectorAll('.sla-chip[data-due]')) {
      const info = slaInfo(chip.dataset.due);
      chip.textContent = info.text;
      chip.className = `sla-chip sla-chip--${info.level}`;
    }
  }, 30000);
}

export function statusPill(status, label) {
  return el('span', { class: `pill pill--${status}`, text: label });
}

/**
 * Runs `fn` once, `ms` after the first of a burst of calls, and then at most once every `ms` while
 * calls keep coming. Live notices use it: with a debounce, a steady stream of notices (a busy
 * morning) would hold the refresh back until the stream stopped.
 */
export function throttle(fn, ms) {
  let timer;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/**
 * Subscribes to the console's live notices; `onChange(notice)` runs for each (and after a
 * reconnect). With `conversationId`, that conversation's messages are announced even while the
 * bot answers it; otherwise only those of conversations a person answers or is awaited in.
 */
export function live(onChange, conversationId) {
  const badge = document.getElementById('live');
  const label = document.getElementById('live-text');
  const set = (state, text) => {
    badge.dataset.state = state;
    label.textContent = text;
  };
  let dropped = false;
  const source = new EventSource(conversationId ? `/console/api/events?conversation=${encodeURIComponent(conversationId)}` : '/console/api/events');
  source.addEventListener('open', () => {
    set('open', 'Canlı');
    if (dropped) onChange({ kind: 'reconnect' });
    dropped = false;
  });
  source.addEventListener('error', () => {
    dropped = true;
    set('closed', 'Bağlantı koptu, yeniden deneniyor…');
  });
  source.addEventListener('changed', (event) => {
    try {
      onChange(JSON.parse(event.data));
    } catch {
      onChange({ kind: 'unknown' });
    }
  });
  source.addEventListener('logout', () => {
    source.close();
    toLogin();
  });
  return source;
}

export function flash(message, isError = false) {
  const node = document.getElementById('flash');
  if (!node) return;
  node.textContent = message;
  node.className = isError ? 'flash flash--error' : 'flash';
  node.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => (node.hidden = true), isError ? 8000 : 4000);
}
