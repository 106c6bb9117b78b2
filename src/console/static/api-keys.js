// The supervisor page's Open311 keys (admins only): create one (shown once), list, revoke.
import { api, clear, el, flash, fmtDateTime } from './common.js';

const $ = (id) => document.getElementById(id);

async function refreshKeys() {
  const { keys } = await api('/api-keys');
  const body = clear($('api-keys-body'));
  for (const key of keys) {
    const revoke = key.active
      ? el('button', {
          type: 'button',
          class: 'btn btn--small',
          text: 'İptal et',
          onClick: async () => {
            if (!window.confirm(`“${key.name}” anahtarı iptal edilsin mi? Bu anahtarla artık başvuru gönderilemez.`)) return;
            try {
              await api(`/api-keys/${encodeURIComponent(key.id)}/revoke`, { method: 'POST' });
              flash('Anahtar iptal edildi.');
              await refreshKeys();
            } catch (error) {
              flash(error.message, true);
            }
          },
        })
      : null;
    body.append(
      el(
        'tr',
        {},
        el('td', { text: key.department ? `${key.name} · ${key.department}` : key.name }),
        el('td', {}, el('code', { text: key.hint })),
        el('td', { text: `${key.createdBy} · ${fmtDateTime(key.createdAt)}` }),
        el('td', { text: key.lastUsedAt ? fmtDateTime(key.lastUsedAt) : '—' }),
        el('td', { text: key.active ? 'Etkin' : `İptal edildi (${fmtDateTime(key.revokedAt)})` }),
        el('td', {}, revoke),
      ),
    );
  }
}

$('api-key-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const created = await api('/api-keys', { method: 'POST', body: Object.fromEntries(new FormData(event.target)) });
    event.target.reset();
    $('api-key-for').textContent = `${created.name} için anahtar:`;
    $('api-key-secret').textContent = created.key;
    $('api-key-dialog').showModal();
    await refreshKeys();
  } catch (error) {
    flash(error.message, true);
  }
});
$('api-key-dialog').addEventListener('close', () => ($('api-key-secret').textContent = ''));
for (const close of document.querySelectorAll('#api-keys [data-close]')) close.addEventListener('click', () => close.closest('dialog').close());

// The section is shown to admins once the page knows who is signed in (common.js `loadMe`): only
// then are the keys asked for, so that nobody else's page meets a refusal.
const section = $('api-keys');
const shown = new MutationObserver(() => {
  if (section.hidden) return;
  shown.disconnect();
  refreshKeys().catch((error) => flash(error.message, true));
});
shown.observe(section, { attributes: true, attributeFilter: ['hidden'] });
