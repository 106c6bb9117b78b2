// The supervisor's page: figures for a period, drawn as simple SVG bar charts, the failed
// deliveries, the CSV export and (for admins) new accounts.
import { api, clear, debounce, el, flash, fmtDateTime, fmtDuration, hasRole, live, loadMe, throttle } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
const STATUS_COLORS = { new: '#d08a1a', assigned: '#6a55c9', in_progress: '#0b5d7a', resolved: '#1f7a4d', closed: '#7b8a95', rejected: '#b3261e' };
const RATING_COLORS = ['#b3261e', '#e07b39', '#d9b100', '#6aa84f', '#1f7a4d'];
let me;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function shorten(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Horizontal bars: label, bar, count. `color(item, index)` picks each bar's colour. */
function barChart(container, items, color = () => '#0b5d7a', max = 12) {
  clear(container);
  const shown = items.slice(0, max);
  if (shown.length === 0 || shown.every((i) => i.count === 0)) {
    container.append(el('p', { class: 'chart-empty', text: 'Bu dönemde veri yok.' }));
    return;
  }
  // Drawn at the container's own pixel width, so that 13px text stays 13px.
  const width = Math.max(300, Math.round(container.clientWidth || 560));
  const row = 30;
  const labelWidth = Math.min(200, Math.round(width * 0.38));
  const valueWidth = 48;
  const barWidth = width - labelWidth - valueWidth;
  const top = Math.max(...shown.map((i) => i.count), 1);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${shown.length * row}`, role: 'img', 'aria-label': shown.map((i) => `${i.label}: ${i.count}`).join(', ') });
  shown.forEach((item, index) => {
    const y = index * row;
    const g = svg('g');
    const label = svg('text', { x: 0, y: y + row / 2 + 4, class: 'bar-label' }, shorten(item.label, Math.floor(labelWidth / 7.5)));
    label.append(svg('title', {}, item.label));
    g.append(label);
    g.append(svg('rect', { x: labelWidth, y: y + 6, width: barWidth, height: row - 12, rx: 4, class: 'bar-track' }));
    const w = Math.max(item.count > 0 ? 3 : 0, (item.count / top) * barWidth);
    g.append(svg('rect', { x: labelWidth, y: y + 6, width: w.toFixed(1), height: row - 12, rx: 4, fill: color(item, index) }));
    g.append(svg('text', { x: labelWidth + barWidth + 8, y: y + row / 2 + 4, class: 'bar-value' }, String(item.count)));
    chart.append(g);
  });
  container.append(chart);
}

function decimal(value, digits = 1) {
  return value.toLocaleString('tr-TR', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function duration(d) {
  return d.average === null ? '–' : fmtDuration(d.average);
}

function render(data) {
  $('k-total').textContent = data.total;
  $('k-open').textContent = data.open;
  $('k-sla').textContent = data.sla.openOverdue + data.sla.resolvedLate;
  $('k-sla-label').textContent = `SLA aşımı (${data.sla.openOverdue} açık, ${data.sla.resolvedLate} geç çözülen)`;
  $('k-first').textContent = duration(data.firstResponse);
  $('k-first-label').textContent = data.firstResponse.median === null ? 'İlk yanıt (ortalama)' : `İlk yanıt (ortalama; medyan ${fmtDuration(data.firstResponse.median)})`;
  $('k-resolve').textContent = duration(data.resolution);
  $('k-resolve-label').textContent = data.resolution.median === null ? 'Çözüm süresi (ortalama)' : `Çözüm süresi (ortalama; medyan ${fmtDuration(data.resolution.median)})`;
  $('k-rating').textContent = data.satisfaction.average === null ? '–' : `${decimal(data.satisfaction.average)} / 5`;
  $('k-rating-label').textContent = `Memnuniyet (${data.satisfaction.count} değerlendirme)`;

  barChart($('c-status'), data.byStatus, (item) => STATUS_COLORS[item.key] || '#0b5d7a');
  barChart($('c-rating'), [...data.satisfaction.distribution].reverse().map((d) => ({ ...d, label: `${d.label} puan` })), (item) => RATING_COLORS[Number(item.key) - 1]);
  barChart($('c-category'), data.byCategory);
  barChart($('c-department'), data.byDepartment);
  barChart($('c-channel'), data.byChannel, () => '#3a7ca5');
  barChart($('c-neighbourhood'), data.byNeighbourhood, () => '#5a8f6e');
  barChart(
    $('c-sla'),
    [
      { key: 'ok', label: 'Zamanında çözülen', count: data.sla.resolvedOnTime },
      { key: 'late', label: 'Geç çözülen', count: data.sla.resolvedLate },
      { key: 'open', label: 'Süresi geçmiş açık talep', count: data.sla.openOverdue },
    ],
    (item) => (item.key === 'ok' ? '#1f7a4d' : item.key === 'late' ? '#e07b39' : '#b3261e'),
  );

  const times = clear($('times'));
  const row = (label, d) => times.append(el('dt', { text: label }), el('dd', { text: d.count ? `ortalama ${fmtDuration(d.average)} · medyan ${fmtDuration(d.median)} · ${d.count} talep` : 'henüz yok' }));
  row('İlk yanıt', data.firstResponse);
  row('Çözüm', data.resolution);

  const failed = clear($('failed-body'));
  $('failed-empty').hidden = data.failedMessages.length > 0;
  $('failed-table').hidden = data.failedMessages.length === 0;
  for (const m of data.failedMessages) {
    failed.append(
      el(
        'tr',
        {},
        el('td', {}, el('a', { href: `/console/conversations/${encodeURIComponent(m.conversationId)}`, text: fmtDateTime(m.at) })),
        el('td', { text: m.channelName }),
        el('td', { text: m.author === 'agent' ? 'Görevli' : m.author === 'system' ? 'Bilgilendirme' : 'Asistan' }),
        el('td', { text: m.preview }),
        el('td', { text: String(m.attempts) }),
        el('td', { text: m.lastError || '—' }),
        el('td', {}, data.canRetry ? el('button', { type: 'button', class: 'btn btn--small', text: 'Tekrar dene', onclick: (event) => retry(event.currentTarget, m.id) }) : null),
      ),
    );
  }
}

let last;
// Refreshes can overlap (a period change and the live stream): only the newest answer is drawn.
let asked = 0;
let drawn = 0;

async function retry(button, messageId) {
  button.disabled = true;
  try {
    await api(`/messages/${encodeURIComponent(messageId)}/retry`, { method: 'POST' });
    flash('Mesaj yeniden gönderim sırasına alındı.');
    await refresh();
  } catch (error) {
    flash(error.message, true);
    button.disabled = false;
  }
}

async function refresh() {
  const days = $('days').value;
  $('export').setAttribute('href', `/console/api/export.csv?days=${encodeURIComponent(days)}`);
  const number = ++asked;
  const data = await api(`/stats?days=${encodeURIComponent(days)}`);
  if (number < drawn) return;
  drawn = number;
  last = data;
  render(last);
}

async function showEmergencyKinds() {
  const { kinds } = await api('/emergency-kinds');
  const body = clear($('emergency-body'));
  for (const kind of kinds) {
    const phrases = el('dl', { class: 'fields' });
    for (const own of kind.phrases) phrases.append(el('dt', { text: own.languageName }), el('dd', { dir: 'auto', lang: own.language, text: own.phrases.join(' · ') }));
    body.append(el('tr', { dataset: { kind: kind.id } }, el('td', { text: kind.title }), el('td', { text: kind.number }), el('td', { text: kind.department }), el('td', {}, phrases)));
  }
}

async function refreshAccounts() {
  const { agents } = await api('/agents');
  const body = clear($('accounts-body'));
  const admin = hasRole(me, 'admin');
  for (const a of agents) {
    const row = el('tr', {}, el('td', { text: a.displayName }), el('td', { text: a.username }), el('td', { text: a.roleName }), el('td', { text: a.department || '—' }), el('td', { text: a.languages.map((code) => LANGUAGE_NAMES[code] ?? code).join(', ') }), el('td', { text: !a.active ? 'Kapalı' : a.locked ? 'Geçici olarak kilitli' : 'Etkin' }));
    if (admin) row.append(el('td', {}, accountActions(a)));
    body.append(row);
  }
}

/** What an admin can do with an account: edit it, give it a temporary password, close or open it. */
function accountActions(account) {
  const actions = el('div', { class: 'account-actions' });
  const button = (text, onClick) => el('button', { type: 'button', class: 'btn btn--small', text, dataset: { account: account.username }, onClick });
  actions.append(button('Düzenle', () => editAccount(account)));
  if (account.id === me.agent.id) return actions;
  actions.append(button('Şifre sıfırla', () => resetPassword(account)));
  const open = !account.active || account.locked;
  const label = !account.active ? 'Hesabı aç' : account.locked ? 'Kilidi kaldır' : 'Hesabı kapat';
  actions.append(
    button(label, async () => {
      if (!open && !window.confirm(`${account.displayName} hesabı kapatılsın mı? Açık oturumları sona erer, yürüttüğü görüşmeler kuyruğa döner.`)) return;
      try {
        await api(`/agents/${encodeURIComponent(account.id)}/active`, { method: 'POST', body: { active: open } });
        flash(open ? 'Hesap açıldı.' : 'Hesap kapatıldı.');
        await refreshAccounts();
      } catch (error) {
        flash(error.message, true);
      }
    }),
  );
  return actions;
}

let editing;

const LANGUAGE_NAMES = { tr: 'Türkçe', ar: 'Arapça', en: 'İngilizce' };

/** A form's fields as the account routes read them: the ticked languages as a list. */
function accountBody(form) {
  return { ...Object.fromEntries(form), languages: form.getAll('languages') };
}

function editAccount(account) {
  editing = account;
  $('edit-name').value = account.displayName;
  $('edit-role').value = account.role;
  $('edit-department').value = account.department || '';
  for (const box of $('edit-languages').querySelectorAll('input')) box.checked = account.languages.includes(box.value);
  $('edit-message').hidden = true;
  $('edit-dialog').showModal();
}

async function saveAccount(event) {
  event.preventDefault();
  const message = $('edit-message');
  try {
    await api(`/agents/${encodeURIComponent(editing.id)}`, { method: 'POST', body: accountBody(new FormData(event.target)) });
    $('edit-dialog').close();
    flash('Hesap güncellendi.');
    await refreshAccounts();
  } catch (error) {
    message.textContent = error.message;
    message.hidden = false;
  }
}

async function resetPassword(account) {
  if (!window.confirm(`${account.displayName} için geçici bir şifre oluşturulsun mu? Mevcut şifresi geçersiz olur ve açık oturumları kapanır.`)) return;
  try {
    const { password } = await api(`/agents/${encodeURIComponent(account.id)}/password`, { method: 'POST' });
    $('reset-for').textContent = `${account.displayName} (${account.username}) için geçici şifre:`;
    $('reset-password').textContent = password;
    $('reset-dialog').showModal();
    await refreshAccounts();
  } catch (error) {
    flash(error.message, true);
  }
}

async function start() {
  me = await loadMe();
  $('accounts').hidden = false;
  for (const d of me.departments) {
    $('account-department').append(el('option', { value: d, text: d }));
    $('edit-department').append(el('option', { value: d, text: d }));
  }
  $('edit-form').addEventListener('submit', saveAccount);
  for (const close of document.querySelectorAll('#accounts [data-close]')) close.addEventListener('click', () => close.closest('dialog').close());
  $('days').addEventListener('change', () => refresh().catch((e) => flash(e.message, true)));
  $('account-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!hasRole(me, 'admin')) return;
    const form = new FormData(event.target);
    try {
      await api('/agents', { method: 'POST', body: accountBody(form) });
      event.target.reset();
      flash('Hesap oluşturuldu.');
      await refreshAccounts();
    } catch (error) {
      flash(error.message, true);
    }
  });
  await Promise.all([refresh(), refreshAccounts(), showEmergencyKinds()]);
  // Live notices change today's figures only, by a ticket or two: they are not worth asking for the
  // period's figures at every notice. The figures are redrawn at most once a minute while notices
  // come (and not at all while none do), and at once with "Yenile".
  $('refresh').addEventListener('click', () => refresh().catch((e) => flash(e.message, true)));
  const slow = throttle(() => refresh().catch(() => undefined), 60000);
  live((notice) => {
    // Messages move no figure of the page.
    if (notice.kind !== 'message') slow();
  });
  window.addEventListener('resize', debounce(() => last && render(last), 200));
}

start();
